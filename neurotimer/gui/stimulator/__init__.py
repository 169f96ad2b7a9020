"""The stimulator on screen: controller, worker thread, device and output panels, plot."""
