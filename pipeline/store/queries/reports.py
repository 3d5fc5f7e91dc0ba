"""The archive of weekly reports the writer has built (`reports` table; files in `<data-dir>/reports/`).

Why a query of its own: the Reports page lists every week with its files and whether it was sent;
the table says what the writer built and sent, the files on disk what can still be opened. The page
joins the two (a report copied in by hand shows up too, a deleted file shows as missing).
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd

ARCHIVE_COLUMNS = ["week", "html_path", "pdf_path", "created_at", "sent_at", "last_error"]
REPORT_FILE = re.compile(r"^(\d{4}-W\d{2})\.(html|pdf)$")


def report_archive(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The recorded reports, newest week first; empty on a snapshot without the table."""
    try:
        return con.execute(f"SELECT {', '.join(ARCHIVE_COLUMNS)} FROM reports ORDER BY week DESC").df()
    except duckdb.CatalogException:
        return pd.DataFrame(columns=ARCHIVE_COLUMNS)


def report_files(reports_dir: Path) -> dict[str, dict[str, Path]]:
    """`{"2026-W47": {"pdf": path, "html": path}}` for the report files in `reports_dir`."""
    found: dict[str, dict[str, Path]] = {}
    if not reports_dir.is_dir():
        return found
    for f in reports_dir.iterdir():
        m = REPORT_FILE.match(f.name)
        if m and f.is_file():
            found.setdefault(m.group(1), {})[m.group(2)] = f
    return found


def archive(recorded: pd.DataFrame, reports_dir: Path) -> pd.DataFrame:
    """One row per week known to the table or found on disk, newest first: the files that exist
    (`pdf`, `html`: a path or None), when it was built and sent, its last sending error."""
    files = report_files(reports_dir)
    rows = {str(r.week): {"week": str(r.week), "created_at": r.created_at, "sent_at": r.sent_at,
                          "last_error": r.last_error,
                          "pdf": _existing(r.pdf_path, reports_dir), "html": _existing(r.html_path, reports_dir)}
            for r in recorded.itertuples()}
    for week, kinds in files.items():
        row = rows.setdefault(week, {"week": week, "created_at": None, "sent_at": None, "last_error": None,
                                     "pdf": None, "html": None})
        row["pdf"] = row["pdf"] or kinds.get("pdf")
        row["html"] = row["html"] or kinds.get("html")
    out = pd.DataFrame(sorted(rows.values(), key=lambda r: r["week"], reverse=True),
                       columns=["week", "pdf", "html", "created_at", "sent_at", "last_error"])
    return out


def _existing(path: object, reports_dir: Path) -> Path | None:
    """The recorded file if it is still there (or, moved with the data dir, by name in `reports_dir`)."""
    if not isinstance(path, str) or not path:
        return None
    p = Path(path)
    for candidate in (p, reports_dir / p.name):
        if candidate.is_file():
            return candidate
    return None
