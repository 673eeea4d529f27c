"""Export and import: the JSON backup, the CSV for spreadsheets and other training apps, and
the checked, all-or-nothing import of a backup or a program file.

This module owns the backup format (``kind: "calftimer.backup"``), the CSV columns and their
escaping, and the import preview. It never changes the history itself: sessions go through
``Store.merge_sessions`` (merge by record UUID, so importing twice adds nothing the second time)
and programs are written as ``<id>.json`` into the programs folder with ``write_atomic``.

Choices made here (for the user documentation):

- The backup writes one session per line (compact JSON) inside an indented frame, so a person
  can still read it and it stays small: 20 years of 20 sets a day is about 47 MB (with
  indent=1 it would be about 68 MB). Every backup is read back with the importer's own checks
  before it is written, so calftimer never writes a backup it would refuse.
- Compression follows the name: a backup (or CSV) whose file name ends in ``.gz`` is written
  gzip-compressed; without ``-o`` a backup larger than ``COMPRESS_ABOVE_BYTES`` gets a
  ``.json.gz`` name. Import recognises gzip by its content, whatever the name, and reads it as
  a stream: the limit (``MAX_IMPORT_BYTES``) is on what the file holds, checked while it is
  decompressed, so a small file that inflates without end is refused before it fills memory.
- A CSV given to import is recognised and refused with a pointer to the JSON backup: CSV is
  for spreadsheets and other training apps, and does not hold everything a backup does.
- CSV: Strong's 2022-24 export layout exactly (``Date,Workout Name,Duration,Exercise Name,
  Set Order,Weight,Reps,Distance,Seconds,Notes,Workout Notes,RPE``), then ``Side``, ``Weight
  Unit`` and ``Time under tension``. It is the layout every open-source Strong importer we
  checked reads (ryot, Liftosaur, LiftShift, strong-statistics, open_fitness_tracker,
  workout-converter); docs/data-format.md says what each reads and where they differ. As Strong
  writes it: UTF-8 without a byte-order mark, ``\\n`` line ends, text columns quoted, Date
  ``YYYY-MM-DD HH:MM:SS`` local time (24-hour), Duration ``1h 5m``/``18m``/``45s``, ``0`` (not
  an empty cell) for what a set did not measure, Weight in the user's unit, Distance in km.
  One row per set; sessions without sets have no row. ``Set Order`` counts the sets of one
  exercise within a session and counts the left and the right leg as separate sets (L1 R1 L2
  R2 -> 1 2 3 4), so no two rows of one exercise share a number even for importers that
  ignore ``Side``. Text cells starting with ``= + - @`` (also after whitespace), tab or CR get
  a leading ``'`` so spreadsheets never run them as formulas; numbers are written by us and
  are never escaped. Line breaks inside a text cell become spaces.
- A program whose id is already used by a *different* program is not dropped and does not
  replace the existing one: it is saved under the first free id ``<id>-2``, ``<id>-3``...
  A program identical to one already saved (under its id or such a renamed id) is skipped.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any, BinaryIO, Literal

from calftimer import __version__
from calftimer.core.atomic import write_atomic, write_to_user_path
from calftimer.core.catalog import CATALOG
from calftimer.core.history import (
    SCHEMA_VERSION,
    PainDoc,
    SessionDoc,
    count_sets,
    iso,
    merge_into,
    merge_sessions,
    validate_session,
)
from calftimer.core.i18n import N_, _, n_
from calftimer.core.i18n import format_number as format_local_number
from calftimer.core.jsontext import JsonObjectError, decode_json_object, read_json_object
from calftimer.core.programs import (
    FILE_KIND as PROGRAM_KIND,
)
from calftimer.core.programs import (
    MAX_FILE_BYTES as MAX_PROGRAM_BYTES,
)
from calftimer.core.programs import (
    Program,
    ProgramFileError,
    parse_program_json,
    program_from_dict,
    program_json_bytes,
    program_to_dict,
)
from calftimer.core.settings import KG_PER_LB, WEIGHT_UNITS
from calftimer.core.store import Store
from calftimer.core.userfile import (
    UserFileError,
    display_name,
    read_user_file,
)

BACKUP_KIND = "calftimer.backup"
# The most a backup (or, compressed, what it holds) may be: about 230 years of a 20-set
# session every day, ten times a heavy user's lifetime. Far above anything calftimer writes, and
# low enough that a hostile file cannot make the import use more than a few GB of memory.
MAX_IMPORT_BYTES = 512_000_000
COMPRESS_ABOVE_BYTES = 50_000_000  # without -o, a larger backup is written as .json.gz
GZIP_SUFFIX = ".gz"
# Strong's export layout of 2022-24 (the one the open-source importers we checked all read),
# exactly, then our own columns after it.
CSV_COLUMNS = (
    "Date",
    "Workout Name",
    "Duration",
    "Exercise Name",
    "Set Order",
    "Weight",
    "Reps",
    "Distance",
    "Seconds",
    "Notes",
    "Workout Notes",
    "RPE",
    "Side",
    "Weight Unit",
    "Time under tension",
)
QUOTED_COLUMNS = frozenset({1, 3, 9, 10})  # Strong quotes its text columns, always
FORMULA_SIGNS = ("=", "+", "-", "@")
SHOWN_PROBLEMS = 20


class ImportRefusedError(Exception):
    """The file cannot be imported; ``problems`` name the file, record and field of each.
    Nothing was changed."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        shown = self.problems[:SHOWN_PROBLEMS]
        more = len(self.problems) - len(shown)
        tail = n_("... and {n} more problem", "... and {n} more problems", more).format(n=more)
        super().__init__("\n".join(shown) + (f"\n{tail}" if more else ""))


