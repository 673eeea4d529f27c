"""The local history store: plain JSON files that survive crashes, corruption and sync folders.

Layout under the data folder (``docs/data-format.md``)::

    history/sessions/<session-id>.json   one file per recent session, rewritten per set
    history/months/<YYYY-MM>.json        sessions of past months, compacted into one file
    backups/...                          the last three versions of every file we replaced
    damaged/...                          files that could not be read, moved aside, never deleted
    merged/...                           sync-conflict copies after their records were merged

Saving a set rewrites only its session's small file (temp file, fsync, replace, fsync folder),
so the cost of a save does not grow with the history. Every rewrite is preceded by a check
that the file on disk is still the one we loaded; if another device or process changed it, the
two are merged by record id first, under an inter-process lock. Nothing is ever reset to empty:
a damaged file is copied to ``damaged/``; the records in it that can still be read are kept,
merged with its newest readable backup, and only the unreadable records are set aside (the
copy in ``damaged/`` holds them, and a note beside it says which and why).
Recovery runs under the same inter-process lock as writes, after reading the file again, so two
calftimer processes opening one damaged file never both repair it. Before a file is replaced,
the new bytes are read back with the reader itself: nothing is ever written that calftimer
would refuse to read.
"""

from __future__ import annotations

import contextlib
import gc
import os
import queue
import re
import shutil
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from calftimer.core.atomic import (
    fsync_dir,
    interprocess_lock,
    is_temp_file,
    replace_with_retry,
    write_atomic,
)
from calftimer.core.clock import WallClock, utc_now
from calftimer.core.conflicts import conflict_base_name
from calftimer.core.history import (
    SCHEMA_VERSION,
    PainDoc,
    SessionDoc,
    SetAside,
    SetDoc,
    TestResultDoc,
    count_sets,
    iso,
    merge_changes,
    merge_into,
    merge_sessions,
    month_of,
    new_id,
    new_session,
    salvage_session,
    set_doc,
    validate_session,
)
from calftimer.core.i18n import _, format_date, n_
from calftimer.core.jsontext import (
    JsonObjectError,
    UnwritableValueError,
    decode_json_object,
    encode_json,
)
from calftimer.core.notices import Notice
from calftimer.core.session import SetRecord
from calftimer.core.userfile import UserFileError, is_missing, open_user_file, read_user_file

SESSION_KIND = "calftimer.session"
MONTH_KIND = "calftimer.month"
LEGACY_FILE = "history.json"  # schema 1: everything in one file
BACKUP_GENERATIONS = 3
STALE_RUNNING = timedelta(hours=6)
# Months of history read while the app starts; older ones are read by ensure_loaded(), which
# the window runs on the writer thread right after it appears.
EAGER_MONTHS = 2  # a "running" session untouched this long was interrupted
MAX_FILE_BYTES = 200_000_000
_MAX_MB = MAX_FILE_BYTES // 1_000_000
_SET_NAMESPACE = uuid.UUID("5b0c6a2e-8f3d-4b1e-9a51-6c0e2f7d9a13")


_VERSION = re.compile(rb'"schema_version"\s*:\s*(\d+)')


class ReadOnlyStoreError(RuntimeError):
    """The store was opened read-only (files from a newer calftimer); nothing is written."""


class HistoryFileError(Exception):
    """A history file that cannot be used; ``problems`` names each bad field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems[:3]))
        self.problems = problems


class HistoryReadError(HistoryFileError):
    """The file could not be read right now (locked, I/O error): not damage, never quarantined."""


class NewerSchemaError(HistoryFileError):
    """The file was written by a newer calftimer: the store turns read-only, nothing is moved."""


class UnsavableHistoryError(ValueError):
    """The content would not read back (a value JSON cannot hold, a record our reader refuses):
    nothing was written. ``problems`` names each bad field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(_("not saved: {problems}").format(problems="; ".join(problems[:3])))
        self.problems = problems


