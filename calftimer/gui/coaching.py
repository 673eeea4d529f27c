"""Coaching after a session: the summary, pain ratings, next time's targets, the heel-rise
result.

When the session controller says a session ended, the coach shows its summary, suggests next
time's targets by double progression (calftimer.core.progression) and, after a heel-rise test,
opens the results to check and save. It saves the pain ratings (during the session, and the
next morning's once a day) and applies the suggested targets to the user's own copy of the
program, with Undo. Counts corrected in the heel-rise results replace the metronome's in the
summary (the sets keep what the metronome counted).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from calftimer.core.exercise import Mode
from calftimer.core.i18n import _, weekday_name
from calftimer.core.program_files import duplicate_program
from calftimer.core.programs import Program, program_display_name
from calftimer.core.session import SetRecord, State
from calftimer.gui.home_page import HomePage
from calftimer.gui.program_commands import ProgramCommands
from calftimer.gui.session.controller import SessionController
from calftimer.gui.session_view import SessionView
from calftimer.gui.shell import Shell

if TYPE_CHECKING:
    from calftimer.core.progression import Suggestion
    from calftimer.core.store import Store
    from calftimer.gui.test_results import HeelRiseResultsDialog


class Coach(QObject):
    def __init__(
        self,
        session: SessionController,
        view: SessionView,
        home: HomePage,
        programs: ProgramCommands,
        shell: Shell,
        store: Callable[[], Store | None],
        wall_clock: Callable[[], datetime] = lambda: datetime.now().astimezone(),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._view = view
        self._home = home
        self._programs = programs
        self._shell = shell
        self._store = store
        self.wall_clock = wall_clock
        self._morning_session_id: str | None = None
        # Of the session just ended (reset when the next one starts).
        self.last_pain: dict[str, int] = {}
        self.suggestions: list[Suggestion] = []
        self._progression_undo: tuple[str, Program | None] | None = None
        self._corrected: dict[int, SetRecord] = {}  # heel-rise counts the user corrected
        self.test_results_dialog: HeelRiseResultsDialog | None = None
        session.started.connect(self._on_session_started)
        session.ended.connect(self._on_session_ended)
        view.pain_bar.rated.connect(lambda n: self.save_pain("during", n))
        view.apply_next_time_button.clicked.connect(self.apply_progression)
        view.undo_next_time_button.clicked.connect(self.undo_progression)
        home.morning_pain_bar.rated.connect(lambda n: self.save_pain("next_morning", n))

    def records(self) -> list[SetRecord]:
        """The sets of the session as the summary shows them (corrected heel-rise counts)."""
        return [self._corrected.get(r.work.index, r) for r in self._session.records]

    # ------------------------------------------------------------------ the end

    def _on_session_started(self, _timeline: object) -> None:
        self.last_pain = {}
        self.suggestions = []
        self._progression_undo = None
        self._corrected = {}

    def _on_session_ended(self, state: State) -> None:
        self._view.show_summary(self.records(), state)
        if state is State.FINISHED:
            self._show_progression()
        self._offer_test_results()

    # ------------------------------------------------------------------ pain

    def offer_morning_rating(self) -> None:
        """The first start of a day after training asks how the calves feel (once a day)."""
        from calftimer.core.pain import next_morning_candidate, should_ask

        store = self._store()
        if store is None or store.read_only:
            return
        now = self.wall_clock()
        state = self._shell.state_file()
        last = str(state.value("pain/last_asked", "") or "")
        today = now.astimezone().date()
        try:
            last_day = date.fromisoformat(last) if last else None
        except ValueError:
            last_day = None  # a damaged entry: ask, and write a good one
        if not should_ask(last_day, today):
            return
        session = next_morning_candidate(store.loaded_sessions(), now)
        if session is None:
            return
        state.setValue("pain/last_asked", today.isoformat())
        self._morning_session_id = session["id"]
        started = datetime.fromisoformat(session["started_at"]).astimezone()
        if (today - started.date()).days == 1:
            question = _(
                "Good morning. Optional: how do your calves feel after yesterday's session "
                "({program}), 0-10?"
            )
        else:
            question = _(
                "Good morning. Optional: how do your calves feel after {weekday}'s session "
                "({program}), 0-10?"
            )
        self._home.morning_pain_bar.ask(
            question.format(
                weekday=weekday_name(started.weekday()), program=program_display_name(session)
            )
        )

    def save_pain(self, when: str, rating: int) -> None:
        self.last_pain = {**self.last_pain, when: rating}
        recorder = self._session.recorder
        if recorder is None or not recorder.enabled:
            self._shell.say(_("The rating was not saved: the history is read-only."))
        else:
            session_id = self._morning_session_id if when == "next_morning" else None
            recorder.pain(when, rating, session_id)
            self._shell.say(_("Pain {rating}/10 saved. Thank you.").format(rating=rating))
        if when == "during" and self.suggestions and self._progression_undo is None:
            self._show_progression()  # the pain gate may change the advice

    # ------------------------------------------------------------------ next time

    def _show_progression(self) -> None:
        """Next time's targets by the double-progression rule, with the pain given so far."""
        from calftimer.core.pain import latest_ratings
        from calftimer.core.progression import suggest

        program = self._session.program
        if program is None:
            return
        mornings = []
        store = self._store()
        if store is not None:
            for session in store.loaded_sessions():
                rating = latest_ratings(session).get("next_morning")
                if session["program_id"] == program.id and rating is not None:
                    mornings.append(rating)
        self.suggestions = suggest(
            program,
            self.records(),
            pain_during=self.last_pain.get("during"),
            morning_pain=mornings,
            weight_unit=self._shell.settings.current.weight_unit,
        )
        changes = any(s.block is not None for s in self.suggestions)
        self._view.show_next_time([s.text for s in self.suggestions], can_apply=changes)

    def apply_progression(self) -> None:
        """Put the suggested targets into the user's own copy of the program (one click)."""
        from calftimer.core.progression import apply

        program = self._session.program
        if program is None or not any(s.block is not None for s in self.suggestions):
            return
        own = self._programs.is_own(program)
        changed = apply(program, self.suggestions)
        if not own:
            changed = duplicate_program(changed, self._programs.ids())
        if not self._programs.save(changed, failure=_("The program was not changed")):
            return
        self._progression_undo = (changed.id, program if own else None)
        self._programs.reload(select=changed.id)
        self._view.apply_next_time_button.setEnabled(False)
        self._view.undo_next_time_button.show()
        self._shell.say(_("“{name}” has next time's targets.").format(name=changed.local_name))

    @property
    def can_undo_progression(self) -> bool:
        """Next time's targets were applied after this session: Undo puts the program back."""
        return self._progression_undo is not None

    def undo_progression(self) -> None:
        if self._progression_undo is None:
            return
        program_id, previous = self._progression_undo
        self._progression_undo = None
        failure = _("The change was not undone")
        if previous is None:  # the copy it made
            done = self._programs.remove(program_id, failure=failure)
        else:
            done = self._programs.save(previous, failure=failure)
        if not done:
            return
        self._programs.reload()
        self._view.undo_next_time_button.hide()
        self._view.apply_next_time_button.setEnabled(True)
        self._shell.say(_("Undone: the program is as it was."))

    # ------------------------------------------------------------------ heel-rise test

    def _offer_test_results(self) -> None:
        """After a heel-rise test: the counts to check and save, and what they mean."""
        from calftimer.gui.test_results import HeelRiseResultsDialog

        tests = [r for r in self._session.records if r.work.mode is Mode.TEST]
        if not tests:
            return
        counts = {"left": 0, "right": 0}
        for record in tests:
            if record.work.side.value in counts:
                counts[record.work.side.value] = record.done
        dialog = HeelRiseResultsDialog(
            counts["left"],
            counts["right"],
            self._shell.settings.current,
            self.previous_test(),
            self._shell.window,
        )
        # The session is captured now: the result belongs to it even if another one has
        # started by the time the user saves.
        recorder = self._session.recorder
        session = recorder.current() if recorder is not None else None
        started_at = self._session.started_at
        dialog.accepted.connect(
            lambda: self._save_test_result(*dialog.counts(), session, started_at)
        )
        self.test_results_dialog = dialog
        dialog.open()

    def previous_test(self) -> tuple[int, int] | None:
        """The last heel-rise result with both legs, for "since the last test"."""
        store = self._store()
        if store is None:
            return None
        latest: Any = None
        for session in store.loaded_sessions():
            for test in session["tests"]:
                both = test["left_reps"] is not None and test["right_reps"] is not None
                if both and (latest is None or test["recorded_at"] > latest["recorded_at"]):
                    latest = test
        return None if latest is None else (latest["left_reps"], latest["right_reps"])

    def _save_test_result(
        self, left: int, right: int, session: int | None, started_at: datetime | None
    ) -> None:
        if started_at is not None and started_at == self._session.started_at:
            self._correct_test_counts(left, right)  # the summary shows what is saved
        recorder = self._session.recorder
        if recorder is None or not recorder.enabled:
            self._shell.say(_("The test result was not saved: the history is read-only."))
            return
        recorder.test_result(left, right, session)
        self._shell.say(
            _("Heel-rise test saved: left {left}, right {right}.").format(left=left, right=right)
        )

    def _correct_test_counts(self, left: int, right: int) -> None:
        """The counts as the user corrected them replace the metronome's in the summary (the
        sets keep what the metronome counted; the saved result holds the corrected ones)."""
        corrected = {"left": left, "right": right}
        records = self._session.records
        # The last test set of each leg is the one the dialog showed (_offer_test_results).
        last = {r.work.side.value: r for r in records if r.work.mode is Mode.TEST}
        self._corrected = {
            r.work.index: replace(r, done=corrected[side])
            for side, r in last.items()
            if side in corrected
        }
        state = self._session.state
        if state is not None and state.is_over:
            self._view.show_summary(self.records(), state)
