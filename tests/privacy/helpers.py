"""Shared checks of the privacy tests: which files under a data dir still hold a name."""

from __future__ import annotations

import json
import os
from pathlib import Path


def files_naming(root: Path, name: str) -> list[str]:
    """Every file under root (symlinks not followed) whose raw bytes hold the name, in any case, as
    written or escaped in JSON."""
    needles = {name.lower(), json.dumps(name.lower())[1:-1]}
    hits = []
    for dirpath, _dirs, files in os.walk(root):
        for f in files:
            p = Path(dirpath) / f
            if p.is_symlink():
                continue
            data = p.read_bytes().decode("utf-8", errors="ignore").lower()
            if any(n in data for n in needles):
                hits.append(str(p.relative_to(root)))
    return sorted(hits)