class Store:
    """All history in memory plus the files it came from. Thread-safe: the window reads while
    a background writer saves."""

    def __init__(self, root: Path, wall_clock: WallClock = utc_now) -> None:
        self.root = root
        self.history_dir = root / "history"
        self.sessions_dir = self.history_dir / "sessions"
        self.months_dir = self.history_dir / "months"
        self.backups_dir = root / "backups"
        self.damaged_dir = root / "damaged"
        self.merged_dir = root / "merged"
        self._lock_path = self.history_dir / ".write-lock"
        self._wall_clock = wall_clock
        self._sessions: dict[str, SessionDoc] = {}
        self._home: dict[str, Path] = {}  # the file each session is kept in
        self._by_file: dict[Path, set[str]] = {}  # the reverse: what each file holds
        self._stamps: dict[Path, tuple[int, ...]] = {}
        self._strays: dict[str, Path] = {}  # session files whose session lives in an archive
        self._deferred: list[Path] = []  # month archives not read yet, oldest first
        self._dirty: set[Path] = set()  # archives to rewrite with merged duplicates
        self._unreadable: dict[Path, tuple[int, ...]] = {}  # refresh: versions that failed
        self._load_lock = threading.Lock()
        self._mem = threading.RLock()
        self._held = threading.local()  # how deep this thread is inside _write_lock()
        self.notices: list[Notice] = []
        self.read_only = False
        self.written_by_newer = False  # read-only because a newer calftimer wrote a file
        self._reading_only = False  # opened with write=False: nothing on disk changes at all

    # ------------------------------------------------------------------------ opening

    @classmethod
    def open(cls, root: Path, wall_clock: WallClock = utc_now, *, write: bool = True) -> Store:
        """Open the history in ``root``. With ``write=False`` (a dry run, a look) nothing on
        disk is created, repaired, merged or moved: damaged files are read as far as they can
        be and left as they are."""
        store = cls(root, wall_clock)
        store._reading_only = not write
        store._load()
        return store

    def _load(self) -> None:
        self.written_by_newer = self._has_newer_files()
        self.read_only = self.written_by_newer or self._reading_only
        if self.written_by_newer:
            self._note(
                "warning",
                _(
                    "Your history in {history_dir} was written by a newer calftimer. It is open "
                    "read-only: nothing you do now will be saved. Update calftimer to train."
                ).format(history_dir=self.history_dir),
            )
        elif not self.read_only:
            try:
                for folder in (self.sessions_dir, self.months_dir):
                    folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                self.read_only = True
                self._note(
                    "error",
                    _(
                        "The history folder {history_dir} cannot be used ({reason}); nothing "
                        "will be saved until it can."
                    ).format(history_dir=self.history_dir, reason=exc.strerror or exc),
                )
            if not self.read_only:
                self._tidy(_("upgrade the old history file"), self._migrate_legacy)
                self._tidy(_("merge sync conflict copies"), self._merge_conflict_copies)
        cutoff = _month_before(self._wall_clock(), EAGER_MONTHS - 1)
        with _collector_paused():
            for folder in (self.months_dir, self.sessions_dir):
                if not folder.is_dir():
                    continue
                for path in sorted(folder.glob("*.json")):
                    if conflict_base_name(path.name) is not None:
                        continue
                    if folder == self.months_dir and path.stem < cutoff:
                        self._deferred.append(path)
                    else:
                        self._load_file(path)
        if not self.read_only:
            self._tidy(_("merge a session kept twice"), self._write_dirty)
            self._tidy(_("pick up unfinished saves"), self._adopt_temp_files)
            self._tidy(_("close interrupted sessions"), self._close_interrupted_sessions)
            self._tidy(_("move past sessions into their month files"), self.compact)

    def _tidy(self, what: str, step: Callable[[], object]) -> None:
        """Housekeeping at start-up must never keep the history from opening: a step that
        fails (a file held by another program, an odd file where a folder should be) is
        reported and tried again next time."""
        try:
            step()
        except (OSError, ValueError) as exc:
            self._note(
                "warning",
                # Translators: {what} is a step such as "merge sync conflict copies".
                _(
                    "Could not {what} this time ({exc}); calftimer will try again next start. "
                    "Nothing was lost."
                ).format(what=what, exc=exc),
            )

    def _has_newer_files(self) -> bool:
        for folder in (self.months_dir, self.sessions_dir):
            if not folder.is_dir():
                continue
            for path in folder.glob("*.json"):
                try:
                    with open_user_file(path) as (handle, _unused):  # never a pipe: no hang
                        head = handle.read(200)
                        match = _VERSION.search(head)
                        if match is None:  # we write it first; another writer may not
                            match = _VERSION.search(head + handle.read(MAX_FILE_BYTES))
                except (UserFileError, OSError):
                    continue
                if match and int(match[1]) > SCHEMA_VERSION:
                    return True
        return False

    def _load_file(self, path: Path) -> None:
        # The stamp is taken before reading: if another process writes in between, the
        # stamps differ at our next save and its records are merged, not overwritten.
        stamp = self._stamp(path)
        try:
            sessions = self._read_sessions(path)
        except HistoryReadError as exc:
            self._note(
                "warning",
                _(
                    "{rel} could not be read just now ({problems}); it was left as it is and "
                    "will be "
                    "read again next time. Until then that part of your history is not shown."
                ).format(rel=self._rel(path), problems=exc.problems[0]),
            )
            return
        except NewerSchemaError:
            self._turn_read_only(path)
            sessions = self._read_sessions(path)
        except HistoryFileError as exc:
            if self.read_only:
                sessions = self._readable_part_in_memory(path, exc.problems)
            else:
                try:
                    # Under the write lock, so that two processes opening one damaged file
                    # never both repair it; _recover reads the file again under the lock.
                    with self._write_lock():
                        sessions = self._recover(path, exc.problems)
                except HistoryReadError as err:
                    self._note(
                        "warning",
                        _(
                            "{rel} could not be read just now ({problems}); it was left as it is "
                            "and will be "
                            "read again next time."
                        ).format(rel=self._rel(path), problems=err.problems[0]),
                    )
                    return
                except NewerSchemaError:
                    self._turn_read_only(path)
                    sessions = self._read_sessions(path)
                except (OSError, ValueError) as err:
                    self._note(
                        "error",
                        _(
                            "{rel} is damaged ({problems}) and could not be repaired just now "
                            "({err}); it "
                            "was left as it is and calftimer will try again next start."
                        ).format(rel=self._rel(path), problems=exc.problems[0], err=err),
                    )
                    return
            stamp = self._stamp(path)
        self._stamps[path] = stamp
        with self._mem:
            if path.parent == self.sessions_dir and len(sessions) != 1:
                # Not a session file after all (a month-shaped file dropped here): its sessions
                # belong in their archives, and compaction moves them there.
                for session in sessions:
                    month = self.months_dir / f"{month_of(session)}.json"
                    self._add_loaded(session, month)
                    self._strays[session["id"]] = path
                return
            for session in sessions:
                self._add_loaded(session, path)

    def _add_loaded(self, session: SessionDoc, path: Path) -> None:
        known = self._sessions.get(session["id"])
        if known is not None:
            # The same session in two files (a crash between compaction steps, or a device
            # that saved into a session file after another compacted it): keep every record;
            # the archive is its home, and compaction folds the session file into it.
            session, _unused = merge_sessions(known, session)
            home = self._home[session["id"]]
            if home != path and home.parent == path.parent == self.months_dir:
                # One session in two archives: write the merged copy to its home now, before
                # a write of the other archive (which no longer lists it) could lose records.
                self._dirty.add(home)
            if home != path:
                self._strays[session["id"]] = path if home.parent == self.months_dir else home
                if home.parent == self.months_dir:
                    path = home
        self._sessions[session["id"]] = session
        self._set_home(session["id"], path)

    def _read_raw(self, path: Path) -> bytes:
        """The bytes of one history file. Raises HistoryReadError when it cannot be read now
        (or is not a regular file: a pipe in the folder must never hang the app) and
        HistoryFileError when it is too large to be a history file."""
        try:
            return read_user_file(path, MAX_FILE_BYTES)
        except UserFileError as exc:
            if exc.why == "size":
                raise HistoryFileError(
                    [_("{name}: larger than {MAX_MB} MB").format(name=path.name, MAX_MB=_MAX_MB)]
                ) from exc
            raise HistoryReadError(
                [_("{name}: {problem}").format(name=path.name, problem=exc.problem)]
            ) from exc

    def _read_sessions(self, path: Path) -> list[SessionDoc]:
        """Parse and validate one history file; raises HistoryFileError naming every problem."""
        return parse_history_bytes(self._read_raw(path), path.name, allow_newer=self.read_only)

    def _readable_part_in_memory(self, path: Path, problems: list[str]) -> list[SessionDoc]:
        """Read-only: show what can be read of a damaged file and change nothing on disk."""
        salvaged = None
        with contextlib.suppress(HistoryFileError):
            salvaged = salvage_history_bytes(self._read_raw(path), path.name)
        sessions = salvaged[0] if salvaged is not None else []
        shown = (
            _("; what could be read is shown ({sessions})").format(
                sessions=_plural(len(sessions), "session")
            )
            if sessions
            else ""
        )
        self._note(
            "error",
            _("{rel} could not be read in full and was left as it is ({problems}){shown}.").format(
                rel=self._rel(path), problems=problems[0], shown=shown
            ),
        )
        return sessions

    def _recover(self, path: Path, problems: list[str]) -> list[SessionDoc]:
        """Repair a damaged file, keeping every record that can be read. Runs under the write
        lock, and reads the file again first: another process may have repaired it already.

        A byte-identical copy goes to damaged/ first. If the file's records can be read one by
        one, the readable ones, merged with the newest readable backup, are written back and
        the others are set aside (they stay in the copy; a note beside it names each and says
        why). Otherwise the newest readable backup is restored. Each step replaces the file
        atomically, so a crash in between leaves it to be handled at the next start.
        """
        raw: bytes | None
        try:
            raw = read_user_file(path, MAX_FILE_BYTES)
        except UserFileError as exc:
            if is_missing(exc):
                return []  # moved aside by another process meanwhile, which said so
            if exc.why != "size":
                raise HistoryReadError(
                    [_("{name}: {problem}").format(name=path.name, problem=exc.problem)]
                ) from exc
            raw = None  # too large to read: moved aside whole, not copied
        if raw is not None:
            try:
                return parse_history_bytes(raw, path.name, allow_newer=False)
            except NewerSchemaError:
                raise
            except HistoryFileError as exc:
                problems = exc.problems  # the file as it is now
        salvaged = salvage_history_bytes(raw, path.name) if raw is not None else None
        moved = self._quarantine(path, data=raw)
        backup, backup_sessions = self._newest_readable_backup(path)
        kept, aside = salvaged if salvaged is not None else ([], [])
        if kept and (path.parent != self.sessions_dir or len(kept) == 1):
            return self._write_salvaged(path, kept, aside, moved, backup_sessions)
        if backup is not None:
            write_atomic(path, self._read_raw(backup))
            when = datetime.fromtimestamp(backup.stat().st_mtime, UTC).astimezone()
            self._note(
                "warning",
                _(
                    "{rel} was damaged ({problems}). It was moved to {moved} and the backup from "
                    "{when:%Y-%m-%d %H:%M} was restored ({sets})."
                ).format(
                    rel=self._rel(path),
                    problems=problems[0],
                    moved=moved,
                    when=when,
                    sets=_plural(sum(len(s["sets"]) for s in backup_sessions), "set"),
                ),
            )
            return backup_sessions
        with contextlib.suppress(OSError):
            path.unlink()  # the copy in damaged/ is byte-identical
        fsync_dir(path.parent)
        self._stamps.pop(path, None)
        self._note(
            "error",
            _(
                "{rel} was damaged ({problems}) and no readable backup exists. It was moved to "
                "{moved}, untouched, so it can still be repaired by hand."
            ).format(rel=self._rel(path), problems=problems[0], moved=moved),
        )
        return []

    def _newest_readable_backup(self, path: Path) -> tuple[Path | None, list[SessionDoc]]:
        for backup in self._backups_of(path):
            try:
                return backup, self._read_sessions(backup)
            except HistoryFileError:
                continue
        return None, []

    def _write_salvaged(
        self,
        path: Path,
        kept: list[SessionDoc],
        aside: list[SetAside],
        moved: Path,
        backup_sessions: list[SessionDoc],
    ) -> list[SessionDoc]:
        """Write back the readable records of a damaged file (plus what its newest readable
        backup holds) and leave a note in damaged/ naming each record set aside."""
        merged: dict[str, SessionDoc] = {}
        merge_into(merged, kept)  # one session twice in the file: keep every record of both
        merge_into(merged, backup_sessions)  # what the damage took may be there, readable
        if path.parent == self.sessions_dir:
            merged = {sid: s for sid, s in merged.items() if sid == kept[0]["id"]}
        sessions = list(merged.values())
        self._write_file(path, sessions, replacing_damaged=True)
        note = self._write_note(path, moved, aside)
        present = {r["id"] for s in sessions for key in ("sets", "tests", "pain") for r in s[key]}
        present |= set(merged)
        restored = sum(1 for a in aside if a.record_id in present)
        from_backup = (
            _(" The backup held a readable copy of {restored} of them, which is kept.").format(
                restored=restored
            )
            if restored
            else ""
        )
        self._note(
            "warning",
            n_(
                "{rel} held {records} that could not be read ({problem}); it was set aside and "
                "the other records kept ({sessions}).{from_backup} The file as it was is in "
                "{moved}; {note} beside it says which records and why.",
                "{rel} held {records} that could not be read ({problem}); they were set aside "
                "and the other records kept ({sessions}).{from_backup} The file as it was is in "
                "{moved}; {note} beside it says which records and why.",
                len(aside),
            ).format(
                rel=self._rel(path),
                records=_plural(len(aside), "record"),
                problem=aside[0].problems[0],
                sessions=_plural(len(sessions), "session"),
                from_backup=from_backup,
                moved=moved,
                note=note.name,
            ),
        )
        return sessions

    def _write_note(self, path: Path, moved: Path, aside: list[SetAside]) -> Path:
        note = moved.with_name(moved.name + ".txt")
        lines = [
            f"calftimer could not read {_plural_en(len(aside), 'record')} of {self._rel(path)} on "
            f"{self._wall_clock().astimezone():%Y-%m-%d %H:%M:%S} and set "
            f"{'it' if len(aside) == 1 else 'them'} aside. Every other record was kept.",
            f"The whole file, as it was, is beside this note: {moved.name}",
            "",
            "Records set aside (where they are in that file, and why):",
            *(f"- {a.describe()}" for a in aside),
            "",
        ]
        write_atomic(note, "\n".join(lines).encode("utf-8", "backslashreplace"))
        return note

    def _quarantine(self, path: Path, *, data: bytes | None = None) -> Path:
        """Put ``path`` into damaged/: with ``data`` (its bytes as read) a copy is written
        and fsynced and the file stays; without, the file itself is moved."""
        self.damaged_dir.mkdir(parents=True, exist_ok=True)
        stamp = self._wall_clock().strftime("%Y%m%dT%H%M%S")
        target = self.damaged_dir / f"{path.name}.{stamp}"
        n = 1
        while target.exists():
            n += 1
            target = self.damaged_dir / f"{path.name}.{stamp}-{n}"
        if data is not None:
            write_atomic(target, data)
        else:
            replace_with_retry(path, target)
            fsync_dir(path.parent)
            self._stamps.pop(path, None)
        fsync_dir(self.damaged_dir)
        return target

    def _backup_path(self, path: Path, generation: int) -> Path:
        rel = path.relative_to(self.root)
        return self.backups_dir / rel.parent / f"{rel.name}.{generation}"

    def _backups_of(self, path: Path) -> list[Path]:
        return [
            b
            for g in range(1, BACKUP_GENERATIONS + 1)
            if (b := self._backup_path(path, g)).exists()
        ]

    def _rotate_backups(self, path: Path, *, fresh_copy: bytes | None = None) -> None:
        """Keep the version about to be replaced (or ``fresh_copy``) as backup 1; older ones
        shift to 2 and 3."""
        if fresh_copy is None and not path.exists():
            return
        oldest = self._backup_path(path, BACKUP_GENERATIONS)
        oldest.parent.mkdir(parents=True, exist_ok=True)
        for g in range(BACKUP_GENERATIONS - 1, 0, -1):
            src = self._backup_path(path, g)
            if src.exists():
                replace_with_retry(src, self._backup_path(path, g + 1))
        first = self._backup_path(path, 1)
        if fresh_copy is not None:
            write_atomic(first, fresh_copy)
            return
        try:
            os.link(path, first)  # the old inode stays as the backup: no copy needed
        except OSError:
            shutil.copy2(path, first)

    # ------------------------------------------------------------- legacy and conflicts

    def _migrate_legacy(self) -> None:
        legacy = self.root / LEGACY_FILE
        if not legacy.exists():
            return
        with self._write_lock():  # and look again: another process may have upgraded it
            if legacy.exists():
                self._migrate_legacy_locked(legacy)

    def _migrate_legacy_locked(self, legacy: Path) -> None:
        aside: list[SetAside] = []
        try:
            raw = self._read_raw(legacy)
        except HistoryReadError:
            raise  # not damage: reported by _tidy, tried again next start
        except HistoryFileError as exc:
            moved = self._quarantine(legacy)
            self._note(
                "error",
                _(
                    "The old history file could not be upgraded ({problems}); it was moved to "
                    "{moved}."
                ).format(problems=exc.problems[0], moved=moved),
            )
            return
        try:
            sessions = parse_history_bytes(raw, LEGACY_FILE, allow_newer=False)
        except HistoryFileError as exc:
            salvaged = salvage_history_bytes(raw, LEGACY_FILE)
            if salvaged is None or not salvaged[0]:
                moved = self._quarantine(legacy)
                self._note(
                    "error",
                    _(
                        "The old history file could not be upgraded ({problems}); it was moved to "
                        "{moved}."
                    ).format(problems=exc.problems[0], moved=moved),
                )
                return
            sessions, aside = salvaged
        stamp = self._wall_clock().strftime("%Y%m%dT%H%M%S")
        upgrade_dir = self.backups_dir / f"upgrade-v1-{stamp}"
        upgrade_dir.mkdir(parents=True, exist_ok=True)
        write_atomic(upgrade_dir / LEGACY_FILE, raw)  # the upgrade backup comes first
        by_month: dict[str, list[SessionDoc]] = {}
        for session in sessions:
            by_month.setdefault(month_of(session), []).append(session)
        for month, items in sorted(by_month.items()):
            self._merge_into_month(month, items)
        if aside:
            moved = self._quarantine(legacy, data=raw)
            note = self._write_note(legacy, moved, aside)
            self._note(
                "warning",
                n_(
                    "{records} of the old history file could not be read ({problem}) and was set "
                    "aside; {note} says which and why.",
                    "{records} of the old history file could not be read ({problem}) and were set "
                    "aside; {note} says which and why.",
                    len(aside),
                ).format(
                    records=_plural(len(aside), "record"),
                    problem=aside[0].problems[0],
                    note=note,
                ),
            )
        legacy.unlink()
        fsync_dir(self.root)
        self._note(
            "info",
            _(
                "Your history was upgraded to the new format ({sessions}). The old file is kept in "
                "{upgrade_dir}."
            ).format(sessions=_plural(len(sessions), "session"), upgrade_dir=upgrade_dir),
        )

    def _merge_conflict_copies(self) -> None:
        for folder in (self.months_dir, self.sessions_dir):
            for path in sorted(folder.iterdir()):
                base_name = conflict_base_name(path.name)
                if base_name is None or not path.is_file():
                    continue
                with self._write_lock():  # another process may be merging the same copy
                    self._merge_conflict_copy(folder, path, base_name)

    def _merge_conflict_copy(self, folder: Path, path: Path, base_name: str) -> None:
        """Merge one conflict copy into its file (under the write lock). A copy with some
        unreadable records has its readable ones merged and goes to damaged/ with a note."""
        if not path.is_file():
            return  # merged (and moved) by another process meanwhile
        read = self._read_conflict_copy(path, busy_raises=True)
        if read is None:
            return
        theirs, aside = read
        base = folder / base_name
        mine: dict[str, SessionDoc] = {}
        if base.exists():
            try:
                mine = {s["id"]: s for s in self._read_sessions(base)}
            except HistoryFileError as exc:
                mine = {s["id"]: s for s in self._recover(base, exc.problems)}
        new_sessions, new_records = merge_into(mine, theirs)
        if folder == self.sessions_dir:
            # A session file holds one session; any other goes to its archive.
            own = [s for s in mine.values() if s["id"] == base.stem]
            others = [s for s in mine.values() if s["id"] != base.stem]
            if own:
                self._write_file(base, own)
            for other in others:
                month = self.months_dir / f"{month_of(other)}.json"
                current = {s["id"]: s for s in self._sessions_in(month)}
                merge_into(current, [other])
                self._write_file(month, list(current.values()))
        elif mine:
            self._write_file(base, list(mine.values()))
        self._finish_conflict_copy(path, base_name, new_sessions, new_records, aside)

    def _read_conflict_copy(
        self, path: Path, *, busy_raises: bool
    ) -> tuple[list[SessionDoc], list[SetAside]] | None:
        """The readable sessions of a conflict copy and the records set aside; None when
        nothing in it could be read (it was moved to damaged/ and the user told) or, unless
        ``busy_raises``, when it cannot be read just now (being written: merged next time)."""
        try:
            return self._read_sessions(path), []
        except HistoryReadError:
            if busy_raises:
                raise  # not damage: reported by _tidy, tried again next start
            return None
        except HistoryFileError as exc:
            salvaged = None
            with contextlib.suppress(HistoryFileError):
                salvaged = salvage_history_bytes(self._read_raw(path), path.name)
            if salvaged is None or not salvaged[0]:
                moved = self._quarantine(path)
                self._note(
                    "warning",
                    _(
                        "A sync conflict copy could not be read ({problems}); it was moved to "
                        "{moved}."
                    ).format(problems=exc.problems[0], moved=moved),
                )
                return None
            return salvaged

    def _finish_conflict_copy(
        self,
        path: Path,
        base_name: str,
        new_sessions: int,
        new_records: int,
        aside: list[SetAside],
    ) -> None:
        """A merged conflict copy goes to merged/; one with unreadable records to damaged/ with
        a note saying which and why. Either way the user is told what was new."""
        what = _("{sessions} and {records} were new").format(
            sessions=_plural(new_sessions, "session"), records=_plural(new_records, "record")
        )
        if aside:
            moved = self._quarantine(path)
            note = self._write_note(path, moved, aside)
            self._note(
                "warning",
                _(
                    "Merged the readable records of the sync conflict copy {name} into {base_name} "
                    "({what}); {records} could not be read ({problem}). The copy was moved to "
                    "{moved}; {note} beside it says which records and why."
                ).format(
                    name=path.name,
                    base_name=base_name,
                    what=what,
                    records=_plural(len(aside), "record"),
                    problem=aside[0].problems[0],
                    moved=moved,
                    note=note.name,
                ),
            )
            return
        self.merged_dir.mkdir(parents=True, exist_ok=True)
        replace_with_retry(path, self._unique(self.merged_dir / path.name))
        fsync_dir(path.parent)
        self._note(
            "info",
            _(
                "Merged the sync conflict copy {name} into {base_name} ({what}). The copy is "
                "kept in {merged_dir}."
            ).format(name=path.name, base_name=base_name, what=what, merged_dir=self.merged_dir),
        )

    def _adopt_temp_files(self) -> None:
        """A temp file left by a crash holds a save that never returned: merge what it has."""
        for folder in (self.months_dir, self.sessions_dir):
            for tmp in folder.iterdir():
                if not is_temp_file(tmp):
                    continue
                if self._pid_alive(tmp):
                    continue
                try:
                    sessions = self._read_sessions(tmp)
                except HistoryFileError:
                    sessions = []
                if sessions:
                    self.merge_sessions(sessions)
                with contextlib.suppress(OSError):
                    tmp.unlink()

    @staticmethod
    def _pid_alive(tmp: Path) -> bool:
        """Temp files carry their writer's pid: leave those of a live process alone."""
        try:
            pid = int(tmp.name.rsplit(".", 3)[-3])
        except (ValueError, IndexError):
            return False
        if pid == os.getpid():
            return False
        try:
            os.kill(pid, 0)
        except PermissionError:
            return True  # it exists, owned by someone else
        except (OSError, OverflowError):
            return False
        return True

    def _close_interrupted_sessions(self) -> None:
        now = self._wall_clock()
        with self._mem:
            loaded = list(self._sessions.values())  # running sessions are never in old months
        for session in loaded:
            if session["status"] != "running":
                continue
            times = [s["ended_at"] for s in session["sets"]] or [session["started_at"]]
            last = max(_instant(t) for t in times)
            if now - last < STALE_RUNNING:
                continue  # may still be running on another device
            self.end_session(session["id"], "abandoned", last)
            self._note(
                "info",
                n_(
                    "A session of {when} was interrupted; its {n} set is kept.",
                    "A session of {when} was interrupted; its {n} sets are kept.",
                    len(session["sets"]),
                ).format(
                    when=format_date(
                        last.astimezone(),
                        _("{day:02d} {month_short} {hour:02d}:{minute:02d}"),
                    ),
                    n=len(session["sets"]),
                ),
            )

    # ------------------------------------------------------------------------- queries

    @property
    def fully_loaded(self) -> bool:
        return not self._deferred

    def ensure_loaded(self) -> int:
        """Read the older month archives left out at start-up (newest first); returns how many
        were read. Safe to call from any thread, any number of times."""
        with self._load_lock:
            if not self._deferred:
                return 0
            count = 0
            with _collector_paused(freeze=True):
                for path in reversed(self._deferred):
                    if path not in self._stamps:  # not already read by a write since
                        self._load_file(path)
                        count += 1
            self._deferred.clear()
            if not self.read_only:
                self._write_dirty()
            return count

    def refresh_from_disk(self) -> bool:
        """Pick up what another process changed in the history folders since we read them
        (``calftimer import`` from a terminal, a sync service delivering another device's
        sessions or a conflict copy); returns whether the history in memory changed.

        Only files whose stamp changed, or that are new, are read again, and what they hold is
        merged by record id into what is in memory, so nothing is ever lost; our own writes
        left their stamps, so they are never read back. Month files not read yet
        (``ensure_loaded``) are left to it. Conflict copies are merged and moved to
        ``merged/`` as at opening. Run it where the store's writes run (the writer thread):
        then no save of ours is half done while it looks.
        """
        with self._mem:
            before = dict(self._sessions)  # references only: merging makes new documents
        deferred = set(self._deferred)
        conflicts: list[tuple[Path, Path]] = []
        with _collector_paused():
            for folder in (self.months_dir, self.sessions_dir):
                try:
                    present = sorted(folder.glob("*.json"))
                except OSError:
                    continue
                for path in present:
                    base_name = conflict_base_name(path.name)
                    if base_name is not None:
                        conflicts.append((path, folder / base_name))
                        continue
                    if path in self._stamps:
                        if self._stamps[path] == self._stamp(path):
                            continue
                    elif path in deferred:
                        continue  # ensure_loaded reads it, as it is then
                    self._reread_changed(path)
                self._forget_vanished(folder, set(present))
        if conflicts and not self.read_only:
            self._tidy(
                _("merge sync conflict copies"), lambda: self._merge_arrived_conflicts(conflicts)
            )
        with self._mem:
            if len(self._sessions) != len(before):
                return True
            return any(
                doc is not before.get(sid) and doc != before.get(sid)
                for sid, doc in self._sessions.items()
            )

    def _reread_changed(self, path: Path) -> None:
        """Read ``path`` again (it changed or is new), merging it into memory; a file that
        cannot be read just now is tried again when it changes, not at every refresh."""
        stamp = self._stamp(path)
        if self._unreadable.get(path) == stamp:
            return  # already said so for this very version of the file
        self._load_file(path)  # damage and newer files are handled as at opening
        if self._stamps.get(path) != stamp and path.exists():
            self._unreadable[path] = stamp
        else:
            self._unreadable.pop(path, None)

    def _forget_vanished(self, folder: Path, present: set[Path]) -> None:
        """Files another process removed (compaction moved their sessions into a month file,
        read just before): forget their stamps. Sessions stay in memory whatever happens."""
        # list() copies in one step: the background read may add stamps meanwhile.
        for path in [p for p in list(self._stamps) if p.parent == folder and p not in present]:
            if path.exists():
                continue  # a conflict copy's base or a file listed a moment too early
            self._stamps.pop(path, None)
        with self._mem:
            for sid, path in list(self._strays.items()):
                if path.parent == folder and not path.exists():
                    del self._strays[sid]  # nothing left to fold into its archive

    def _merge_arrived_conflicts(self, conflicts: list[tuple[Path, Path]]) -> None:
        """Merge conflict copies that arrived while the history was open, each under the write
        lock (another process opening the history may be merging the same copy)."""
        for path, base in conflicts:
            with self._write_lock():
                self._merge_arrived_conflict(path, base)

    def _merge_arrived_conflict(self, path: Path, base: Path) -> None:
        """Like ``_merge_conflict_copy`` at opening, except that memory may hold records of
        ours too: they merge through ``merge_sessions``, which starts from memory plus disk, so
        neither side can be lost. A copy with unreadable records has its readable ones merged
        and goes to damaged/ with a note, as at opening."""
        if not path.is_file():
            return  # merged (and moved) by another process meanwhile
        read = self._read_conflict_copy(path, busy_raises=False)
        if read is None:
            return
        theirs, aside = read
        rest: list[SessionDoc] = []
        added = [0, 0]
        for session in theirs:
            with self._mem:
                known = session["id"] in self._sessions
            if base.parent == self.sessions_dir and session["id"] == base.stem and not known:
                # The copy of a session file whose original we never saw: it gets that file,
                # as a session of this month should (not a month archive).
                self._save_session(session, base)
                added[0] += 1
            else:
                rest.append(session)
        new_sessions, new_records = self.merge_sessions(rest)
        added[0] += new_sessions
        added[1] += new_records
        self._finish_conflict_copy(path, base.name, added[0], added[1], aside)

    def sessions(self) -> list[SessionDoc]:
        """Every session, oldest first. The records are shared, not copied: read them and
        change them only through the store's methods. Reads the whole history first."""
        self.ensure_loaded()
        return self.loaded_sessions()

    def loaded_sessions(self) -> list[SessionDoc]:
        """The sessions read so far, oldest first, without reading anything more: at start-up
        the recent months only (see ``fully_loaded``). Cheap enough for the window's thread."""
        with self._mem:
            items = list(self._sessions.values())
        items.sort(key=lambda s: s["started_at"])
        return items

    def session(self, session_id: str) -> SessionDoc:
        with self._mem:
            found = self._sessions.get(session_id)
        if found is None:
            self.ensure_loaded()
            with self._mem:
                return self._sessions[session_id]
        return found

    def set_count(self) -> int:
        self.ensure_loaded()
        with self._mem:
            return count_sets(self._sessions.values())

    # ------------------------------------------------------------------------- writing

    def begin_session(self, program_id: str, program_name: str, started_at: datetime) -> str:
        session = new_session(program_id, program_name, started_at)
        self._save_session(session, self.sessions_dir / f"{session['id']}.json")
        return session["id"]

    def add_set(self, session_id: str, record: SetRecord) -> SetDoc:
        """Store a completed set; it is on disk when this returns.

        The record's id follows from the session and the set's place in it, so a set redone
        after "back" replaces its earlier result instead of counting twice.
        """
        doc = set_doc(
            record, set_id=str(uuid.uuid5(_SET_NAMESPACE, f"{session_id}/{record.work.index}"))
        )

        def put(session: SessionDoc) -> None:
            kept = [s for s in session["sets"] if s["id"] != doc["id"]]
            if len(kept) != len(session["sets"]):
                doc["updated_at"] = iso(self._wall_clock())
            session["sets"] = [*kept, doc]

        self._change(session_id, put)
        return doc

    def add_test_result(
        self,
        session_id: str,
        left_reps: int | None,
        right_reps: int | None,
        heel_height_cm: float | None = None,
    ) -> TestResultDoc:
        doc = TestResultDoc(
            id=new_id(),
            left_reps=left_reps,
            right_reps=right_reps,
            heel_height_cm=heel_height_cm,
            recorded_at=iso(self._wall_clock()),
        )
        self._change(session_id, lambda s: s["tests"].append(doc))
        return doc

    def add_pain(self, session_id: str, when: str, rating: int) -> PainDoc:
        if when not in ("during", "next_morning") or not 0 <= rating <= 10:
            raise ValueError("pain is rated 0-10, during the session or the next morning")
        doc = PainDoc(
            id=new_id(),
            when="during" if when == "during" else "next_morning",
            rating=rating,
            recorded_at=iso(self._wall_clock()),
        )
        self._change(session_id, lambda s: s["pain"].append(doc))
        return doc

    def end_session(self, session_id: str, status: str, ended_at: datetime) -> None:
        if status not in ("finished", "abandoned"):
            raise ValueError(f"a session ends finished or abandoned, not {status!r}")

        def end(session: SessionDoc) -> None:
            if session["status"] == "finished":
                return  # a finished session stays finished, whatever comes later
            session["status"] = status
            session["ended_at"] = iso(ended_at)

        self._change(session_id, end)

    def merge_sessions(self, incoming: Iterable[SessionDoc]) -> tuple[int, int]:
        """Merge sessions from elsewhere (import, sync) by id; returns (new sessions, new
        records). Idempotent: merging the same data twice adds nothing."""
        self._require_writable()
        by_file: dict[Path, list[SessionDoc]] = {}
        with self._mem:
            for session in incoming:
                home = (
                    self._home.get(session["id"]) or self.months_dir / f"{month_of(session)}.json"
                )
                by_file.setdefault(home, []).append(session)
        totals = [0, 0]
        for path, items in by_file.items():
            with self._write_lock():
                current = {s["id"]: s for s in self._sessions_in(path)}
                new_sessions, new_records, changed = merge_changes(current, items)
                if new_sessions or new_records or changed:
                    self._write_file(path, list(current.values()))
            totals[0] += new_sessions
            totals[1] += new_records
        return totals[0], totals[1]

    def compact(self) -> int:
        """Move finished sessions of past months from their own files into the month archive,
        so the number of files stays small over the years. Returns sessions moved."""
        if self.read_only:
            return 0
        this_month = self._wall_clock().strftime("%Y-%m")
        by_month: dict[str, list[str]] = {}
        with self._mem:
            # Only sessions in session files (always read at start) are ever compacted.
            candidates = sorted(self._sessions.values(), key=lambda s: s["started_at"])
        for session in candidates:
            home = self._home[session["id"]]
            if (
                home.parent == self.sessions_dir
                and session["status"] != "running"
                and month_of(session) < this_month
            ) or session["id"] in self._strays:
                by_month.setdefault(month_of(session), []).append(session["id"])
        moved = 0
        for month, ids in sorted(by_month.items()):
            path = self.months_dir / f"{month}.json"
            with self._write_lock():
                # Re-read each session file under the lock: a save made elsewhere since we
                # loaded must reach the archive before its file is removed.
                files = []
                for sid in ids:
                    file = self._strays.get(sid) or self._home[sid]
                    if file.parent == self.sessions_dir:
                        self._sessions_in(file)
                        files.append(file)
                current = {s["id"]: s for s in self._sessions_in(path)}
                with self._mem:
                    merge_into(current, [self._sessions[sid] for sid in ids])
                self._write_file(path, list(current.values()))
                for file in files:
                    with contextlib.suppress(FileNotFoundError):
                        file.unlink()  # safe: the archive holding it is on disk already
                    self._stamps.pop(file, None)
                    for backup in self._backups_of(file):
                        backup.unlink()
            for sid in ids:
                self._strays.pop(sid, None)
            moved += len(ids)
        if moved:
            fsync_dir(self.sessions_dir)
        return moved

    # ------------------------------------------------------------------------ internals

    def _merge_into_month(self, month: str, items: list[SessionDoc]) -> None:
        path = self.months_dir / f"{month}.json"
        with self._write_lock():
            current = {s["id"]: s for s in self._sessions_in(path)}
            merge_into(current, items)
            self._write_file(path, list(current.values()))

    def _sessions_in(self, path: Path) -> list[SessionDoc]:
        """What ``path`` holds now: from disk if it changed since we read it, else memory."""
        if path.exists() and self._stamps.get(path) != self._stamp(path):
            try:
                from_disk = self._read_sessions(path)
            except NewerSchemaError:
                # Another device with a newer calftimer wrote it: never overwrite that.
                self._turn_read_only(path)
                raise ReadOnlyStoreError(
                    _(
                        "{name} was written by a newer calftimer; the history is now read-only"
                    ).format(name=path.name)
                ) from None
            except HistoryReadError:
                raise  # not damage: the write fails and is reported; the file stays
            except HistoryFileError as exc:
                from_disk = self._recover(path, exc.problems)
            with self._mem:
                for session in from_disk:
                    self._add_loaded(session, path)
        with self._mem:
            # Looked up by file, not by scanning every session: a save must not cost more
            # as the years of history grow.
            return [self._sessions[sid] for sid in self._by_file.get(path, ())]

    def _change(self, session_id: str, change: Callable[[SessionDoc], None]) -> None:
        """Apply ``change`` to the latest copy of a session and write its file, all under the
        inter-process lock, so a record saved elsewhere in the meantime is kept."""
        self._require_writable()
        if session_id not in self._sessions:
            self.ensure_loaded()  # it may sit in an older month not read yet
        with self._mem:
            if session_id not in self._sessions:
                raise KeyError(f"no session {session_id!r} in the history")
            path = self._home[session_id]
        with self._write_lock():
            current = {s["id"]: s for s in self._sessions_in(path)}
            with self._mem:
                session = self._sessions[session_id]
                change(session)
                current[session_id] = session
            self._write_file(path, list(current.values()))

    def _save_session(self, session: SessionDoc, path: Path) -> None:
        self._require_writable()
        with self._write_lock():
            self._sessions_in(path)  # merge whatever another device put there first
            with self._mem:
                known = self._sessions.get(session["id"])
                if known is not None and known is not session:
                    session, _unused = merge_sessions(known, session)
                self._sessions[session["id"]] = session
                self._set_home(session["id"], path)
            self._write_file(path, [session])

    @contextlib.contextmanager
    def _write_lock(self) -> Iterator[None]:
        """The inter-process write lock, re-entrant within one thread (a second ``flock`` on a
        new handle in the same process would wait for the first forever)."""
        depth = getattr(self._held, "depth", 0)
        if depth:
            self._held.depth = depth + 1
            try:
                yield
            finally:
                self._held.depth = depth
            return
        with interprocess_lock(self._lock_path):
            self._held.depth = 1
            try:
                yield
            finally:
                self._held.depth = 0

    def _holds_write_lock(self) -> bool:
        return getattr(self._held, "depth", 0) > 0

    def _write_file(
        self, path: Path, sessions: list[SessionDoc], *, replacing_damaged: bool = False
    ) -> None:
        """Replace ``path`` with ``sessions``. Only under the write lock (checked, not
        assumed: a merge needs the file as it is on disk while nobody else writes it), and only
        with bytes that the reader accepts. ``replacing_damaged``: the file on disk is damaged
        (its copy is in damaged/), so it does not become a backup generation."""
        if not self._holds_write_lock():
            raise RuntimeError(f"{path.name}: history files are written under the write lock")
        self._require_writable()
        sessions = sorted(sessions, key=lambda s: s["started_at"])
        if path.parent == self.sessions_dir and len(sessions) != 1:
            raise ValueError(f"{path.name}: a session file holds exactly one session")
        with self._mem:
            if path.parent == self.sessions_dir:
                payload: dict[str, Any] = {
                    "kind": SESSION_KIND,
                    "schema_version": SCHEMA_VERSION,
                    "session": sessions[0],
                }
            else:
                payload = {
                    "kind": MONTH_KIND,
                    "schema_version": SCHEMA_VERSION,
                    "month": path.stem,
                    "sessions": sessions,
                }
            try:
                data = encode_json(payload, separators=(",", ":"))
            except UnwritableValueError as exc:
                raise UnsavableHistoryError([f"{path.name}: {p}" for p in exc.problems]) from exc
            try:
                parse_history_bytes(data, path.name, allow_newer=False)  # our reader's verdict
            except HistoryFileError as exc:
                raise UnsavableHistoryError(exc.problems) from exc
            for session in sessions:
                self._sessions[session["id"]] = session
                self._set_home(session["id"], path)
        month = path.parent == self.months_dir
        if not month and not replacing_damaged:
            self._rotate_backups(path)  # the version being replaced becomes backup 1
        write_atomic(path, data)
        self._remember_stamp(path)
        if month:
            # A month file is often the only copy (compaction removed the session files), so
            # its backups hold what was written, newest first, as real copies (a hard link
            # would share any later in-place damage). Month writes are rare.
            self._rotate_backups(path, fresh_copy=data)

    def _set_home(self, session_id: str, path: Path) -> None:
        old = self._home.get(session_id)
        if old == path:
            return
        if old is not None:
            self._by_file.get(old, set()).discard(session_id)
        self._home[session_id] = path
        self._by_file.setdefault(path, set()).add(session_id)

    @staticmethod
    def _stamp(path: Path) -> tuple[int, ...]:
        try:
            st = path.stat()
        except OSError:
            return (0, -1, 0, 0)
        # mtime and size alone miss a same-size replacement on file systems with coarse
        # timestamps (FAT, HFS+, SMB); every replace also gives a new inode and ctime.
        return (st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns)

    def _remember_stamp(self, path: Path) -> None:
        self._stamps[path] = self._stamp(path)

    def _write_dirty(self) -> None:
        while self._dirty:
            path = self._dirty.pop()
            with self._write_lock():
                current = {s["id"]: s for s in self._sessions_in(path)}
                self._write_file(path, list(current.values()))

    def _turn_read_only(self, path: Path) -> None:
        if not self.read_only:
            self.read_only = True
            self._note(
                "warning",
                _(
                    "{rel} was written by a newer calftimer (another device?). Your history is "
                    "read-only from now on: nothing more will be saved until you update."
                ).format(rel=self._rel(path)),
            )

    def _require_writable(self) -> None:
        if self.read_only:
            raise ReadOnlyStoreError(
                _("the history is open read-only because a newer calftimer wrote it")
            )

    def _note(self, level: str, message: str) -> None:
        self.notices.append(Notice(level, message))

    def _rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    @staticmethod
    def _unique(target: Path) -> Path:
        n = 1
        candidate = target
        while candidate.exists():
            n += 1
            candidate = target.with_name(f"{target.name}.{n}")
        return candidate


