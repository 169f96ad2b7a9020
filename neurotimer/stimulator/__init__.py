"""The NTS-1 stimulator: protocol, device model, simulator server, transports and driver. No Qt."""
