"""Reading a heel-rise endurance test: symmetry, norms, targets and what a change means.

Facts from ``../shared/domain.md`` ("Heel-rise test: how to read a result"): single-leg raises
to failure at 60 bpm; two published sets of norms, each shown with its source: by sex and age
decade (Hébert-Losier et al. 2017, n = 566, approximate) and for healthy adults by leg
(Sleeswijk Visser, O'Neill, Hébert-Losier et al. 2025, n = 500: median 25 on the dominant leg,
24 on the other). The result is compared with the 2017 figure for the user's sex and age when
they gave them in Settings, otherwise with the newer 2025 medians. Also: capacity targets of 25
or 30 per leg; the limb symmetry index (weaker / stronger x 100) with green (>= 90 %), amber
(80-89 %) and red (< 80 %) bands; and a retest noise of about 6 reps. The texts are
suggestions, never a diagnosis.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

SEXES: tuple[str, ...] = ("female", "male")
AGE_BANDS: tuple[str, ...] = ("20s", "30s", "40s", "50s", "60s", "70s")
TARGETS: tuple[int, ...] = (25, 30)
NOISE_REPS = 6  # retest noise: a smaller change may not be real
MEDIAN: Mapping[str, int] = {"male": 24, "female": 21}
NORMS: Mapping[tuple[str, str], int] = {
    **{("male", band): n for band, n in zip(AGE_BANDS, (37, 32, 28, 23, 19, 14), strict=True)},
    **{("female", band): n for band, n in zip(AGE_BANDS, (30, 27, 24, 21, 19, 16), strict=True)},
}
DISCLAIMER = "Not medical advice. See a clinician for persistent pain."


@dataclass(frozen=True, slots=True)
class NormSource:
    """A published set of heel-rise norms: who measured them, how, and where to read them."""

    year: int
    first_author: str
    authors: str
    journal: str
    volume: str  # "103(4):446-452", or "" when not given
    doi: str
    people: int
    method: str

    @property
    def short(self) -> str:
        """``"Hébert-Losier et al. 2017"``: what a result line names."""
        return f"{self.first_author} et al. {self.year}"

    @property
    def reference(self) -> str:
        """Authors, journal, year (and volume): the citation without the DOI."""
        volume = f";{self.volume}" if self.volume else ""
        return f"{self.authors}, {self.journal} {self.year}{volume}"

    @property
    def citation(self) -> str:
        return f"{self.reference}, doi:{self.doi}"


SOURCE_2017 = NormSource(
    year=2017,
    first_author="Hébert-Losier",
    authors="Hébert-Losier, Wessman, Alricsson, Svantesson",
    journal="Physiotherapy",
    volume="103(4):446-452",
    doi="10.1016/j.physio.2017.03.002",
    people=566,
    method="adults aged 20 to 81, one leg at a time to fatigue on a 10° incline",
)
SOURCE_2025 = NormSource(
    year=2025,
    first_author="Sleeswijk Visser",
    authors="Sleeswijk Visser, O'Neill, Hébert-Losier et al.",
    journal="Braz J Phys Ther",
    volume="",
    doi="10.1016/j.bjpt.2025.101188",
    people=500,
    method="healthy adults, one leg at a time on a 10° incline at 60 beats per minute",
)
# The 2025 medians by leg: the dominant one, and the other.
MEDIAN_2025: Mapping[str, int] = {"dominant": 25, "non-dominant": 24}


@dataclass(frozen=True, slots=True)
class Norm:
    """One line of typical results, with the source it comes from."""

    text: str
    source: NormSource
    compared: bool  # the one the result is compared with


def norms(sex: str = "", age_band: str = "") -> tuple[Norm, ...]:
    """Both sets of norms, the newer first; the one the result is compared with is marked:
    the 2017 figure for the user's sex (and age) when given, otherwise the 2025 medians."""
    profile = norm_for(sex, age_band) is not None
    newer = Norm(
        f"{SOURCE_2025.year}, {SOURCE_2025.people} {SOURCE_2025.method}: median "
        f"{MEDIAN_2025['dominant']} raises on the dominant leg and "
        f"{MEDIAN_2025['non-dominant']} on the other.",
        SOURCE_2025,
        compared=not profile,
    )
    by_age = ", ".join(
        f"{band} {NORMS[('male', band)]}/{NORMS[('female', band)]}" for band in AGE_BANDS
    )
    older_text = (
        f"{SOURCE_2017.year}, {SOURCE_2017.people} {SOURCE_2017.method}: median men "
        f"{MEDIAN['male']}, women {MEDIAN['female']}; by age (men/women, about) {by_age}."
    )
    if profile:
        older_text += f" For {_who(sex, age_band)}: about {norm_for(sex, age_band)}."
    return (newer, Norm(older_text, SOURCE_2017, compared=profile))


