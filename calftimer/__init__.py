"""calftimer: a hands-free coach for runners' calf training.

The package splits into a Qt-free core (``calftimer.core``), a thin Qt layer (``calftimer.gui``)
and one composition root (``calftimer.app``) that wires them together.
"""

__version__ = "0.1.0"
