"""Checking values read from JSON the user may have edited: one wording for every file.

Program files (``programs``), history records (``history``) and the settings file
(``settings``) each check their own fields, and each names a bad one the same way:
``<field path>: <message>`` (``blocks[2].sets: must be an integer from 1 to 20``). This module
holds what they share:

- ``Problems`` collects every problem instead of stopping at the first, and reads typed
  fields out of an object (``int_field``, ``number_field``, ``text_field``);
- predicates that answer yes or no without building a message (``is_int``, ``int_in``,
  ``number_in``, ``is_text``, ``is_time``...), cheap enough for twenty years of history;
- checks that return the message for a bad value, or None for a good one (``int_problem``,
  ``number_problem``, ``choice_problem``, ``text_problem``...) and the wording they share
  (``time_text``, ``int_text``, ``number_text``...), in the chosen language (a translation
  keeps the field path and the JSON words ``null``, ``true``, ``false`` as they are).

Types are checked exactly (``type(x) is int``): JSON gives plain ints, floats and strings, and
``True`` must not pass as 1 nor ``3.0`` as 3. A range check also refuses NaN (every comparison
with it is false), and compares before any conversion, so ``10**400`` is refused, not overflowed.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from calftimer.core.i18n import N_, _, n_
from calftimer.core.jsontext import LONE_SURROGATE_MESSAGE, field_name, has_lone_surrogate

# Real dates only. The lower bound keeps a device whose clock was reset (1970) readable; the
# upper one keeps every stored time convertible to any local time zone.
YEAR_RANGE = (1900, 2999)
UNKNOWN_FIELD_TEXT = N_("is not a known field (check the spelling)")
# What a whole number is called in a message: program files say "an integer" (the word
# docs/programs.md defines), the settings "a whole number of seconds".
WHOLE_NUMBER = "a whole number"
INTEGER = "an integer"
WHOLE_SECONDS = "a whole number of seconds"
_INT_TEXTS = {
    WHOLE_NUMBER: N_("must be a whole number from {low} to {high}"),
    INTEGER: N_("must be an integer from {low} to {high}"),
    WHOLE_SECONDS: N_("must be a whole number of seconds from {low} to {high}"),
}
_YEARS = (f"{YEAR_RANGE[0]:04d}", f"{YEAR_RANGE[1]:04d}")


# ------------------------------------------------------------------------------ predicates


def is_int(value: Any) -> bool:
    """A JSON whole number (not ``true``, not ``3.0``)."""
    return type(value) is int


def is_number(value: Any) -> bool:
    """A finite JSON number, whole or not."""
    kind = type(value)
    return kind is int or (kind is float and math.isfinite(value))


def int_in(value: Any, low: int, high: float) -> bool:
    """A whole number from ``low`` to ``high``."""
    return type(value) is int and low <= value <= high


def number_in(value: Any, low: float, high: float) -> bool:
    """A finite number from ``low`` to ``high``."""
    return is_number(value) and low <= value <= high


def is_text(value: Any) -> bool:
    """A text that can be written as UTF-8 (no lone surrogate such as ``\\ud800``)."""
    return type(value) is str and not has_lone_surrogate(value)


def is_one_of(value: Any, options: Collection[Any]) -> bool:
    """``value`` is one of ``options``, of the same type (``true`` is not 1)."""
    return any(type(value) is type(option) and value == option for option in options)


def is_time(value: Any) -> bool:
    """An extended ISO 8601 date and time (``2026-11-27T07:12:03.123+00:00``) that exists, in
    ``YEAR_RANGE``, with a UTC offset. The shape matters: the month file of a session is the
    text's first 7 characters. (``fromisoformat`` is C code: this is as fast as a shape check
    in Python.)"""
    try:
        return (
            type(value) is str
            and _YEARS[0] <= value[:4] <= _YEARS[1]
            and value[4] == "-"
            and value[10] == "T"
            and datetime.fromisoformat(value).tzinfo is not None
        )
    except (ValueError, IndexError):  # not a date that exists; too short
        return False


# -------------------------------------------------------------------------------- wording


def choices_text(options: Sequence[Any]) -> str:
    """``"a", "b" or "c"``: each option as it is written in JSON."""
    quoted = [json.dumps(option) for option in options]
    if len(quoted) == 1:
        return quoted[0]
    # Translators: the end of a list of choices: '"a", "b" or "c"' ({first} is '"a", "b"').
    return _("{first} or {last}").format(first=", ".join(quoted[:-1]), last=quoted[-1])


def choice_text(options: Sequence[Any]) -> str:
    """``must be "a", "b" or "c"``."""
    return _("must be {choices}").format(choices=choices_text(options))


def time_text(*, null: bool = False) -> str:
    """What a date and time field must hold (``null``: or be null)."""
    if null:
        template = _(
            "must be null or a real date and time from {first} to {last} with a UTC offset"
        )
    else:
        template = _("must be a real date and time from {first} to {last} with a UTC offset")
    return template.format(first=YEAR_RANGE[0], last=YEAR_RANGE[1])


def int_text(low: int, high: float, what: str = WHOLE_NUMBER, *, null: bool = False) -> str:
    """``must be a whole number from 0 to 10`` (``what``: WHOLE_NUMBER, INTEGER or
    WHOLE_SECONDS; ``null``: or be null)."""
    if null:
        if what != WHOLE_NUMBER:
            raise ValueError(f"no 'null or' wording for {what!r}")
        template = _("must be null or a whole number from {low} to {high}")
    else:
        template = _(_INT_TEXTS[what])
    return template.format(low=low, high=high)


def number_text(low: float, high: float, *, null: bool = False) -> str:
    """``must be a number from 0 to 30`` (``null``: or be null)."""
    if null:
        template = _("must be null or a number from {low} to {high}")
    else:
        template = _("must be a number from {low} to {high}")
    return template.format(low=f"{low:g}", high=f"{high:g}")


def is_range_message(message: str) -> bool:
    """``message`` says a number must be in a range (``int_text`` with INTEGER, or
    ``number_text``), in the chosen language: the program editor words those in the field's
    own unit."""
    for template in (_(_INT_TEXTS[INTEGER]), _("must be a number from {low} to {high}")):
        parts = re.split(r"\{\w+\}", template)
        if re.fullmatch(r"\S+".join(re.escape(part) for part in parts), message):
            return True
    return False


# ---------------------------------------------------------------------- checks with a message


def int_problem(value: Any, low: int, high: float, what: str = WHOLE_NUMBER) -> str | None:
    """Why ``value`` is not a whole number from ``low`` to ``high``, or None. Program files
    say ``what="an integer"`` (the word ``docs/programs.md`` defines)."""
    return None if int_in(value, low, high) else int_text(low, high, what)


def number_problem(value: Any, low: float, high: float) -> str | None:
    return None if number_in(value, low, high) else number_text(low, high)


def bool_problem(value: Any) -> str | None:
    return None if type(value) is bool else _("must be true or false")


def choice_problem(value: Any, options: Sequence[Any]) -> str | None:
    return None if is_one_of(value, options) else choice_text(options)


def text_problem(value: Any, expected: str | None = None) -> str | None:
    """``expected`` (by default "must be a text") if ``value`` is not a text; the
    lone-surrogate message if it holds one."""
    if type(value) is not str:
        return _("must be a text") if expected is None else expected
    return _(LONE_SURROGATE_MESSAGE) if has_lone_surrogate(value) else None


# ------------------------------------------------------------------------------ collector


class Problems:
    """Every problem found, as ``<field path>: <message>``, instead of stopping at the first.

    The ``*_field`` methods read one field of an object: a missing field gives ``default``
    (or, when ``required``, the problem "is missing"), a bad one adds its problem and gives
    ``default`` too, so the caller can go on and find the next problem.
    """

    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: list[str] = []

    def __len__(self) -> int:
        return len(self.items)

    def add(self, path: str, message: str) -> None:
        self.items.append(f"{path}: {message}" if path else message)

    def note(self, path: str, message: str | None) -> bool:
        """Add ``message`` if there is one; True when there was none (the value is good)."""
        if message is None:
            return True
        self.add(path, message)
        return False

    def unknown_keys(self, obj: Mapping[str, Any], path: str, known: Collection[str]) -> None:
        for key in obj:
            if key not in known:
                name = field_name(key)  # quoted if odd, so a newline cannot garble the message
                self.add(field_path(path, name), _(UNKNOWN_FIELD_TEXT))

    def int_field(
        self,
        obj: Mapping[str, Any],
        key: str,
        path: str,
        bounds: tuple[int, int],
        default: int | None,
        *,
        what: str = WHOLE_NUMBER,
    ) -> int | None:
        if key not in obj:
            return default
        value = obj[key]
        ok = self.note(path, int_problem(value, *bounds, what=what))
        return int(value) if ok else default

    def number_field(
        self,
        obj: Mapping[str, Any],
        key: str,
        path: str,
        bounds: tuple[float, float],
        default: float | None,
        *,
        required: bool = False,
    ) -> float | None:
        if key not in obj:
            if required:
                self.add(path, _("is missing"))
            return default
        value = obj[key]
        return float(value) if self.note(path, number_problem(value, *bounds)) else default

    def text_field(
        self, obj: Mapping[str, Any], key: str, path: str, *, max_len: int, optional: bool = False
    ) -> str | None:
        """A text that is not blank (``optional``: or is missing, null or ``""``, given as
        it is) of at most ``max_len`` characters."""
        value = obj.get(key)
        if optional and (value is None or value == ""):
            return value
        if type(value) is not str or not value.strip():
            self.add(path, _("must be a non-empty text"))
        elif self.note(path, text_problem(value)):
            if len(value) <= max_len:
                return value
            self.add(
                path,
                n_(
                    "must be at most {n} character", "must be at most {n} characters", max_len
                ).format(n=max_len),
            )
        return None


def field_path(path: str, key: str) -> str:
    """``blocks[0]`` and ``sets`` give ``blocks[0].sets``; an empty path gives the key."""
    return f"{path}.{key}" if path else key
