"""Opening the published snapshot for one query.

Why a module of its own: this is the only place that touches the snapshot *file* rather than a
connection. The dashboard caches every answer on `snapshot_key` (a new publish replaces the file,
so its inode changes) and runs each query through `read_snapshot`, which opens a short-lived
read-only connection and closes it at once so the writer can publish the next snapshot.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from pipeline.errors import RykteError
from pipeline.store.snapshot import open_snapshot

T = TypeVar("T")


class NoSnapshotError(RykteError):
    """No snapshot has been published yet (the service has not run)."""


def snapshot_key(path: Path) -> tuple[int, int, int] | None:
    """(inode, mtime_ns, size) of the snapshot file, or None if none is published.

    A new publish replaces the file (new inode), so this is the cache key for dashboard queries.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def read_snapshot(path: Path, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Open the snapshot read-only, run one query function on it, close it at once."""
    if not Path(path).exists():
        raise NoSnapshotError(f"{path}: no snapshot published yet (run `rykte run` or `rykte import`)")
    with open_snapshot(Path(path)) as con:
        return fn(con, *args, **kwargs)
