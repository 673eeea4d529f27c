"""Whatever calftimer writes, it reads back: a 22-year backup (compressed by default), any
history the validator accepts (a property test), a dry run that creates nothing, and a CSV
given to import, which is recognised and pointed to the right file.
"""

from __future__ import annotations

import gzip
import json
import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calftimer.app import main
from calftimer.core.exchange import (
    COMPRESS_ABOVE_BYTES,
    ImportRefusedError,
    apply_import,
    csv_bytes,
    export_csv,
    export_json,
    preview_import,
)
from calftimer.core.history import AMOUNT_MAX, SessionDoc, iso, validate_session
from calftimer.core.store import MONTH_KIND, SCHEMA_VERSION, Store
from tests.core.test_exchange import backup_doc, history, snapshot, store_with

START = datetime(2004, 1, 1, 6, 0, tzinfo=UTC)
SET_TEMPLATE = {
    "exercise": "single_leg_calf_raise",
    "side": "left",
    "block": 1,
    "mode": "reps",
    "planned": 15,
    "done": 15,
    "tempo": [2, 1, 2, 0],
    "load_kg": 10.0,
    "tut_s": 75.0,
    "ended_by": "time",
}


def write_long_history(root: Path, days: int, sets: int = 20) -> int:
    """A session every day for ``days`` days, written straight into month files (seconds,
    not the minutes of saving each set); returns how many sessions."""
    by_month: dict[str, list[SessionDoc]] = {}
    ids = (str(uuid.UUID(int=n)) for n in range(1, 10**9))
    for day in range(days):
        start = START + timedelta(days=day)
        times = [iso(start + timedelta(minutes=2 * n)) for n in range(sets + 1)]
        session: dict[str, Any] = {
            "id": next(ids),
            "program_id": "alfredson",
            "program_name": "Eccentric heel drops (Alfredson)",
            "started_at": times[0],
            "ended_at": times[-1],
            "status": "finished",
            "sets": [
                {
                    "id": next(ids),
                    **SET_TEMPLATE,
                    "set": n % 20 + 1,
                    "started_at": times[n],
                    "ended_at": times[n + 1],
                }
                for n in range(sets)
            ],
            "tests": [],
            "pain": [],
        }
        by_month.setdefault(times[0][:7], []).append(session)  # type: ignore[arg-type]
    folder = root / "history" / "months"
    folder.mkdir(parents=True)
    for month, items in by_month.items():
        doc = {
            "kind": MONTH_KIND,
            "schema_version": SCHEMA_VERSION,
            "month": month,
            "sessions": items,
        }
        (folder / f"{month}.json").write_text(json.dumps(doc, separators=(",", ":")))
    return days


@pytest.mark.slow
def test_a_22_year_backup_is_written_compressed_and_imported_back(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    """The issue's case: over 50 MB, refused by the importer of the calftimer that wrote it."""
    source = tmp_path / "source"
    count = write_long_history(source, days=22 * 365 + 5)
    monkeypatch.chdir(tmp_path)

    assert main(["--data-dir", str(source), "export", "--format", "json"]) == 0
    [backup] = tmp_path.glob("calftimer-export-*.json.gz")  # large: compressed by default
    out = capsys.readouterr().out
    assert f"Exported {count} sessions, {count * 20} sets" in out and "gzip-compressed" in out
    plain = tmp_path / "plain.json"
    plain.write_bytes(gzip.decompress(backup.read_bytes()))
    assert plain.stat().st_size > COMPRESS_ABOVE_BYTES
    assert backup.stat().st_size < plain.stat().st_size / 5

    target = tmp_path / "target"
    assert main(["--data-dir", str(target), "import", str(backup)]) == 0
    assert f"Imported {count} new sessions" in capsys.readouterr().out
    assert Store.open(target).set_count() == count * 20
    # The same backup uncompressed, as a user who named it .json gets it, reads back too.
    preview = preview_import(plain, Store.open(tmp_path / "other"), [])
    assert preview.new_sessions == count


def test_a_gz_name_compresses_any_export(tmp_path: Path) -> None:
    store = store_with(tmp_path / "data", history(3))
    json_summary = export_json(tmp_path / "b.json.gz", store, [])
    csv_summary = export_csv(tmp_path / "s.csv.gz", store)
    assert json_summary.compressed and csv_summary.compressed
    assert gzip.decompress((tmp_path / "s.csv.gz").read_bytes()) == csv_bytes(store.sessions())
    preview = preview_import(tmp_path / "b.json.gz", Store.open(tmp_path / "other"), [])
    assert preview.new_sessions == 3


# ------------------------------------------------------------------ round-trip property

text = st.text(max_size=12)  # any character but a lone surrogate (hypothesis's default)
moments = st.datetimes(
    min_value=datetime(1900, 1, 2), max_value=datetime(2999, 12, 30), timezones=st.just(UTC)
).map(iso)
numbers = st.floats(0, 500, allow_nan=False) | st.integers(0, 500)


@st.composite
def sets(draw: st.DrawFn) -> dict[str, Any]:
    mode = draw(st.sampled_from(sorted(AMOUNT_MAX)))
    amounts = st.integers(0, AMOUNT_MAX[mode])
    record = {
        "id": draw(text.filter(lambda t: 0 < len(t) <= 64)),
        "exercise": draw(text),
        "side": draw(st.sampled_from(["both", "left", "right"])),
        "block": draw(st.integers(0, 49)),
        "set": draw(st.integers(0, 20)),
        "mode": mode,
        "planned": draw(amounts),
        "done": draw(amounts),
        "tempo": draw(st.none() | st.lists(st.floats(0, 30), min_size=4, max_size=4)),
        "load_kg": draw(numbers),
        "tut_s": draw(st.floats(0, 86_400)),
        "started_at": draw(moments),
        "ended_at": draw(moments),
        "ended_by": draw(text),
    }
    if draw(st.booleans()):
        record[draw(text.filter(lambda k: k not in record))] = draw(
            st.none() | text | st.floats(allow_nan=False, allow_infinity=False) | st.integers()
        )
    return record


@st.composite
def sessions(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "program_id": draw(text),
        "program_name": draw(text),
        "started_at": draw(moments),
        "ended_at": draw(st.none() | moments),
        # Not "running": opening the history closes a session idle for 6 hours, by design.
        "status": draw(st.sampled_from(["finished", "abandoned"])),
        "sets": draw(st.lists(sets(), max_size=3, unique_by=lambda s: s["id"])),
        "tests": [],
        "pain": [],
    }


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(sessions(), min_size=1, max_size=4))
def test_calftimer_refuses_nothing_it_wrote(items: list[dict[str, Any]]) -> None:
    """Any history the validator accepts is saved, exported and imported back, unchanged."""
    import tempfile

    assert all(validate_session(s, "s") == [] for s in items)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        source = Store.open(root / "a")
        source.merge_sessions([json.loads(json.dumps(s)) for s in items])
        saved = Store.open(root / "a")
        assert saved.notices == [] and {s["id"] for s in saved.sessions()} == {
            s["id"] for s in items
        }
        export_json(root / "b.json.gz", saved, [])
        target = Store.open(root / "c")
        apply_import(preview_import(root / "b.json.gz", target, []), target, root / "p")
        by_id = {s["id"]: s for s in Store.open(root / "c").sessions()}
        assert by_id == {s["id"]: s for s in saved.sessions()}