@contextlib.contextmanager
def _collector_paused(*, freeze: bool = False) -> Iterator[None]:
    """Pause the cyclic garbage collector while reading history (plain dicts and lists, no
    cycles): it would otherwise rescan the growing heap over and over. ``freeze`` then moves
    the loaded history out of later collections, so a full collection never pauses the app
    (and a cue) for the whole history."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        if freeze:
            gc.freeze()


def _plural(n: int, noun: str) -> str:
    """``"1 set"``, ``"3 sessions"``, ``"2 records"`` in the current language."""
    forms = {
        "set": n_("{n} set", "{n} sets", n),
        "session": n_("{n} session", "{n} sessions", n),
        "record": n_("{n} record", "{n} records", n),
    }
    return forms[noun].format(n=n)


def _plural_en(n: int, noun: str) -> str:
    """As ``_plural``, always in English: for the note written beside a damaged file."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _month_before(now: datetime, months: int) -> str:
    year, month = now.year, now.month - months
    while month < 1:
        year, month = year - 1, month + 12
    return f"{year:04d}-{month:02d}"


def _instant(text: str) -> datetime:
    """A stored time as an aware datetime; a time without an offset is taken as UTC."""
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return datetime.min.replace(tzinfo=UTC)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def parse_history_bytes(raw: bytes, name: str, *, allow_newer: bool) -> list[SessionDoc]:
    """The sessions in a history file (session, month or legacy), migrated to the current
    schema; raises HistoryFileError naming every problem found."""
    try:
        doc = decode_json_object(raw, limit=MAX_FILE_BYTES)
    except JsonObjectError as exc:
        raise HistoryFileError(_unreadable(exc, name)) from exc
    version, sessions, paths = _frame(doc, name, allow_newer=allow_newer)
    problems: list[str] = []
    if version <= SCHEMA_VERSION:
        for session, path in zip(sessions, paths, strict=True):
            problems += validate_session(session, path)
    else:
        # A newer schema may shape records differently: show (read-only) what this version
        # understands and leave out the rest, rather than crash on it later.
        sessions = [s for s in sessions if not validate_session(s, "session")]
    if problems:
        raise HistoryFileError([f"{name}: {p}" for p in problems])
    return sessions


