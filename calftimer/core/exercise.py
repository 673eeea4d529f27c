"""What an exercise is: the ``Exercise`` record, the enums describing it and ``Tempo``.

The entries themselves live in ``calftimer.core.catalog``; ``Tempo`` is shared with programs.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from calftimer.core.i18n import N_, _


class Mode(StrEnum):
    """How a set of the exercise is measured."""

    REPS = "reps"
    TIME = "time"
    DISTANCE = "distance"
    TEST = "test"  # to failure: runs until the user ends the set


class LoadPolicy(StrEnum):
    """Whether added weight is part of the exercise."""

    NONE = "none"
    OPTIONAL = "optional"
    EXPECTED = "expected"


class Knee(StrEnum):
    """Knee position, which decides whether gastrocnemius or soleus does most of the work."""

    STRAIGHT = "straight"
    BENT = "bent"
    VARIES = "varies"


class Muscle(StrEnum):
    GASTROCNEMIUS = "gastrocnemius"
    SOLEUS = "soleus"
    TIBIALIS = "tibialis anterior"
    FOOT = "foot and ankle stabilisers"

    @property
    def local_name(self) -> str:
        """The muscle's name in the current language (the value stays the stored English)."""
        return _(self.value)


# The values above, for extraction: they are shown through ``Muscle.local_name``.
_MUSCLE_NAMES = (
    N_("gastrocnemius"),
    N_("soleus"),
    N_("tibialis anterior"),
    N_("foot and ankle stabilisers"),
)


@dataclass(frozen=True, slots=True)
class Tempo:
    """Seconds for each phase of one repetition: up, hold at the top, down, hold at the bottom."""

    up: float
    top: float
    down: float
    bottom: float

    def rep_ms(self) -> int:
        return sum(self.phases_ms())

    def phases_ms(self) -> tuple[int, int, int, int]:
        return (
            round(self.up * 1000),
            round(self.top * 1000),
            round(self.down * 1000),
            round(self.bottom * 1000),
        )

    def label(self) -> str:
        return "/".join(_fmt_seconds(v) for v in (self.up, self.top, self.down, self.bottom))


def _fmt_seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


@dataclass(frozen=True, slots=True)
class Exercise:
    """One exercise of the catalog with its suggested defaults.

    ``default_target`` is reps for REPS and TEST (for TEST it is the cap that ends the set when
    nobody presses Enter), seconds for TIME and metres for DISTANCE.
    """

    id: str
    name: str
    muscles: tuple[Muscle, ...]
    knee: Knee
    per_side: bool
    mode: Mode
    default_sets: int
    default_target: int
    tempo: Tempo | None
    metronome_bpm: int | None
    rest_s: int
    load: LoadPolicy
    cue: str
    steps: tuple[str, ...]
    tips: tuple[str, ...]
    safety: str | None = None
    equipment: tuple[str, ...] = ()
    # Walking pace used to turn a DISTANCE target into an expected duration.
    pace_m_per_min: float | None = None
    source: str = "article"  # "article" for the six source exercises, "protocol" otherwise

    # The fields hold the English source (what CSV exports and the clips' keys use); the
    # catalog marks them with N_ and these give them in the current language.
    @property
    def local_name(self) -> str:
        return _(self.name)

    @property
    def local_cue(self) -> str:
        return _(self.cue)

    @property
    def local_steps(self) -> tuple[str, ...]:
        return tuple(_(step) for step in self.steps)

    @property
    def local_tips(self) -> tuple[str, ...]:
        return tuple(_(tip) for tip in self.tips)

    @property
    def local_safety(self) -> str | None:
        return _(self.safety) if self.safety else self.safety

    @property
    def equipment_free(self) -> bool:
        return not self.equipment

    @property
    def unit(self) -> str:
        return {Mode.REPS: "reps", Mode.TIME: "s", Mode.DISTANCE: "m", Mode.TEST: "reps"}[self.mode]
