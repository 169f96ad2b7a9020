"""The window's frame: main window, banners, theme, dialogs, shortcuts and sounds."""
