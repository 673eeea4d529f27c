"""Make the README's screenshots of the real window, on a real X screen (Xvfb).

    xvfb-run -a -s "-screen 0 1280x800x24" python docs/screenshots/make_screenshots.py

The window runs on a manual clock, so each picture shows an exact moment of a real session: the
exercise list, a running set (a rep), a rest with "Next:", focus mode, the end-of-session
summary, and the history (with made-up training, ``sample_history``).

To check the layout rather than to make the README's pictures:

- ``--scale 2`` lays the window out at 200 % (``QT_SCALE_FACTOR``);
- ``--size 1366x768`` sizes the window (default 1180x740, the README's size);
- ``--theme dark`` (or ``light``) uses the app's own palette instead of the system look;
- ``--only running-set summary`` makes only the pictures named;
- ``--notice "Sound is off..."`` shows a warning in the notice line;
- ``--language de`` shows the window in a language with a complete catalog (``qps``, the
  pseudo-locale, works too), with Qt's own buttons in it.

Any of these writes names with a suffix (``running-set-1366x768-dark-200-de.png``), so the
README's pictures are only ever replaced by a plain run.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

SHOTS = ("exercise-list", "running-set", "rest-next", "focus-mode", "summary", "history")
README_SIZE = (1180, 740)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--size", default="", help="window size, e.g. 1366x768")
    parser.add_argument("--theme", choices=("system", "light", "dark"), default="system")
    parser.add_argument("--only", nargs="+", choices=SHOTS, default=list(SHOTS))
    parser.add_argument("--notice", default="", help="a warning shown in the notice line")
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--language", default="", help="de, fr, ... or qps (the pseudo-locale)")
    args = parser.parse_args()
    if args.scale != 1.0:
        os.environ["QT_SCALE_FACTOR"] = str(args.scale)
    size = README_SIZE
    if args.size:
        width, _, height = args.size.partition("x")
        size = (int(width), int(height))
    suffix = "" if size == README_SIZE else f"-{size[0]}x{size[1]}"
    suffix += "" if args.theme == "system" else f"-{args.theme}"
    suffix += "" if args.scale == 1.0 else f"-{round(args.scale * 100)}"
    suffix += f"-{args.language}" if args.language else ""

    from calftimer.core import i18n

    if args.language:
        if args.language == i18n.PSEUDO_LANGUAGE:
            os.environ[i18n.PSEUDO_ENV] = "1"
        if i18n.set_language(args.language).code != args.language:
            offered = ", ".join(lang.code for lang in i18n.available_languages())
            parser.error(f"no complete catalog for {args.language!r} (there are: {offered})")

    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    from calftimer.core.catalog import CATALOG
    from calftimer.core.clock import ManualClock
    from calftimer.core.library import ProgramLibrary
    from calftimer.core.programs import BUILTIN_BY_ID
    from calftimer.core.settings import Settings
    from calftimer.core.timeline import SegmentKind
    from calftimer.gui.main_window import MainWindow
    from calftimer.gui.theme import apply_theme
    from calftimer.paths import AppPaths

    app = QApplication(sys.argv[:1])
    app.setApplicationName("calftimer")
    from calftimer.gui.translation import install_qt_translator

    install_qt_translator(app)  # Qt's own buttons in the language, as app.py does
    if args.theme != "system":
        apply_theme(app, args.theme)  # as app.py does before the window is built
    clock = ManualClock(0)
    data = Path(tempfile.mkdtemp(prefix="calftimer-shots-"))
    settings = Settings(theme=args.theme)
    window = MainWindow(
        ProgramLibrary.load(None), clock, AppPaths(data, "screenshots"), settings=settings
    )
    # The size is the window's frame; at 200 % a 1366 x 768 request is what fits 2732 x 1536.
    window.resize(size[0], size[1])
    window.show()
    if args.notice:
        window.notices.post("screenshot", "warning", args.notice)
        suffix += "-notice"

    def settle() -> None:
        for _ in range(5):
            app.processEvents()

    def shot(name: str) -> None:
        if name not in args.only:
            return
        settle()
        path = args.out / f"{name}{suffix}.png"
        args.out.mkdir(parents=True, exist_ok=True)
        if not window.grab().save(str(path)):
            raise SystemExit(f"make_screenshots: could not write {path}")
        print(path)

    def at(ms: int) -> None:
        assert window.session.state is not None
        while clock() < ms:  # wake like the real driver does, so no suspend is detected
            clock.set(min(ms, clock() + 5_000))
            window.session.poll_now()

    single = list(CATALOG).index("single_leg_calf_raise")  # the list shows the catalog's order
    window.home.exercise_list.setCurrentIndex(window.home.exercise_filter.index(single, 0))
    shot("exercise-list")

    window.session.start(BUILTIN_BY_ID["foundation"])
    timeline = window.session.timeline  # type: ignore[union-attr]
    left = next(w for w in timeline.work_sets if w.exercise_id == "single_leg_calf_raise")
    at(left.start_ms + 5 * 6000 + 3500)  # rep 6, lowering
    shot("running-set")

    rest = next(
        s for s in timeline.segments if s.kind is SegmentKind.REST and s.start_ms > left.end_ms
    )
    at(rest.start_ms + 12_000)
    shot("rest-next")

    window.toggle_focus_mode()
    squat = next(w for w in timeline.work_sets if w.exercise_id == "soleus_squat")
    at(squat.start_ms + 2 * 5000 + 500)
    shot("focus-mode")
    window.leave_focus_mode()
    settle()
    window.resize(size[0], size[1])

    # The rest of the session as a runner who stopped two reps short in the last sets.
    last = timeline.work_sets[-1]
    at(last.start_ms + last.duration_ms * 3 // 4)
    window.session.finish()  # type: ignore[union-attr]
    shot("summary")

    window.show_home()
    if "history" in args.only:
        window.history.show()
        while window.history.view is None:  # the chart library loads on a thread first
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 100)
            window.history.show()
        window.history.view.set_history(sample_history())
        window.history.view.set_range_preset(1)  # 6 months
        window.history.view.select_week(len(window.history.view.series.weeks) - 2)
        shot("history")
    window.close()
    return 0


def sample_history() -> list[dict]:
    """Six months of made-up training, three sessions a week, slowly growing, with one heavy
    session (a spike); the same every run."""
    import random
    from datetime import UTC, datetime, timedelta

    rng = random.Random(7)
    start = datetime(2026, 6, 1, 17, 0, tzinfo=UTC)
    sessions = []

    def a_set(exercise: str, done: int, side: str = "both", load: float = 0.0) -> dict:
        return {
            "id": f"set-{rng.random()}",
            "exercise": exercise,
            "side": side,
            "block": 0,
            "set": 1,
            "mode": "reps",
            "planned": done,
            "done": done,
            "tempo": [2, 1, 2, 0],
            "load_kg": load,
            "tut_s": done * 5.0,
            "started_at": start.isoformat(),
            "ended_at": start.isoformat(),
            "ended_by": "time",
        }

    for day in range(0, 182):
        if day % 7 not in (0, 2, 4) or rng.random() < 0.15:
            continue
        grow = 1 + day / 250
        sets = [a_set("double_leg_calf_raise", round(15 * grow)) for _ in range(2)]
        sets += [a_set("single_leg_calf_raise", round(12 * grow), leg) for leg in ("left", "right")]
        sets += [a_set("soleus_squat", 15), a_set("seated_calf_raise", 15, load=20.0)]
        if day == 119:
            sets += [a_set("double_leg_calf_raise", 30) for _ in range(3)]
        sessions.append(
            {
                "id": f"session-{day}",
                "program_id": "foundation",
                "program_name": "Runner's calf foundation",
                "started_at": (start + timedelta(days=day)).isoformat(),
                "ended_at": None,
                "status": "finished",
                "sets": sets,
                "tests": [],
                "pain": [],
            }
        )
    return sessions


if __name__ == "__main__":
    sys.exit(main())