def salvage_history_bytes(raw: bytes, name: str) -> tuple[list[SessionDoc], list[SetAside]] | None:
    """Record by record, what can be kept of a history file that ``parse_history_bytes``
    refused: the readable sessions (without their unreadable sets, test results and pain
    ratings) and each record set aside, with why. None when the file itself cannot be read
    as a history file (not JSON, another kind, a newer schema): then nothing can be told apart.
    """
    try:
        doc = decode_json_object(raw, limit=MAX_FILE_BYTES, lenient=True, allow_constants=True)
        _unused, items, paths = _frame(doc, name, allow_newer=False)
    except (JsonObjectError, HistoryFileError):
        return None
    kept: list[SessionDoc] = []
    aside: list[SetAside] = []
    for item, path in zip(items, paths, strict=True):
        session, bad = salvage_session(item, path)
        if session is not None:
            kept.append(session)
        aside += bad
    return kept, aside


def _unreadable(exc: JsonObjectError, name: str) -> list[str]:
    """Why the bytes of the history file ``name`` hold no history, in the store's words."""
    if exc.why == "size":
        return [f"{name}: " + _("larger than {size} MB").format(size=_MAX_MB)]
    return [f"{name}: {p}" for p in exc.problems]  # "must hold a JSON object" is one


def _frame(
    doc: dict[str, Any], name: str, *, allow_newer: bool
) -> tuple[int, list[Any], list[str]]:
    """The schema version, the (migrated) session records and their paths in the file."""
    version = doc.get("schema_version")
    if type(version) is not int or version < 1:
        raise HistoryFileError(
            [_("{name}: schema_version: must be a whole number, 1 or more").format(name=name)]
        )
    if version > SCHEMA_VERSION and not allow_newer:
        raise NewerSchemaError(
            [
                f"{name}: schema_version: "
                + _("{version} is newer than this calftimer").format(version=version)
            ]
        )
    doc = migrate(doc)
    if doc.get("kind") == SESSION_KIND:
        return version, [doc.get("session")], ["session"]
    if doc.get("kind") == MONTH_KIND:
        items = doc.get("sessions")
        if type(items) is not list:
            raise HistoryFileError([_("{name}: sessions: must be a list").format(name=name)])
        return version, items, [f"sessions[{i}]" for i in range(len(items))]
    raise HistoryFileError(
        [
            _('{name}: kind: must be "{SESSION_KIND}" or "{MONTH_KIND}"').format(
                name=name, SESSION_KIND=SESSION_KIND, MONTH_KIND=MONTH_KIND
            )
        ]
    )


