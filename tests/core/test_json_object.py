"""One way to read a JSON object from a file or from bytes (``jsontext.read_json_object`` and
``decode_json_object``), and every reader of calftimer's files going through it: each names
the same fault of the same file in its own words, and none crashes or hangs on it."""

from __future__ import annotations

import gzip
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from calftimer.core.exchange import ImportRefusedError, preview_import
from calftimer.core.jsontext import JsonObjectError, decode_json_object, read_json_object
from calftimer.core.programs import ProgramFileError, load_program_file
from calftimer.core.settings import read_settings
from calftimer.core.store import HistoryFileError, Store, parse_history_bytes
from calftimer.core.voice_clips import ClipError, ClipVoice


def test_an_object_is_read_with_its_bytes(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_bytes(b'\xef\xbb\xbf{"kind": "x", "n": 1}')  # a byte-order mark is fine
    assert read_json_object(path, 100) == ({"kind": "x", "n": 1}, path.read_bytes())
    packed = tmp_path / "a.json.gz"
    packed.write_bytes(gzip.compress(b'{"n": 2}'))
    assert read_json_object(packed, 100, decompress=True)[0] == {"n": 2}


def why(read: Callable[[], object]) -> JsonObjectError:
    with pytest.raises(JsonObjectError) as caught:
        read()
    return caught.value


def test_each_fault_says_what_it_is(tmp_path: Path) -> None:
    missing = why(lambda: read_json_object(tmp_path / "none.json", 100))
    assert (missing.why, missing.missing) == ("os", True)
    assert why(lambda: read_json_object(tmp_path, 100)).why == "type"
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    assert why(lambda: read_json_object(fifo, 100)).problem == (
        "is a named pipe (FIFO), not a regular file"
    )
    big = tmp_path / "big.json"
    big.write_bytes(b'{"n": "' + b"x" * 200 + b'"}')
    assert why(lambda: read_json_object(big, 100)).why == "size"
    too_many = why(lambda: decode_json_object(big.read_bytes(), limit=100))
    assert (too_many.why, too_many.problem) == ("size", "is 209 bytes; the limit is 0.1 kB")
    broken = why(lambda: decode_json_object(b'{"n": '))
    assert broken.why == "json" and broken.problem.startswith("not valid JSON: Expecting value")
    assert broken.raw == b'{"n": '  # a caller may look at what the file really is (a CSV?)
    listed = why(lambda: decode_json_object(b"[1, 2]"))
    assert (listed.why, listed.problem, listed.missing) == (
        "object",
        "must hold a JSON object",
        False,
    )
    lone = why(lambda: decode_json_object(b'{"name": "\\ud800", "n": 1e999}'))
    assert lone.why == "json"
    assert [p.split(":")[0] for p in lone.problems] == ["name", "n"]


def test_lenient_lets_unusable_values_through_for_the_caller_to_name() -> None:
    doc = decode_json_object(b'{"n": 1e999, "t": NaN}', lenient=True, allow_constants=True)
    assert doc["n"] == float("inf") and doc["t"] != doc["t"]


# Every reader, given the same file: (what to call, what it says). Each raises its own error
# or, for settings, moves the file aside and says why in a notice.
def _program(path: Path) -> str:
    with pytest.raises(ProgramFileError) as caught:
        load_program_file(path)
    return str(caught.value)


def _import(path: Path) -> str:
    store = Store.open(path.parent / "data")
    with pytest.raises(ImportRefusedError) as caught:
        preview_import(path, store, [])
    return "; ".join(caught.value.problems)


def _history(path: Path) -> str:
    with pytest.raises(HistoryFileError) as caught:
        parse_history_bytes(path.read_bytes(), path.name, allow_newer=False)
    return "; ".join(caught.value.problems)


def _settings(path: Path) -> str:
    found = read_settings(path, lambda: datetime(2026, 3, 14, tzinfo=UTC))
    assert not path.exists()  # moved aside, untouched
    return found.notices[0].message.replace(str(path.parent), "DIR")


def _voice(path: Path) -> str:
    index = path.with_name("index.json")
    path.rename(index)
    with pytest.raises(ClipError) as caught:
        ClipVoice.load(path.parent)
    return str(caught.value).replace(str(path.parent), "DIR")


SAID = {
    "a list": {
        _program: "x.json: the file must hold a JSON object with a program",
        _import: "x.json: must hold a JSON object (a backup or a program)",
        _history: "x.json: must hold a JSON object",
        _settings: "DIR/x.json could not be read (not a JSON object); all settings",
        _voice: "DIR/index.json: cannot be read (must hold a JSON object)",
    },
    "not JSON": {
        _program: "x.json: not valid JSON: Expecting ',' delimiter at line 1, column 9",
        _import: "x.json: not valid JSON: Expecting ',' delimiter at line 1, column 9",
        _history: "x.json: not valid JSON: Expecting ',' delimiter at line 1, column 9",
        _settings: "DIR/x.json could not be read (not valid JSON: Expecting ',' delimiter",
        _voice: "DIR/index.json: cannot be read (not valid JSON: Expecting ',' delimiter",
    },
}
CONTENT = {"a list": b"[1, 2]", "not JSON": b'{"a": 1 "b": 2}'}


@pytest.mark.parametrize("fault", sorted(SAID))
@pytest.mark.parametrize("reader", [_program, _import, _history, _settings, _voice])
def test_every_reader_names_the_same_fault_in_its_own_words(
    tmp_path: Path, fault: str, reader: Callable[[Path], str]
) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(CONTENT[fault])
    assert reader(path).startswith(SAID[fault][reader])
