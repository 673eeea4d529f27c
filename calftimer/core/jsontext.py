"""Decoding JSON files the user may have edited, with one clear message for what is wrong.

Shared by program files, history files, backups and settings, so every file says "not valid
JSON: <what> at line L, column C" the same way.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any


class JsonTextError(ValueError):
    """Why the bytes are not usable JSON; ``str(error)`` is the message for the user."""


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def decode_json(
    raw: bytes | str,
    *,
    object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None,
) -> Any:
    """Parse UTF-8 JSON text (a byte-order mark is accepted); NaN and Infinity are refused."""
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        raise JsonTextError(f"not UTF-8 text (byte {exc.start})") from exc
    try:
        return json.loads(
            text, parse_constant=_reject_constant, object_pairs_hook=object_pairs_hook
        )
    except RecursionError as exc:
        raise JsonTextError("not valid JSON: nested too deeply") from exc
    except json.JSONDecodeError as exc:
        raise JsonTextError(
            f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from exc
    except ValueError as exc:
        raise JsonTextError(f"not valid JSON: {exc}") from exc