# ------------------------------------------------------------------------ dry run (item 8)


def test_a_dry_run_into_a_folder_that_does_not_exist_creates_nothing(tmp_path: Path) -> None:
    file = tmp_path / "backup.json"
    file.write_text(json.dumps(backup_doc(history(2))))
    data = tmp_path / "data"
    assert main(["--data-dir", str(data), "import", str(file), "--dry-run"]) == 0
    assert not data.exists()


def test_a_dry_run_changes_nothing_even_where_opening_would_tidy_up(tmp_path: Path) -> None:
    """A legacy history.json, a sync conflict copy, an interrupted session and a damaged month:
    opening for real would upgrade, merge, close and repair; a dry run leaves every byte."""
    data = tmp_path / "data"
    store = store_with(data, history(2))
    running = store.begin_session("alfredson", "A", datetime(2020, 1, 1, tzinfo=UTC))
    months = data / "history" / "months"
    [month] = list(months.iterdir())
    (months / f"{month.stem}.sync-conflict-20250101-101010-ABC.json").write_bytes(
        month.read_bytes()
    )
    (months / "2024-01.json").write_text('{"kind": "calftimer.month", "sche')
    (data / "history.json").write_text(json.dumps({"schema_version": 1, "sessions": []}))
    file = tmp_path / "backup.json"
    file.write_text(json.dumps(backup_doc(history(1))))
    before = snapshot(data)
    paths_before = sorted(str(p) for p in data.rglob("*"))

    assert main(["--data-dir", str(data), "import", str(file), "--dry-run"]) == 0

    assert snapshot(data) == before
    assert sorted(str(p) for p in data.rglob("*")) == paths_before
    assert running


# -------------------------------------------------------------------------- CSV (item 9)


@pytest.mark.parametrize(
    "content",
    [
        None,  # our own CSV export
        b"Date;Workout Name;Duration;Exercise Name;Set Order;Weight\r\n2021-01-01;A;1h;B;1;0\r\n",
        b"\xef\xbb\xbfDate,Workout Name,Exercise Name,Reps\n",
    ],
    ids=["ours", "strong-2019", "with-bom"],
)
def test_importing_a_csv_says_what_to_import_instead(
    tmp_path: Path, content: bytes | None, capsys
) -> None:
    data = tmp_path / "data"
    store = store_with(data, history(2))
    file = tmp_path / "sets.csv"
    if content is None:
        export_csv(file, store)
    else:
        file.write_bytes(content)
    before = snapshot(data)

    with pytest.raises(ImportRefusedError) as refused:
        preview_import(file, store, [])  # the window's File > Import calls the same
    [problem] = refused.value.problems
    assert problem.startswith("sets.csv: this is a CSV file")
    assert "calftimer export --format json" in problem and "not valid JSON" not in problem

    os.rename(file, tmp_path / "sets.json")  # a CSV by another name is still recognised
    assert main(["--data-dir", str(data), "import", str(tmp_path / "sets.json")]) == 2
    err = capsys.readouterr().err
    assert "sets.json: this is a CSV file" in err and "Strong-compatible" in err
    assert snapshot(data) == before
