"""The Qt layer: widgets, item models and the timer driver over the core. May import core."""
