"""Where calftimer keeps its files: one place that decides, passed down as a value.

Order of precedence: the ``--data-dir`` flag, then ``CALFTIMER_DATA_DIR``, then the platform's
user data folder (platformdirs). Nothing else in the app reads the environment for paths.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

APP_NAME = "calftimer"
ENV_DATA_DIR = "CALFTIMER_DATA_DIR"


# A NamedTuple, not a dataclass: this is read before the window's first paint, and nothing else
# there needs ``dataclasses`` (~3 ms to import).
class AppPaths(NamedTuple):
    data_dir: Path
    source: str  # "--data-dir", "CALFTIMER_DATA_DIR" or "default", for the About box and --where
    # Settings live in the platform's config folder; with --data-dir or CALFTIMER_DATA_DIR they
    # live in the data folder, so a second data folder (and every test) is self-contained.
    config_dir: Path | None = None

    @property
    def programs_dir(self) -> Path:
        """The user's own program files, one ``<id>.json`` each."""
        return self.data_dir / "programs"

    @property
    def settings_file(self) -> Path:
        return (self.config_dir or self.data_dir) / "settings.json"


def resolve_paths(flag: str | None, environ: Mapping[str, str] | None = None) -> AppPaths:
    env = os.environ if environ is None else environ
    if flag:
        return AppPaths(Path(flag).expanduser().resolve(), "--data-dir")
    if env.get(ENV_DATA_DIR):
        return AppPaths(Path(env[ENV_DATA_DIR]).expanduser().resolve(), ENV_DATA_DIR)
    import platformdirs  # imported here: only the default needs it

    return AppPaths(
        Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        "default",
        Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
    )