# ------------------------------------------------------------------------------ migrations


def _v1_to_v2(doc: dict[str, Any]) -> dict[str, Any]:
    """Schema 1 kept everything in one ``history.json``: a flat list of sessions and a flat
    list of sets pointing at them, with older field names. Schema 2 nests sets in sessions."""

    def listed(value: Any) -> list[Any]:
        return value if type(value) is list else []

    sessions: dict[str, dict[str, Any]] = {}
    for old in listed(doc.get("sessions")):
        if type(old) is not dict:
            continue
        sessions[str(old.get("id"))] = {
            "id": old.get("id"),
            "program_id": old.get("program", ""),
            "program_name": old.get("program_name", old.get("program", "")),
            "started_at": old.get("started"),
            "ended_at": old.get("ended"),
            "status": "finished" if old.get("completed") else "abandoned",
            "sets": [],
            "tests": [],
            "pain": [],
        }
    for old in listed(doc.get("sets")):
        if type(old) is not dict:
            continue
        owner = sessions.get(str(old.get("session")))
        mode = "time" if old.get("seconds") else "reps"
        done = old.get("seconds") if mode == "time" else old.get("reps")
        record = {
            "id": old.get("id"),
            "exercise": old.get("exercise"),
            "side": old.get("side", "both"),
            "block": old.get("block", 0),
            "set": old.get("set"),
            "mode": mode,
            "planned": old.get("target"),
            "done": done,
            "tempo": old.get("tempo"),
            "load_kg": old.get("weight", 0),
            "tut_s": old.get("tut", 0),
            "started_at": old.get("start"),
            "ended_at": old.get("end"),
            "ended_by": "time",
        }
        if owner is None:
            # A set whose session line was lost still counts: give it a session of its own.
            owner = sessions.setdefault(
                str(old.get("session")),
                {
                    "id": str(old.get("session")),
                    "program_id": "",
                    "program_name": "",
                    "started_at": old.get("start"),
                    "ended_at": old.get("end"),
                    "status": "abandoned",
                    "sets": [],
                    "tests": [],
                    "pain": [],
                },
            )
        owner["sets"].append(record)
    return {
        "kind": MONTH_KIND,
        "schema_version": 2,
        "month": "",
        "sessions": list(sessions.values()),
    }


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2}