def _who(sex: str, age_band: str) -> str:
    return f"{'women' if sex == 'female' else 'men'}" + (
        f" in their {age_band}" if age_band in AGE_BANDS else ""
    )


def limb_symmetry(left: int, right: int) -> float | None:
    """Weaker / stronger x 100, or None when neither leg did a rep."""
    stronger = max(left, right)
    return None if stronger <= 0 else min(left, right) / stronger * 100


def symmetry_band(lsi: float) -> str:
    """ "green" (>= 90 %), "amber" (80-89 %) or "red" (< 80 %)."""
    if lsi >= 90:
        return "green"
    return "amber" if lsi >= 80 else "red"


def norm_for(sex: str, age_band: str) -> int | None:
    """The typical count for ``sex`` in ``age_band``; the median of the sex without an age;
    None without a sex."""
    if sex not in SEXES:
        return None
    return NORMS.get((sex, age_band), MEDIAN[sex])


@dataclass(frozen=True, slots=True)
class Reading:
    """A test result read for the user: numbers plus sentences to show."""

    left: int
    right: int
    lsi: float | None
    band: str | None
    target: int
    passed: dict[str, bool]
    norm: int | None
    lines: tuple[str, ...]
    norms: tuple[Norm, ...]  # typical results from each source, for the user to read


def read_result(
    left: int,
    right: int,
    *,
    target: int = 25,
    sex: str = "",
    age_band: str = "",
    previous: tuple[int, int] | None = None,
) -> Reading:
    """Everything the results screen says about a test of ``left`` and ``right`` reps."""
    lsi = limb_symmetry(left, right)
    band = None if lsi is None else symmetry_band(lsi)
    passed = {"left": left >= target, "right": right >= target}
    lines = []
    for leg, reps in (("Left", left), ("Right", right)):
        verdict = "reaches" if reps >= target else f"is {target - reps} short of"
        lines.append(f"{leg} leg: {_raises(reps)}, {verdict} the target of {target}.")
    if lsi is not None and band is not None:
        meaning = {
            "green": "the legs are well matched",
            "amber": "the weaker leg lags a little",
            "red": "the weaker leg lags clearly; worth working on",
        }[band]
        lines.append(f"Symmetry {lsi:.0f} % ({band}): {meaning}.")
    norm = norm_for(sex, age_band)
    if norm is not None:
        both = (left + right) / 2
        compare = "above" if both > norm else "below" if both < norm else "at"
        lines.append(
            f"Typical for {_who(sex, age_band)}: about {norm} per leg ({SOURCE_2017.short}); "
            f"your average is {compare} that."
        )
    else:
        # No profile: the newer medians, which need none. Which leg is dominant is not known,
        # so both legs are compared with the pair.
        high, low = MEDIAN_2025["dominant"], MEDIAN_2025["non-dominant"]
        if min(left, right) >= high:
            compare = "both legs are at or above that"
        elif max(left, right) < low:
            compare = "both legs are below that"
        else:
            compare = "your legs are around that"
        lines.append(
            f"Typical for healthy adults: about {high} on the dominant leg and {low} on the "
            f"other ({SOURCE_2025.short}); {compare}."
        )
    if previous is not None:
        for leg, now, before in (("left", left, previous[0]), ("right", right, previous[1])):
            change = now - before
            if change:
                note = " (under about 6 reps: may be noise)" if abs(change) < NOISE_REPS else ""
                lines.append(f"Since the last test, {leg} {change:+d}{note}.")
    lines.append(DISCLAIMER)
    return Reading(left, right, lsi, band, target, passed, norm, tuple(lines), norms(sex, age_band))


def _raises(n: int) -> str:
    return f"{n} raise{'' if n == 1 else 's'}"
