"""Shared test setup: Qt runs offscreen, and nothing touches the user's real data folder."""

import os

# Set before any test module imports Qt: no display is needed, and none is used if present.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("CALFTIMER_DATA_DIR", None)
