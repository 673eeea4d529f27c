"""Reading a heel-rise endurance test: symmetry, norms, targets and what a change means.

Facts from ``../shared/domain.md`` ("Heel-rise test: how to read a result"): single-leg raises
to failure at 60 bpm; norms by sex and age decade (Hébert-Losier 2017, approximate); capacity
targets of 25 or 30 per leg; the limb symmetry index (weaker / stronger x 100) with green
(>= 90 %), amber (80-89 %) and red (< 80 %) bands; and a retest noise of about 6 reps. The
texts are suggestions, never a diagnosis.
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
        lines.append(f"{leg} leg: {reps} raises, {verdict} the target of {target}.")
    if lsi is not None and band is not None:
        meaning = {
            "green": "the legs are well matched",
            "amber": "the weaker leg lags a little",
            "red": "the weaker leg lags clearly; worth working on",
        }[band]
        lines.append(f"Symmetry {lsi:.0f} % ({band}): {meaning}.")
    norm = norm_for(sex, age_band)
    if norm is not None:
        who = f"{'women' if sex == 'female' else 'men'}" + (
            f" in their {age_band}" if age_band in AGE_BANDS else ""
        )
        both = (left + right) / 2
        compare = "above" if both > norm else "below" if both < norm else "at"
        lines.append(f"Typical for {who}: about {norm} per leg; your average is {compare} that.")
    if previous is not None:
        for leg, now, before in (("left", left, previous[0]), ("right", right, previous[1])):
            change = now - before
            if change:
                note = " (under about 6 reps: may be noise)" if abs(change) < NOISE_REPS else ""
                lines.append(f"Since the last test, {leg} {change:+d}{note}.")
    lines.append(DISCLAIMER)
    return Reading(left, right, lsi, band, target, passed, norm, tuple(lines))
