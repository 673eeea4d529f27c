"""Bundle size and start: calftimer's PyInstaller spec vs PyInstaller's defaults, in one run.

Builds two one-folder bundles of the same checkout with the same PyInstaller:

* **spec**: ``packaging/calftimer.spec``, which leaves out what calftimer never loads;
* **baseline**: ``pyinstaller --onedir --collect-data calftimer packaging/launcher.py``, what
  one gets without a spec (the data files are needed, or the app cannot run at all).

Then, alternating between the two, it times ``<bundle>/calftimer --self-check`` (start, load
the programs, write a set, read the sounds, draw the window and the chart, exit) ``--runs``
times, and prints each bundle's size in MB (10^6 bytes, every file counted once), the median
self-check time and the ratios. Issue 7's target: the spec's bundle at most 230 MB on Linux.

Needs ``pip install -e ".[package]"``. Takes about a minute; build folders go under a
temporary directory that is removed at the end.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "packaging"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from build import bundle_bytes, executable  # noqa: E402
from stats import percentile  # noqa: E402

TARGET_MB = 230


def pyinstaller(arguments: list[str], work: Path) -> None:
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level=ERROR"]
    subprocess.run(
        [*command, f"--workpath={work / 'build'}", f"--distpath={work / 'dist'}", *arguments],
        cwd=ROOT,
        check=True,
    )


def self_check_seconds(bundle: Path) -> float:
    started = time.monotonic()
    subprocess.run(
        [str(executable(bundle)), "--self-check"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="self-checks per bundle")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="calftimer-bundle-bench-") as folder:
        spec_work, base_work = Path(folder) / "spec", Path(folder) / "baseline"
        pyinstaller([str(ROOT / "packaging" / "calftimer.spec")], spec_work)
        pyinstaller(
            [
                "--onedir",
                "--name=calftimer",
                "--collect-data=calftimer",
                f"--specpath={base_work}",
                f"--paths={ROOT}",
                str(ROOT / "packaging" / "launcher.py"),
            ],
            base_work,
        )
        bundles = {
            "spec": spec_work / "dist" / "calftimer",
            "baseline": base_work / "dist" / "calftimer",
        }
        sizes = {name: bundle_bytes(path) / 1e6 for name, path in bundles.items()}
        times: dict[str, list[float]] = {name: [] for name in bundles}
        for name in bundles:  # one unmeasured start each: the page cache
            self_check_seconds(bundles[name])
        for i in range(args.runs):
            order = list(bundles) if i % 2 == 0 else list(reversed(bundles))
            for name in order:
                times[name].append(self_check_seconds(bundles[name]))
    medians = {name: percentile(values, 50) for name, values in times.items()}
    figures = {
        "size_mb": sizes,
        "size_ratio": sizes["spec"] / sizes["baseline"],
        "self_check_s_median": medians,
        "self_check_ratio": medians["spec"] / medians["baseline"],
        "target_mb": TARGET_MB,
        "runs": args.runs,
    }
    if args.json:
        print(json.dumps(figures, indent=1))
        return 0
    print(f"{'':10} {'size MB':>9} {'self-check s (median)':>22}")
    for name in bundles:
        print(f"{name:10} {sizes[name]:9.1f} {medians[name]:22.2f}")
    print(
        f"ratio spec/baseline: size {figures['size_ratio']:.2f}, "
        f"self-check {figures['self_check_ratio']:.2f}; "
        f"target {TARGET_MB} MB: {'met' if sizes['spec'] <= TARGET_MB else 'MISSED'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
