"""Decoding and encoding JSON files the user may have edited, with one clear message for what
is wrong.

Shared by program files, history files, backups and settings, so every file says "not valid
JSON: <what> at line L, column C" the same way, and so every file calftimer writes can be read
back by calftimer. Two kinds of value parse as JSON but cannot be kept: a number too large for
a float (``1e999`` becomes infinity, which JSON cannot write back) and a lone UTF-16 surrogate
(``"\\ud800"``, which UTF-8 cannot encode). ``decode_json`` refuses both and names the field that
holds them; ``decode_json(..., lenient=True)`` lets them through for a caller that sets the records
holding them aside one by one (``unusable_values`` finds them) instead of refusing the file.
``encode_json`` refuses to produce bytes that ``decode_json`` would refuse.

Every file calftimer reads holds one JSON object, read the same way: at most a size limit,
decoded as above, and refused unless it is an object. ``read_json_object`` (a path the user
controls, read through ``calftimer.core.userfile``) and ``decode_json_object`` (bytes in hand)
do that and raise one ``JsonObjectError``, whose ``why`` lets each caller say it in its own
terms (a backup that is not an object, a settings file moved aside...).
"""

from __future__ import annotations

import errno as errno_module
import json
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from calftimer.core.i18n import N_, _, format_number
from calftimer.core.userfile import UserFileError, format_size, read_user_file


class JsonTextError(ValueError):
    """Why the bytes are not usable JSON; ``str(error)`` is the message for the user.

    ``problems`` lists ``<field path>: <message>`` when the JSON parsed but holds values that
    cannot be kept (the path is empty for the document itself)."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or [message]


class UnwritableValueError(ValueError):
    """A value that JSON (or UTF-8) cannot hold; ``problems`` name each field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems[:3]))
        self.problems = problems


# Surrogates reach decoded text only through \uD800-\uDFFF escapes (UTF-8 cannot carry them).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_INFINITIES = (math.inf, -math.inf)
_SHOWN = 20


def _reject_constant(name: str) -> Any:
    raise ValueError(_("{name} is not allowed").format(name=name))


def _accept_constant(name: str) -> float:
    return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}[name]


def decode_json(
    raw: bytes | str,
    *,
    object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None,
    lenient: bool = False,
    allow_constants: bool = False,
) -> Any:
    """Parse UTF-8 JSON text (a byte-order mark is accepted).

    Refused with JsonTextError: NaN and Infinity, numbers too large for a float, and lone
    surrogates in any text or key, each named by its field path. With ``lenient`` the last two
    are returned as they are (an infinity, a string with a surrogate) for a caller that checks
    every value itself (``unusable_values``, or a validator); ``allow_constants`` also lets
    NaN and Infinity through (an older calftimer wrote ``Infinity`` into history files).
    """
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        raise JsonTextError(_("not UTF-8 text (byte {offset})").format(offset=exc.start)) from exc
    overflowed: list[str] = []  # the text of each number too large for a float

    def parse_float(literal: str) -> float:
        value = float(literal)
        if value in _INFINITIES:
            overflowed.append(literal)
        return value

    try:
        doc = json.loads(
            text,
            parse_float=parse_float,
            parse_constant=_accept_constant if allow_constants else _reject_constant,
            object_pairs_hook=object_pairs_hook,
        )
    except RecursionError as exc:
        raise JsonTextError(_("not valid JSON: nested too deeply")) from exc
    except json.JSONDecodeError as exc:
        # Translators: {reason} is Python's own English wording ("Expecting ',' delimiter").
        raise JsonTextError(
            _("not valid JSON: {reason} at line {line}, column {column}").format(
                reason=exc.msg, line=exc.lineno, column=exc.colno
            )
        ) from exc
    except ValueError as exc:  # a constant refused, or an integer of more than 4300 digits
        message = str(exc)
        if "integer string conversion" in message:
            message = _("a whole number has more than 4300 digits")
        raise JsonTextError(_("not valid JSON: {reason}").format(reason=_short(message))) from exc
    if lenient:
        return doc
    # Both are rare: only then are the values walked, to name the field that holds them.
    if overflowed or _SURROGATE_ESCAPE.search(text):
        problems = unusable_values(doc)
        if problems:
            raise JsonTextError(_join(problems), problems)
    return doc


def unusable_values(value: Any, path: str = "") -> list[str]:
    """Every number that is not finite and every text or key with a lone surrogate inside
    ``value``, as ``<field path>: <message>`` (``sessions[3].note: ...``)."""
    problems: list[str] = []
    _walk(value, path, problems)
    return problems


def _walk(value: Any, path: str, problems: list[str]) -> None:
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            name = field_name(key)
            where = f"{path}.{name}" if path else name
            if type(key) is str and _LONE_SURROGATE.search(key):
                problems.append(f"{where}: {_(LONE_SURROGATE_KEY_MESSAGE)}")
            _walk(item, where, problems)
    elif kind is list:
        for i, item in enumerate(value):
            _walk(item, f"{path}[{i}]", problems)
    elif kind is float:
        if not math.isfinite(value):
            problems.append(f"{path or _document()}: {_(NON_FINITE_TEXT)}")
    elif kind is str and _LONE_SURROGATE.search(value):
        problems.append(f"{path or _document()}: {_(LONE_SURROGATE_MESSAGE)}")


