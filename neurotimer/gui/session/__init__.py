"""The session clock on screen: the timer card and its presenter."""
