"""neurotimer: session timer, stimulator control and treatment log for electro-acupuncture."""

__version__ = "0.1.0"