def _document() -> str:
    """The field path of a whole document (a bare value that is not finite)."""
    return _("the document")


# Marked here, translated where a message is built (N_ keeps the English for tests and logs).
NON_FINITE_TEXT = N_("must be a finite number, not Infinity, NaN or one too large to store (1e999)")
LONE_SURROGATE_MESSAGE = N_(
    "the text holds a lone surrogate (an escape like \\ud800 without its pair), which is not a "
    "character"
)
LONE_SURROGATE_KEY_MESSAGE = N_(
    "the field name holds a lone surrogate (an escape like \\ud800 without its pair), which is "
    "not a character"
)


def field_name(key: Any) -> str:
    """A field's name for a message: as it is when it is a plain word (in any script),
    quoted as JSON otherwise, so a space, a newline or a surrogate in it cannot garble the
    message."""
    if type(key) is str and re.fullmatch(r"[\w$-]{1,60}", key):
        return key
    return json.dumps(str(key))[:60]


def has_lone_surrogate(text: str) -> bool:
    return _LONE_SURROGATE.search(text) is not None


def encode_json(
    value: Any,
    *,
    indent: int | None = None,
    separators: tuple[str, str] | None = None,
) -> bytes:
    """UTF-8 JSON of ``value`` that ``decode_json`` reads back (no NaN or infinity, no lone
    surrogate); raises UnwritableValueError naming the field otherwise, and nothing is made."""
    try:
        text = json.dumps(
            value, ensure_ascii=False, allow_nan=False, indent=indent, separators=separators
        )
        return text.encode("utf-8")
    except (ValueError, UnicodeEncodeError) as exc:
        problems = unusable_values(value)
        raise UnwritableValueError(problems or [str(exc)]) from exc


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _join(problems: list[str]) -> str:
    shown = "; ".join(problems[:_SHOWN])
    more = len(problems) - _SHOWN
    return shown + (f"; and {more} more" if more > 0 else "")


# ------------------------------------------------------------------------- one JSON object

ObjectWhy = Literal["os", "type", "format", "size", "json", "object"]


class JsonObjectError(ValueError):
    """A file or bytes that do not hold a usable JSON object.

    ``why`` says what went wrong: ``"os"``, ``"type"`` or ``"format"`` (the file could not be
    read, see ``UserFileError``), ``"size"`` (over the limit), ``"json"`` (not valid JSON, or
    values that cannot be kept: ``problems`` names each field) or ``"object"`` (valid JSON, but
    not an object). ``problem`` is one line for the user, without the file's name; ``raw``
    holds the bytes when they were read (a caller may look at what the file really is).
    """

    def __init__(
        self,
        why: ObjectWhy,
        problem: str,
        problems: list[str] | None = None,
        *,
        raw: bytes | None = None,
        errno: int | None = None,
    ) -> None:
        super().__init__(problem)
        self.why = why
        self.problem = problem
        self.problems = problems or [problem]
        self.raw = raw
        self.errno = errno

    @property
    def missing(self) -> bool:
        """The file does not exist (which is often fine: nothing saved yet)."""
        return self.why == "os" and self.errno == errno_module.ENOENT


def decode_json_object(
    raw: bytes | str,
    *,
    limit: int | None = None,
    lenient: bool = False,
    allow_constants: bool = False,
    object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None,
) -> dict[str, Any]:
    """The JSON object in ``raw``: at most ``limit`` bytes, decoded with ``decode_json`` (and
    its options); raises JsonObjectError otherwise."""
    if limit is not None and len(raw) > limit:
        size = len(raw.encode("utf-8", "surrogatepass")) if isinstance(raw, str) else len(raw)
        if size > limit:
            raise JsonObjectError(
                "size",
                _("is {size} bytes; the limit is {limit}").format(
                    size=format_number(size), limit=format_size(limit)
                ),
                raw=_bytes(raw),
            )
    try:
        doc = decode_json(
            raw,
            object_pairs_hook=object_pairs_hook,
            lenient=lenient,
            allow_constants=allow_constants,
        )
    except JsonTextError as exc:
        raise JsonObjectError("json", str(exc), exc.problems, raw=_bytes(raw)) from exc
    if type(doc) is not dict:
        raise JsonObjectError("object", _("must hold a JSON object"), raw=_bytes(raw))
    return doc


def _bytes(raw: bytes | str) -> bytes | None:
    return raw if isinstance(raw, bytes) else None


def read_json_object(
    path: Path,
    limit: int,
    *,
    decompress: bool = False,
    lenient: bool = False,
    allow_constants: bool = False,
    object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None,
) -> tuple[dict[str, Any], bytes]:
    """The JSON object in the regular file ``path`` and the bytes it was read from (with
    ``decompress``, what a gzip file holds), read with ``read_user_file``: never more than
    ``limit`` bytes, never a pipe or a device. Raises JsonObjectError."""
    try:
        raw = read_user_file(path, limit, decompress=decompress)
    except UserFileError as exc:
        raise JsonObjectError(exc.why, exc.problem, errno=exc.errno) from exc
    doc = decode_json_object(
        raw,
        lenient=lenient,
        allow_constants=allow_constants,
        object_pairs_hook=object_pairs_hook,
    )
    return doc, raw
