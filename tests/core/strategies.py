"""Hypothesis strategies for random programs (kept small so a run stays fast)."""

from __future__ import annotations

from hypothesis import strategies as st

from calftimer.core.catalog import CATALOG
from calftimer.core.exercise import Mode, Tempo
from calftimer.core.programs import Block, Program, Sides, allowed_modes
from calftimer.core.timeline import CompileOptions

half_seconds = st.integers(0, 6).map(lambda n: n / 2)


@st.composite
def tempos(draw: st.DrawFn) -> Tempo:
    tempo = Tempo(draw(half_seconds), draw(half_seconds), draw(half_seconds), draw(half_seconds))
    if tempo.rep_ms() < 500:
        tempo = Tempo(tempo.up + 1, tempo.top, tempo.down, tempo.bottom)
    return tempo


@st.composite
def blocks(draw: st.DrawFn) -> Block:
    ex = CATALOG[draw(st.sampled_from(sorted(CATALOG)))]
    mode = draw(st.sampled_from(allowed_modes(ex)))
    if ex.per_side:
        sides = draw(st.sampled_from([Sides.LEFT_RIGHT, Sides.RIGHT_LEFT, Sides.LEFT, Sides.RIGHT]))
    else:
        sides = Sides.BOTH
    bpm = ex.metronome_bpm
    tempo = None
    if mode is Mode.REPS:
        if bpm is None or draw(st.booleans()):
            tempo = draw(tempos()) if ex.tempo is not None or bpm is None else None
        if tempo is not None and draw(st.booleans()):
            bpm = draw(st.integers(30, 240))
    if mode is Mode.TEST or (mode is Mode.REPS and tempo is None):
        bpm = draw(st.integers(30, 240))
    target = {
        Mode.REPS: st.integers(1, 6),
        Mode.TEST: st.integers(1, 6),
        Mode.TIME: st.integers(1, 45),
        Mode.DISTANCE: st.integers(1, 12),
    }[mode]
    return Block(
        exercise_id=ex.id,
        sets=draw(st.integers(1, 3)),
        target=draw(target),
        mode=mode,
        tempo=tempo,
        sides=sides,
        rest_s=draw(st.integers(0, 40)),
        rest_after_s=draw(st.integers(0, 40)),
        switch_s=draw(st.integers(0, 12)),
        load_kg=0.0,
        metronome_bpm=bpm,
    )


programs = st.builds(
    Program,
    id=st.just("random"),
    name=st.just("Random program"),
    description=st.just(""),
    blocks=st.lists(blocks(), min_size=1, max_size=4).map(tuple),
)

compile_options = st.builds(
    CompileOptions,
    countdown_s=st.integers(0, 5),
    prepare_s=st.integers(0, 12),
)
