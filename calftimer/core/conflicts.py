"""Names of the conflict copies sync tools leave (Syncthing, Dropbox), and the file each one
belongs to. Used by the history store and the program library."""

from __future__ import annotations

import re

_SYNCTHING = re.compile(
    r"^(?P<stem>.+?)\.sync-conflict-\d{8}-\d{6}(?:-[A-Za-z0-9]+)?(?P<ext>\.\w+)?$"
)
# Dropbox may add " (1)" inside the brackets for a second conflict on one day, so match greedily.
_DROPBOX = re.compile(
    r"^(?P<stem>.+) \((?:[^()]|\([^()]*\))*conflicted copy(?:[^()]|\([^()]*\))*\)"
    r"(?P<ext>\.\w+)?$",
    re.I,
)


def conflict_base_name(name: str) -> str | None:
    """The file a sync-conflict copy belongs to, or None if ``name`` is not a conflict copy."""
    for pattern in (_SYNCTHING, _DROPBOX):
        match = pattern.match(name)
        if match:
            return match["stem"] + (match["ext"] or "")
    return None