def migrate(doc: dict[str, Any]) -> dict[str, Any]:
    """Apply each migration step in turn until the document is at the current schema."""
    version = doc.get("schema_version", SCHEMA_VERSION)
    while isinstance(version, int) and version < SCHEMA_VERSION:
        doc = MIGRATIONS[version](doc)
        version = doc["schema_version"]
    return doc


# -------------------------------------------------------------------------- background saves


class BackgroundWriter:
    """Runs store writes one after another on a worker thread, so fsync never delays a cue.

    ``submit`` returns at once; ``on_done(result, error)`` is called on the worker thread (the
    Qt layer turns it into a queued signal). ``flush`` waits until every submitted write ran.
    """

    def __init__(self) -> None:
        self._queue: queue.Queue[
            tuple[Callable[[], Any], Callable[[Any, Exception | None], None] | None] | None
        ] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="calftimer-store", daemon=True)
        self._thread.start()

    def submit(
        self,
        job: Callable[[], Any],
        on_done: Callable[[Any, Exception | None], None] | None = None,
    ) -> None:
        self._queue.put((job, on_done))

    def flush(self, timeout: float | None = None) -> bool:
        if not self._thread.is_alive():
            return True  # closed: everything it was given has run
        done = threading.Event()
        self._queue.put((lambda: done.set(), None))
        return done.wait(timeout)

    def close(self, timeout: float | None = 10.0) -> None:
        self._queue.put(None)
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            job, on_done = item
            try:
                result, error = job(), None
            except Exception as exc:  # reported to the caller, never kills the writer
                result, error = None, exc
            if on_done is not None:
                on_done(result, error)
