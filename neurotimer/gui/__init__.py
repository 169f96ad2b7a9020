"""Qt windows, widgets and presenters."""