class ExportCheckError(ValueError):
    """The export would not read back (a bug, never the user's doing): nothing was written."""


@dataclass(frozen=True, slots=True)
class ExportSummary:
    path: Path | None  # None: written to a stream (standard output)
    sessions: int
    sets: int
    programs: int = 0
    compressed: bool = False
    size: int = 0  # bytes written


# ------------------------------------------------------------------------------ JSON backup


def backup_bytes(
    sessions: Iterable[SessionDoc],
    programs: Iterable[Program],
    *,
    exported_at: datetime,
    app_version: str = __version__,
    settings: dict[str, Any] | None = None,
) -> bytes:
    """The backup file's content: an indented frame, one compact session per line."""
    items = sorted(sessions, key=lambda s: s["started_at"])

    def compact(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))

    head = {
        "kind": BACKUP_KIND,
        "schema_version": SCHEMA_VERSION,
        "exported_at": iso(exported_at),
        "app_version": app_version,
    }
    lines = ["{"]
    lines += [f" {compact(k)}: {compact(v)}," for k, v in head.items()]
    lines.append(' "sessions": [')
    lines += [f"  {compact(s)}," for s in items]
    if items:
        lines[-1] = lines[-1][:-1]
    lines.append(" ],")
    program_list = [program_to_dict(p) for p in programs]
    frame = json.dumps(program_list, ensure_ascii=False, allow_nan=False, indent=1)
    lines.append(' "programs": ' + frame.replace("\n", "\n "))
    if settings is not None:
        # Kept so a backup is complete; import does not apply them (they are per machine).
        lines[-1] += ","
        lines.append(f' "settings": {compact(settings)}')
    lines.append("}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def export_json(
    target: Path | BinaryIO | None,
    store: Store,
    programs: Iterable[Program],
    *,
    now: datetime | None = None,
    app_version: str = __version__,
    settings_file: Path | None = None,
    folder: Path | None = None,
) -> ExportSummary:
    """Write a full backup (every session, the user's saved programs and settings) to
    ``target``: a path (``.gz`` at the end: gzip-compressed; a link, a pipe or a device: see
    ``write_to_user_path``), an open binary stream, or None for the default name in ``folder``
    (``calftimer-export-YYYYMMDD.json``, ``.json.gz`` above ``COMPRESS_ABOVE_BYTES``).

    The backup is read back with the importer's checks first; ExportCheckError (nothing
    written) if it would be refused."""
    moment = now or datetime.now(UTC)
    sessions = store.sessions()
    saved = [p for p in programs if not p.builtin]
    try:
        data = backup_bytes(
            sessions,
            saved,
            exported_at=moment,
            app_version=app_version,
            settings=_readable_settings(settings_file),
        )
    except (ValueError, UnicodeEncodeError) as exc:  # a value JSON or UTF-8 cannot hold
        raise ExportCheckError(
            _("the backup could not be made: {reason}").format(reason=exc)
        ) from exc
    check_backup_bytes(data)
    if target is None:
        suffix = ".json.gz" if len(data) > COMPRESS_ABOVE_BYTES else ".json"
        target = (folder or Path.cwd()) / f"calftimer-export-{moment.astimezone():%Y%m%d}{suffix}"
    written, compressed, size = _deliver(target, data)
    return ExportSummary(written, len(sessions), count_sets(sessions), len(saved), compressed, size)


