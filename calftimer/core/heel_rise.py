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

from calftimer.core.i18n import N_, _, format_number, n_

SEXES: tuple[str, ...] = ("female", "male")
AGE_BANDS: tuple[str, ...] = ("20s", "30s", "40s", "50s", "60s", "70s")
# Translators: an age decade, as in "women in their 30s"; shown alone in Settings too.
AGE_BAND_NAMES: Mapping[str, str] = {
    "20s": N_("20s"),
    "30s": N_("30s"),
    "40s": N_("40s"),
    "50s": N_("50s"),
    "60s": N_("60s"),
    "70s": N_("70s"),
}
TARGETS: tuple[int, ...] = (25, 30)
NOISE_REPS = 6  # retest noise: a smaller change may not be real
MEDIAN: Mapping[str, int] = {"male": 24, "female": 21}
NORMS: Mapping[tuple[str, str], int] = {
    **{("male", band): n for band, n in zip(AGE_BANDS, (37, 32, 28, 23, 19, 14), strict=True)},
    **{("female", band): n for band, n in zip(AGE_BANDS, (30, 27, 24, 21, 19, 16), strict=True)},
}
# The symmetry bands in words (the results screen shows the colour and the word).
BAND_NAMES: Mapping[str, str] = {"green": N_("green"), "amber": N_("amber"), "red": N_("red")}
DISCLAIMER = N_("Not medical advice. See a clinician for persistent pain.")


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
    method: str  # N_-marked: shown through _()

    @property
    def short(self) -> str:
        """``"Hébert-Losier et al. 2017"``: what a result line names."""
        # Translators: a citation: "Hébert-Losier et al. 2017".
        return _("{author} et al. {year}").format(author=self.first_author, year=self.year)

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
    method=N_("adults aged 20 to 81, one leg at a time to fatigue on a 10° incline"),
)
SOURCE_2025 = NormSource(
    year=2025,
    first_author="Sleeswijk Visser",
    authors="Sleeswijk Visser, O'Neill, Hébert-Losier et al.",
    journal="Braz J Phys Ther",
    volume="",
    doi="10.1016/j.bjpt.2025.101188",
    people=500,
    method=N_("healthy adults, one leg at a time on a 10° incline at 60 beats per minute"),
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
        _(
            "{year}, {people} {method}: median {dominant} raises on the dominant leg and "
            "{other} on the other."
        ).format(
            year=SOURCE_2025.year,
            people=SOURCE_2025.people,
            method=_(SOURCE_2025.method),
            dominant=MEDIAN_2025["dominant"],
            other=MEDIAN_2025["non-dominant"],
        ),
        SOURCE_2025,
        compared=not profile,
    )
    by_age = ", ".join(
        f"{_(AGE_BAND_NAMES[band])} {NORMS[('male', band)]}/{NORMS[('female', band)]}"
        for band in AGE_BANDS
    )
    older_text = _(
        "{year}, {people} {method}: median men {men}, women {women}; by age (men/women, "
        "about) {by_age}."
    ).format(
        year=SOURCE_2017.year,
        people=SOURCE_2017.people,
        method=_(SOURCE_2017.method),
        men=MEDIAN["male"],
        women=MEDIAN["female"],
        by_age=by_age,
    )
    if profile:
        older_text += " " + _("For {who}: about {norm}.").format(
            who=_who(sex, age_band), norm=norm_for(sex, age_band)
        )
    return (newer, Norm(older_text, SOURCE_2017, compared=profile))


def _who(sex: str, age_band: str) -> str:
    """``women``, ``men in their 40s``: whom a typical result is for."""
    if age_band not in AGE_BANDS:
        return _("women") if sex == "female" else _("men")
    decade = _(AGE_BAND_NAMES[age_band])
    if sex == "female":
        return _("women in their {decade}").format(decade=decade)
    return _("men in their {decade}").format(decade=decade)


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
    for leg, reps in (("left", left), ("right", right)):
        lines.append(_leg_line(leg, reps, target))
    if lsi is not None and band is not None:
        meaning = {
            "green": _("Symmetry {percent} % (green): the legs are well matched."),
            "amber": _("Symmetry {percent} % (amber): the weaker leg lags a little."),
            "red": _("Symmetry {percent} % (red): the weaker leg lags clearly; worth working on."),
        }[band]
        lines.append(meaning.format(percent=format_number(lsi, grouping=False)))
    norm = norm_for(sex, age_band)
    if norm is not None:
        both = (left + right) / 2
        if both > norm:
            template = _(
                "Typical for {who}: about {norm} per leg ({source}); your average is above that."
            )
        elif both < norm:
            template = _(
                "Typical for {who}: about {norm} per leg ({source}); your average is below that."
            )
        else:
            template = _(
                "Typical for {who}: about {norm} per leg ({source}); your average is at that."
            )
        lines.append(template.format(who=_who(sex, age_band), norm=norm, source=SOURCE_2017.short))
    else:
        # No profile: the newer medians, which need none. Which leg is dominant is not known,
        # so both legs are compared with the pair.
        high, low = MEDIAN_2025["dominant"], MEDIAN_2025["non-dominant"]
        if min(left, right) >= high:
            template = _(
                "Typical for healthy adults: about {high} on the dominant leg and {low} on the "
                "other ({source}); both legs are at or above that."
            )
        elif max(left, right) < low:
            template = _(
                "Typical for healthy adults: about {high} on the dominant leg and {low} on the "
                "other ({source}); both legs are below that."
            )
        else:
            template = _(
                "Typical for healthy adults: about {high} on the dominant leg and {low} on the "
                "other ({source}); your legs are around that."
            )
        lines.append(template.format(high=high, low=low, source=SOURCE_2025.short))
    if previous is not None:
        for leg, now, before in (("left", left, previous[0]), ("right", right, previous[1])):
            change = now - before
            if change:
                lines.append(_change_line(leg, change))
    lines.append(_(DISCLAIMER))
    return Reading(left, right, lsi, band, target, passed, norm, tuple(lines), norms(sex, age_band))


def _leg_line(leg: str, reps: int, target: int) -> str:
    """``Left leg: 22 raises, is 3 short of the target of 25.``"""
    raises = n_("{n} raise", "{n} raises", reps).format(n=reps)
    if reps >= target:
        if leg == "left":
            template = _("Left leg: {raises}, reaches the target of {target}.")
        else:
            template = _("Right leg: {raises}, reaches the target of {target}.")
    elif leg == "left":
        template = _("Left leg: {raises}, is {short} short of the target of {target}.")
    else:
        template = _("Right leg: {raises}, is {short} short of the target of {target}.")
    return template.format(raises=raises, short=target - reps, target=target)


def _change_line(leg: str, change: int) -> str:
    """``Since the last test, left +4 (under about 6 reps: may be noise).``"""
    noise = abs(change) < NOISE_REPS
    if leg == "left":
        template = (
            _("Since the last test, left {change} (under about 6 reps: may be noise).")
            if noise
            else _("Since the last test, left {change}.")
        )
    elif noise:
        template = _("Since the last test, right {change} (under about 6 reps: may be noise).")
    else:
        template = _("Since the last test, right {change}.")
    return template.format(change=f"{change:+d}")
