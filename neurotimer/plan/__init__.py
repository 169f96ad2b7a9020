"""The treatment plan: points, needle pairs, waveforms, body parts and templates."""