def check_backup_bytes(data: bytes) -> None:
    """Read a backup about to be written as import would; ExportCheckError if it would not
    be accepted (calftimer must be able to read back every backup it writes)."""
    name = _("the new backup")
    try:
        try:
            doc = decode_json_object(data, limit=MAX_IMPORT_BYTES)
        except JsonObjectError as exc:
            raise _refused(exc, name) from exc
        if doc.get("kind") != BACKUP_KIND:
            raise ImportRefusedError(
                [f"{name}: " + _("kind is not {kind}").format(kind=BACKUP_KIND)]
            )
        _check_backup(doc, name)
    except ImportRefusedError as exc:
        raise ExportCheckError(
            _("nothing was written: the backup would not read back ({reason})").format(
                reason=exc.problems[0]
            )
        ) from exc


def _deliver(target: Path | BinaryIO, data: bytes) -> tuple[Path | None, bool, int]:
    """Write ``data`` to a path (gzip-compressed when its name ends in .gz) or a stream."""
    if not isinstance(target, Path):
        target.write(data)
        target.flush()
        return None, False, len(data)
    compressed = target.name.lower().endswith(GZIP_SUFFIX)
    if compressed:
        # mtime=0: the same history gives the same bytes; level 6 is gzip's own default.
        data = gzip.compress(data, compresslevel=6, mtime=0)
    return write_to_user_path(target, data), compressed, len(data)


def _readable_settings(path: Path | None) -> dict[str, Any] | None:
    """The settings file as it is, if it is a readable JSON object (never repaired here)."""
    if path is None:
        return None
    try:
        return read_json_object(path, MAX_PROGRAM_BYTES)[0]
    except JsonObjectError:
        return None


# ---------------------------------------------------------------------------------- CSV


def escape_cell(text: str) -> str:
    """Neutralise a text cell a spreadsheet would run as a formula by prefixing a single quote:
    one that starts with ``=``, ``+``, ``-`` or ``@``, also after leading whitespace (``" =1+1"``
    is a formula to some spreadsheets), or with a tab or carriage return."""
    if text.startswith(("\t", "\r")) or text.lstrip().startswith(FORMULA_SIGNS):
        return "'" + text
    return text


def format_number(value: float) -> str:
    """``12`` for 12.0, ``72.5`` for 72.5: no ``.0`` noise, no exponent, full precision."""
    if value == int(value):
        return str(int(value))
    text = repr(float(value))
    if "e" in text or "E" in text:
        text = f"{value:.15f}".rstrip("0").rstrip(".")
    return text


