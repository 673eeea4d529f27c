"""Shared test setup: Qt runs offscreen, and nothing touches the user's real data folder."""

import os

# Set before any test module imports Qt: no display is needed, and none is used if present.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("CALFTIMER_DATA_DIR", None)

from hypothesis import settings

# Deterministic by default so CI never flakes on a newly found example; set
# CALFTIMER_HYPOTHESIS=explore locally to search with fresh random seeds.
settings.register_profile("deterministic", derandomize=True, database=None, deadline=None)
settings.register_profile("explore", deadline=None, max_examples=1000)
settings.load_profile(os.environ.get("CALFTIMER_HYPOTHESIS", "deterministic"))
