"""Qt's own terminal output: which of its logging categories calftimer turns down.

Qt's multimedia module writes a few lines on every launch that no user can act on: that an
optional PipeWire library is missing or too old (``qt.multimedia.symbolsresolver``: Qt then
plays through PulseAudio, as it should, and every optional library it probes for is reported
there the same way), and which FFmpeg it was built with (``qt.multimedia.ffmpeg``, at info
level). ``quiet_qt_chatter`` turns exactly those down by logging category, before the module
loads; every other warning of Qt's, its sound modules' included, still shows. The environment
overrides them (Qt applies ``QT_LOGGING_RULES`` after these), e.g.
``QT_LOGGING_RULES="qt.multimedia.symbolsresolver=true"`` when checking whether Qt found
PipeWire.
"""

from __future__ import annotations

from PySide6.QtCore import QLoggingCategory

CHATTER_RULES = (
    "qt.multimedia.symbolsresolver.warning=false",  # optional libraries (PipeWire) not found
    "qt.multimedia.ffmpeg.info=false",  # "Using Qt multimedia with FFmpeg version ..."
)


def quiet_qt_chatter() -> None:
    """Turn Qt's launch chatter down; call before QtMultimedia is imported."""
    QLoggingCategory.setFilterRules("\n".join(CHATTER_RULES))
