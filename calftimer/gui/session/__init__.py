"""The running session's parts, between the Qt-free core and the window.

- ``controller.SessionController`` drives the session (the only subscriber of its driver),
  records it and keeps the screen awake; the views follow its signals.
- ``conductor.CueConductor`` decides what is heard when (look-ahead, phrase timer, the wait
  for the sounds at start, output faults, mute and sound settings) and plays it through an
- ``output.AudioOutput``: the seam to the speakers (``calftimer.gui.audio``) or to silence.
- ``timers``: the timer port both use, so tests drive them on a manual clock.

docs/architecture.md draws the whole picture.
"""