def format_strong_duration(seconds: float) -> str:
    """A session's length as Strong writes it: ``1h 5m``, ``1h``, ``18m``, and ``45s`` under a
    minute (Strong's own exports hold ``31s``; readers that parse ``h``/``m``/``s`` take it)."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    if minutes:
        return f"{minutes}m"
    return f"{secs}s"


def _elapsed(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def _session_seconds(session: SessionDoc) -> float:
    """From the start to the end; a session that never ended (the app was closed mid-way) ends
    with its last set. Never empty: two importers we checked stop the whole import on an empty
    Duration."""
    end = session["ended_at"] or max(
        (s["ended_at"] for s in session["sets"]), key=datetime.fromisoformat
    )
    return max(0.0, _elapsed(session["started_at"], end))


def _notes(mode: str, ended_by: str) -> str:
    notes = []
    if mode == "test":
        notes.append("heel-rise test")
    if ended_by in ("skip", "finish"):
        notes.append("ended early")
    return "; ".join(notes)


def _workout_notes(session: SessionDoc) -> str:
    """The pain ratings of the session (the last one given for each moment)."""
    latest: dict[str, PainDoc] = {}
    for rating in sorted(session["pain"], key=lambda p: p["recorded_at"]):
        latest[rating["when"]] = rating
    labels = (("during", "Pain during"), ("next_morning", "Pain next morning"))
    return "; ".join(
        f"{label}: {latest[when]['rating']}/10" for when, label in labels if when in latest
    )


def _weight(load_kg: float, unit: str) -> str:
    # Loads entered in lb are stored rounded to 9 decimals of a kilogram: 6 decimals of a
    # pound give the number the user typed back.
    return format_number(load_kg if unit == "kg" else round(load_kg / KG_PER_LB, 6))


def _one_line(text: str) -> str:
    """Line breaks become spaces: readers that split the file into lines before the CSV parser
    (open_fitness_tracker does) would cut a quoted cell that holds one."""
    return " ".join(text.splitlines())


def csv_rows(
    sessions: Iterable[SessionDoc], tz: tzinfo | None = None, *, weight_unit: str = "kg"
) -> list[list[str]]:
    """The header and one row per set, oldest session first, every cell as written (text cells
    already escaped). ``tz`` is the zone of the Date column (None: the computer's local time);
    ``weight_unit`` ("kg" or "lb") is the unit of the Weight column, as in Strong's exports."""
    if weight_unit not in WEIGHT_UNITS:
        raise ValueError(f"unknown weight unit {weight_unit!r}; expected 'kg' or 'lb'")
    unit_text = "kg" if weight_unit == "kg" else "lbs"  # Strong's own spelling
    rows: list[list[str]] = [list(CSV_COLUMNS)]
    for session in sorted(sessions, key=lambda s: s["started_at"]):
        if not session["sets"]:
            continue
        date = datetime.fromisoformat(session["started_at"]).astimezone(tz)
        date_text = date.strftime("%Y-%m-%d %H:%M:%S")
        duration = format_strong_duration(_session_seconds(session))
        workout = escape_cell(_one_line(session["program_name"]))
        workout_notes = escape_cell(_one_line(_workout_notes(session)))
        order: dict[str, int] = {}
        for s in session["sets"]:
            order[s["exercise"]] = order.get(s["exercise"], 0) + 1
            known = CATALOG.get(s["exercise"])
            mode = s["mode"]
            done = s["done"]
            # Strong writes 0, not an empty cell, for what a set did not measure.
            reps = done if mode in ("reps", "test") else 0
            distance_km = done / 1000 if mode == "distance" else 0
            if mode == "time":
                seconds: float = done
            elif mode == "distance":  # the walk's own time, as Strong writes it for cardio
                seconds = round(max(0.0, _elapsed(s["started_at"], s["ended_at"])))
            else:
                seconds = 0
            rows.append(
                [
                    date_text,
                    workout,
                    duration,
                    escape_cell(_one_line(known.name if known else s["exercise"])),
                    str(order[s["exercise"]]),
                    _weight(s["load_kg"], weight_unit),
                    format_number(reps),
                    format_number(distance_km),
                    format_number(seconds),
                    escape_cell(_notes(mode, s["ended_by"])),
                    workout_notes,
                    "",
                    escape_cell(_one_line(s["side"])),
                    unit_text,
                    format_number(s["tut_s"]),
                ]
            )
    return rows


def _csv_line(cells: Sequence[str], *, header: bool = False) -> str:
    def cell(text: str, column: int) -> str:
        if (column in QUOTED_COLUMNS and not header) or any(c in text for c in ',"\r\n'):
            return '"' + text.replace('"', '""') + '"'
        return text

    return ",".join(cell(text, i) for i, text in enumerate(cells)) + "\n"


def csv_bytes(
    sessions: Iterable[SessionDoc], tz: tzinfo | None = None, *, weight_unit: str = "kg"
) -> bytes:
    """The file: UTF-8 without a byte-order mark, ``\\n`` line ends, a plain header and the
    text columns quoted as Strong quotes them (RFC 4180: a ``"`` inside is doubled)."""
    header, *rows = csv_rows(sessions, tz, weight_unit=weight_unit)
    lines = [_csv_line(header, header=True), *(_csv_line(row) for row in rows)]
    return "".join(lines).encode("utf-8")


def export_csv(
    target: Path | BinaryIO | None,
    store: Store,
    *,
    tz: tzinfo | None = None,
    folder: Path | None = None,
    settings_file: Path | None = None,
) -> ExportSummary:
    """Write one CSV row per set to ``target`` (Date in ``tz``, default local time; Weight in
    the unit of the settings file, kg when there is none): a path as ``export_json`` takes it,
    an open binary stream, or None for ``calftimer-export-YYYYMMDD.csv`` in ``folder``
    (default: the current folder)."""
    sessions = store.sessions()
    settings = _readable_settings(settings_file) or {}
    unit = settings.get("weight_unit")
    data = csv_bytes(sessions, tz, weight_unit=unit if unit in WEIGHT_UNITS else "kg")
    if target is None:
        target = (folder or Path.cwd()) / f"calftimer-export-{datetime.now():%Y%m%d}.csv"
    written, compressed, size = _deliver(target, data)
    return ExportSummary(written, len(sessions), count_sets(sessions), 0, compressed, size)


# -------------------------------------------------------------------------------- import


@dataclass(frozen=True, slots=True)
class ProgramPlan:
    """What the import does with one program: ``program`` is as it will be saved."""

    program: Program
    source_id: str
    action: Literal["new", "renamed", "present"]

    def describe(self) -> str:
        p = self.program
        if self.action == "new":
            return _("new program {id} ({name})").format(id=p.id, name=p.name)
        if self.action == "renamed":
            return _(
                "program {source} ({name}) will be saved as {id}: the id {source} is already "
                "used by a different program"
            ).format(source=self.source_id, name=p.name, id=p.id)
        return _("program {source} ({name}) is already saved as {id}").format(
            source=self.source_id, name=p.name, id=p.id
        )


@dataclass(frozen=True)
class ImportPreview:
    """What importing ``source`` will add, and what is already here."""

    source: Path
    kind: Literal["backup", "program"]
    sessions: tuple[SessionDoc, ...] = ()
    new_sessions: int = 0
    sets_in_new_sessions: int = 0
    known_sessions_gaining: int = 0
    new_sets_in_known_sessions: int = 0
    new_other_records: int = 0  # heel-rise test results and pain ratings
    sessions_already_here: int = 0  # incoming sessions the history has (some may gain sets)
    sessions_updated: int = 0  # known sessions the backup only changes (status, later edits)
    sets_already_here: int = 0
    programs: tuple[ProgramPlan, ...] = ()
    exported_at: str | None = None
    app_version: str | None = None
    programs_dir: Path | None = field(default=None, compare=False)

    @property
    def programs_to_write(self) -> list[ProgramPlan]:
        return [p for p in self.programs if p.action != "present"]

    @property
    def nothing_to_add(self) -> bool:
        return not (
            self.new_sessions
            or self.new_sets_in_known_sessions
            or self.new_other_records
            or self.sessions_updated
            or self.programs_to_write
        )

    def nothing_to_add_text(self) -> str:
        return _("Nothing to import: everything in {file} is already here.").format(
            file=self.source.name
        )

    def lines(self) -> list[str]:
        """The preview as text for the command line and the import dialog."""
        name = self.source.name
        if self.kind == "program":
            out = [_("{file}: a calftimer program file").format(file=name)]
        else:
            origin = (
                _(" made by calftimer {version}").format(version=self.app_version)
                if self.app_version
                else ""
            )
            when = (
                _(" on {date}").format(date=_local_time(self.exported_at))
                if self.exported_at
                else ""
            )
            out = [
                _("{file}: a calftimer backup{origin}{when}").format(
                    file=name, origin=origin, when=when
                )
            ]
        adds = []
        if self.new_sessions:
            adds.append(
                _("{sessions} ({sets})").format(
                    sessions=_n(self.new_sessions, "new session"),
                    sets=_n(self.sets_in_new_sessions, "set"),
                )
            )
        if self.new_sets_in_known_sessions:
            adds.append(
                _("{sets} in {sessions} already here").format(
                    sets=_n(self.new_sets_in_known_sessions, "new set"),
                    sessions=_n(self.known_sessions_gaining, "session"),
                )
            )
        if self.new_other_records:
            n = self.new_other_records
            adds.append(
                n_("{n} test result or pain rating", "{n} test results or pain ratings", n).format(
                    n=n
                )
            )
        if self.sessions_updated:
            adds.append(
                _("newer details (an end, a corrected result) for {sessions} already here").format(
                    sessions=_n(self.sessions_updated, "session")
                )
            )
        written = self.programs_to_write
        if written:
            adds.append(_n(len(written), "program"))
        out.append(_("Will add: {items}").format(items=", ".join(adds) if adds else _("nothing")))
        out += [f"  {plan.describe()}" for plan in written]
        present = [p for p in self.programs if p.action == "present"]
        here = []
        if self.sessions_already_here:
            here.append(
                _("{sessions} ({sets})").format(
                    sessions=_n(self.sessions_already_here, "session"),
                    sets=_n(self.sets_already_here, "set"),
                )
            )
        if present:
            here.append(_n(len(present), "program"))
        if here:
            out.append(_("Already here: {items}").format(items=", ".join(here)))
            out += [f"  {plan.describe()}" for plan in present]
        return out


@dataclass(frozen=True, slots=True)
class ImportResult:
    new_sessions: int
    new_records: int
    programs_written: tuple[Path, ...]

    def describe(self) -> str:
        """What the import did, in one line (the command line and the window say the same)."""
        return _("Imported {sessions}, {records} in sessions already here and {programs}.").format(
            sessions=_n(self.new_sessions, "new session"),
            records=_n(self.new_records, "new record"),
            programs=_n(len(self.programs_written), "program"),
        )


def _local_time(text: str) -> str:
    try:
        return f"{datetime.fromisoformat(text).astimezone():%Y-%m-%d %H:%M}"
    except ValueError:
        return repr(text[:40])


def _n(count: int, noun: str) -> str:
    """``"1 new session"``, ``"3 sets"`` in the current language."""
    forms = {
        "new session": lambda: n_("{n} new session", "{n} new sessions", count),
        "session": lambda: n_("{n} session", "{n} sessions", count),
        "new set": lambda: n_("{n} new set", "{n} new sets", count),
        "set": lambda: n_("{n} set", "{n} sets", count),
        "new record": lambda: n_("{n} new record", "{n} new records", count),
        "program": lambda: n_("{n} program", "{n} programs", count),
    }
    return forms[noun]().format(n=count)


def check_import(
    path: Path, store: Store, library_programs: Iterable[Program], programs_dir: Path
) -> ImportPreview:
    """The first step of every import, from the command line or the window: refuse it if the
    history cannot take it (a newer calftimer wrote it), else read and check the file
    completely and say what it would add (``preview_import``). The second step, after the
    user has seen the preview, is ``apply_import`` (not needed when ``nothing_to_add``)."""
    if store.written_by_newer:
        raise ImportRefusedError(
            [f"{_shown_name(path.name)}: " + _(_READ_ONLY_REFUSAL).format(folder=store.history_dir)]
        )
    return preview_import(path, store, library_programs, programs_dir=programs_dir)


def _shown_name(name: str, limit: int = 80) -> str:
    """A file name for a one-line message: a very long one is shortened in the middle."""
    return name if len(name) <= limit else f"{name[: limit // 2]}…{name[-limit // 2 :]}"


def preview_import(
    path: Path,
    store: Store,
    library_programs: Iterable[Program],
    *,
    programs_dir: Path | None = None,
) -> ImportPreview:
    """Read and check ``path`` completely and say what importing it would add. Raises
    ImportRefusedError naming file, record and field; reads nothing else and writes nothing.
    ``programs_dir`` (where apply will write) lets the preview avoid ids whose file exists but
    could not be loaded."""
    name = path.name
    doc, raw = _read_json(path)
    kind = doc.get("kind")
    library = list(library_programs)
    taken_files = _file_ids(programs_dir)
    if kind == PROGRAM_KIND:
        if len(raw) > MAX_PROGRAM_BYTES:
            raise ImportRefusedError(
                [
                    f"{name}: "
                    + _("file is {size} bytes; the limit for a program file is 1 MB").format(
                        size=format_local_number(len(raw))
                    )
                ]
            )
        try:
            program = parse_program_json(raw, name)
        except ProgramFileError as exc:
            raise ImportRefusedError([f"{name}: {p}" for p in exc.problems]) from exc
        plans = _plan_programs([program], library, taken_files)
        return ImportPreview(path, "program", programs=plans, programs_dir=programs_dir)
    if kind != BACKUP_KIND:
        raise ImportRefusedError(
            [
                f"{name}: kind: "
                + _('must be "{backup}" (a backup) or "{program}" (a program)').format(
                    backup=BACKUP_KIND, program=PROGRAM_KIND
                )
            ]
        )
    sessions, programs = _check_backup(doc, name)
    plans = _plan_programs(programs, library, taken_files)
    incoming: dict[str, SessionDoc] = {}
    merge_into(incoming, sessions)  # the same session twice in one file counts once
    known = {s["id"]: s for s in store.sessions()}
    counts = dict.fromkeys(("new", "new_sets", "gaining", "new_sets_known", "other"), 0)
    counts |= {"here": 0, "sets_here": 0, "updated": 0}
    for session in incoming.values():
        mine = known.get(session["id"])
        if mine is None:
            counts["new"] += 1
            counts["new_sets"] += len(session["sets"])
            counts["other"] += len(session["tests"]) + len(session["pain"])
            continue
        set_ids = {s["id"] for s in mine["sets"]}
        other_ids = {r["id"] for r in mine["tests"]} | {r["id"] for r in mine["pain"]}
        new_sets = sum(1 for s in session["sets"] if s["id"] not in set_ids)
        other = sum(1 for r in session["tests"] if r["id"] not in other_ids) + sum(
            1 for r in session["pain"] if r["id"] not in other_ids
        )
        counts["here"] += 1
        counts["new_sets_known"] += new_sets
        counts["other"] += other
        counts["sets_here"] += len(session["sets"]) - new_sets
        if new_sets:
            counts["gaining"] += 1
        elif not other and merge_sessions(mine, session)[0] != mine:
            # No new record, but the backup knows more: an ended status, a later edit.
            counts["updated"] += 1
    exported_at = doc.get("exported_at")
    app_version = doc.get("app_version")
    return ImportPreview(
        path,
        "backup",
        sessions=tuple(incoming.values()),
        new_sessions=counts["new"],
        sets_in_new_sessions=counts["new_sets"],
        known_sessions_gaining=counts["gaining"],
        new_sets_in_known_sessions=counts["new_sets_known"],
        new_other_records=counts["other"],
        sessions_already_here=counts["here"],
        sessions_updated=counts["updated"],
        sets_already_here=counts["sets_here"],
        programs=plans,
        exported_at=exported_at if isinstance(exported_at, str) else None,
        app_version=app_version[:40] if isinstance(app_version, str) else None,
        programs_dir=programs_dir,
    )


def apply_import(preview: ImportPreview, store: Store, programs_dir: Path) -> ImportResult:
    """Merge the previewed sessions into ``store`` and write the new programs. Everything is
    checked before the first write; raises ImportRefusedError (nothing written) if the store is
    read-only or a program file appeared since the preview."""
    name = preview.source.name
    if store.read_only:
        raise ImportRefusedError(
            [f"{name}: " + _(_READ_ONLY_REFUSAL).format(folder=store.history_dir)]
        )
    payloads: list[tuple[Path, bytes]] = []
    for plan in preview.programs_to_write:
        target = programs_dir / f"{plan.program.id}.json"
        try:
            data = program_json_bytes(plan.program)
        except ProgramFileError as exc:
            raise ImportRefusedError([f"{name}: {p}" for p in exc.problems]) from exc
        if os.path.lexists(target):
            with contextlib.suppress(UserFileError):
                if read_user_file(target, MAX_PROGRAM_BYTES) == data:
                    continue  # written by an earlier run of this same import
            raise ImportRefusedError(
                [
                    f"{name}: "
                    + _(
                        "not imported: {file} appeared since the preview; preview the import again"
                    ).format(file=target)
                ]
            )
        payloads.append((target, data))
    new_sessions, new_records = (0, 0)
    if preview.sessions:
        new_sessions, new_records = store.merge_sessions(preview.sessions)
    if payloads:
        programs_dir.mkdir(parents=True, exist_ok=True)
    for target, data in payloads:
        write_atomic(target, data)
    return ImportResult(new_sessions, new_records, tuple(t for t, _unused in payloads))


def _read_json(path: Path) -> tuple[dict[str, Any], bytes]:
    """The JSON object in a file to import (plain or gzip-compressed), and its bytes.
    Only a regular file is read, never more than the limit: see ``userfile``."""
    try:
        return read_json_object(path, MAX_IMPORT_BYTES, decompress=True)
    except JsonObjectError as exc:
        raise _refused(exc, display_name(path), csv_hint=path.suffix.lower() == ".csv") from exc


def _refused(exc: JsonObjectError, name: str, *, csv_hint: bool = False) -> ImportRefusedError:
    """Why a file to import (or a backup about to be written) holds nothing to import."""
    if exc.why == "json" and (csv_hint or looks_like_csv(exc.raw or b"")):
        return ImportRefusedError([f"{name}: {_(CSV_REFUSAL)}"])
    if exc.why == "object":
        return ImportRefusedError(
            [f"{name}: " + _("must hold a JSON object (a backup or a program)")]
        )
    return ImportRefusedError([f"{name}: {p}" for p in exc.problems])


_READ_ONLY_REFUSAL = N_(
    "not imported: your history in {folder} was written by a newer calftimer and is open "
    "read-only. Update calftimer, then import again."
)
CSV_REFUSAL = N_(
    "this is a CSV file (a table for spreadsheets and other training apps such as "
    "Strong-compatible importers), which calftimer can write but not import. To restore or "
    "move your history, import a calftimer backup instead: make one with "
    "'calftimer export --format json' (File > Export backup in the window)."
)


def looks_like_csv(raw: bytes) -> bool:
    """True for text whose first line is a row of separated cells (ours or anyone's CSV),
    as opposed to JSON, which starts with an object or a list."""
    head = raw[:4096].decode("utf-8-sig", errors="replace").lstrip()
    first = head.splitlines()[0] if head else ""
    if not first or first[0] in "{[":
        return False
    return max(first.count(","), first.count(";"), first.count("\t")) >= 2


def _check_backup(doc: dict[str, Any], name: str) -> tuple[list[SessionDoc], list[Program]]:
    """The sessions and programs of a decoded backup, every record checked; raises
    ImportRefusedError naming each problem."""
    version = doc.get("schema_version")
    if type(version) is not int:
        raise ImportRefusedError([f"{name}: schema_version: " + _("must be a whole number")])
    if version > SCHEMA_VERSION:
        raise ImportRefusedError(
            [
                f"{name}: schema_version: "
                + _(
                    "{version} was written by a newer calftimer; this calftimer reads "
                    "{supported}. Update calftimer to import it."
                ).format(version=version, supported=SCHEMA_VERSION)
            ]
        )
    if version != SCHEMA_VERSION:
        raise ImportRefusedError(
            [f"{name}: schema_version: " + _("must be {choices}").format(choices=SCHEMA_VERSION)]
        )
    problems: list[str] = []
    raw_sessions = doc.get("sessions")
    raw_programs = doc.get("programs", [])
    if type(raw_sessions) is not list:
        problems.append(f"{name}: sessions: " + _("must be a list"))
        raw_sessions = []
    if type(raw_programs) is not list:
        problems.append(f"{name}: programs: " + _("must be a list"))
        raw_programs = []
    for i, session in enumerate(raw_sessions):
        problems += [f"{name}: {p}" for p in validate_session(session, f"sessions[{i}]")]
    programs: list[Program] = []
    first_at: dict[str, int] = {}
    for i, item in enumerate(raw_programs):
        where = f"programs[{i}]"
        if type(item) is not dict:
            problems.append(f"{name}: {where}: " + _("must be an object"))
            continue
        try:
            program = program_from_dict(item, name)
        except ProgramFileError as exc:
            problems += [f"{name}: {where}.{p}" for p in exc.problems]
            continue
        if program.id in first_at:
            problems.append(
                f"{name}: {where}.id: "
                + _("{id} is also the id of {other}").format(
                    id=repr(program.id), other=f"programs[{first_at[program.id]}]"
                )
            )
            continue
        first_at[program.id] = i
        programs.append(program)
    if problems:
        raise ImportRefusedError(problems)
    return raw_sessions, programs


def _file_ids(programs_dir: Path | None) -> set[str]:
    if programs_dir is None or not programs_dir.is_dir():
        return set()
    return {p.stem for p in programs_dir.glob("*.json")}


def _plan_programs(
    incoming: Iterable[Program], library: Sequence[Program], taken_files: set[str]
) -> tuple[ProgramPlan, ...]:
    by_id = {p.id: p for p in library}
    taken = set(by_id) | taken_files
    plans: list[ProgramPlan] = []
    for program in incoming:
        if by_id.get(program.id) == program:
            plans.append(ProgramPlan(program, program.id, "present"))
            continue
        copy = next((p for p in library if _is_renamed_copy(p, program)), None)
        if copy is not None:
            plans.append(ProgramPlan(copy, program.id, "present"))
            continue
        if program.id not in taken:
            taken.add(program.id)
            plans.append(ProgramPlan(program, program.id, "new"))
            continue
        n = 2
        while (candidate := _numbered_id(program.id, n)) in taken:
            n += 1
        taken.add(candidate)
        plans.append(ProgramPlan(replace(program, id=candidate), program.id, "renamed"))
    return tuple(plans)


def _is_renamed_copy(saved: Program, program: Program) -> bool:
    """True if ``saved`` is ``program`` saved earlier under ``<id>-N`` by this rule."""
    match = re.search(r"-(\d+)$", saved.id)
    return (
        match is not None
        and saved.id == _numbered_id(program.id, int(match[1]))
        and replace(program, id=saved.id) == saved
    )


def _numbered_id(base: str, n: int) -> str:
    suffix = f"-{n}"
    return base[: 40 - len(suffix)] + suffix
