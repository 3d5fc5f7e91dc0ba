"""`bench/results.json`: where every benchmark leaves its figures, one key per benchmark.

Why one home: five benchmarks write into the same file, each keeping the others' keys, and a
benchmark that dies half-way through a write must not cost the others their figures (temporary file
+ `os.replace`); an unreadable file starts afresh rather than failing a benchmark that just ran.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().with_name("results.json")


def read_results(path: Path = RESULTS) -> dict[str, Any]:
    """All figures so far ({} when the file is missing or unreadable)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def merge_results(key: str, figures: Any, path: Path = RESULTS) -> None:
    """Set `key` to `figures`, keep every other key, and replace the file atomically."""
    data = read_results(path)
    data[key] = figures
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)
