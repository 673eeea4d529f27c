"""Make the README's screenshots of the real window, on a real X screen (Xvfb).

    xvfb-run -a -s "-screen 0 1280x800x24" python docs/screenshots/make_screenshots.py

The window runs on a manual clock, so each picture shows an exact moment of a real session: the
exercise list, a running set, a rest with "Next:", and focus mode. Pass ``--scale 2`` to check
the layout at 200 % (written with a ``-200`` suffix, not used by the README).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args()
    if args.scale != 1.0:
        os.environ["QT_SCALE_FACTOR"] = str(args.scale)
    suffix = "" if args.scale == 1.0 else f"-{round(args.scale * 100)}"

    from PySide6.QtWidgets import QApplication

    from calftimer.core.catalog import CATALOG
    from calftimer.core.clock import ManualClock
    from calftimer.core.library import ProgramLibrary
    from calftimer.core.programs import BUILTIN_BY_ID
    from calftimer.core.timeline import SegmentKind
    from calftimer.gui.main_window import MainWindow
    from calftimer.paths import AppPaths

    app = QApplication(sys.argv[:1])
    app.setApplicationName("calftimer")
    clock = ManualClock(0)
    data = Path(tempfile.mkdtemp(prefix="calftimer-shots-"))
    window = MainWindow(ProgramLibrary.load(None), clock, AppPaths(data, "screenshots"))
    window.resize(1180, 740)
    window.show()

    def settle() -> None:
        for _ in range(5):
            app.processEvents()

    def shot(name: str) -> None:
        settle()
        path = args.out / f"{name}{suffix}.png"
        window.grab().save(str(path))
        print(path)

    def at(ms: int) -> None:
        assert window.driver is not None
        while clock() < ms:  # wake like the real driver does, so no suspend is detected
            clock.set(min(ms, clock() + 5_000))
            window.driver.poll_now()

    single = list(CATALOG).index("single_leg_calf_raise")  # the list shows the catalog's order
    window.exercise_list.setCurrentIndex(window.exercise_filter.index(single, 0))
    shot("exercise-list")

    window.start_program(BUILTIN_BY_ID["foundation"])
    timeline = window.driver.session.timeline  # type: ignore[union-attr]
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
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
