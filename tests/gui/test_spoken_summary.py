"""The spoken end of a session counts what the summary on screen counts, for every program.

The driver hands out a session's last cues ("session complete") in the same wake-up that
completes its last set; the phrase must count that set too (it once said "9 sets" under a
summary of 10)."""

from __future__ import annotations

import re

import pytest

from calftimer.core.programs import BUILTIN_BY_ID
from tests.gui.fakes import T0, RecordingOutput
from tests.gui.helpers import advance_by_deadlines


def first_total(text: str, unit: str) -> int | None:
    match = re.search(rf"(\d+) {unit}s?\b", text)
    return int(match[1]) if match else None


@pytest.mark.parametrize("program_id", sorted(BUILTIN_BY_ID))
def test_the_spoken_summary_counts_what_the_screen_shows(window, clock, timers, program_id):
    output = RecordingOutput(clock)
    window.attach_audio(output)
    window.session.start(BUILTIN_BY_ID[program_id])
    timeline = window.session.timeline
    advance_by_deadlines(window.session, clock, T0 + timeline.duration_ms, timers)
    assert window.session_view.summary_label.text() != ""

    spoken = [text for _, text in output.spoken if text.startswith("Session complete.")]
    assert len(spoken) == 1, output.spoken[-3:]
    summary = window.session_view.summary_label.text()  # "10 sets · 450 s ..."
    unit = "rep" if first_total(spoken[0], "rep") is not None else "set"
    assert first_total(spoken[0], unit) == first_total(summary, unit), (spoken[0], summary)
