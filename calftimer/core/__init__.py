"""The Qt-free core: catalog, programs, timeline and session.

Pure Python, standard library only. Nothing here may import PySide6, pyqtgraph or platformdirs;
``tests/test_layers.py`` enforces it. All times are integer milliseconds.
"""
