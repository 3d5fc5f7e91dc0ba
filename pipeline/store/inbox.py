"""Sentiment-label corrections from the dashboard, without a second DuckDB writer.

The dashboard never writes to DuckDB. When a user corrects a label it appends one JSON line to
`<data-dir>/inbox/label_corrections.jsonl` (`append_label_correction`). The service, the one writer,
calls `ingest_label_corrections` after each batch, which moves the lines into the
`label_corrections` table exactly once and sets the mention's sentiment to the corrected label.

The inbox's handling actions (`append_action`: handled elsewhere with a reason, reopened, assigned
to a colleague, a note) travel the same way through `<data-dir>/inbox/actions.jsonl` into the
`inbox_actions` table (`ingest_actions`); until the writer has taken them in, the dashboard shows
them from the file (`pending_actions`).

Nothing is lost or doubled:

* Appenders take an exclusive `flock` on the file and, once they hold it, check that the path still
  names the file they opened; if the service renamed it meanwhile they reopen the new path.
* The service renames the file to `label_corrections.<stamp>.processing.jsonl` first, then takes
  the same lock (so an append in flight finishes before it reads), reads it, inserts the rows in
  one transaction and deletes it. A crash leaves the `.processing` file, which the next call
  picks up before anything else.
* Each line is inserted only if an identical row (mention, text, label, who, when to the
  microsecond) is not already in the table, so re-reading a file after a crash between commit and
  delete inserts nothing twice.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from pipeline.errors import InputError
from pipeline.store.metrics import CRITICISM_SQL

log = logging.getLogger(__name__)
T = TypeVar("T")

INBOX_DIR = "inbox"
CORRECTIONS_FILE = "label_corrections.jsonl"
LABELS = ("negative", "neutral", "positive")


def corrections_path(data_dir: Path) -> Path:
    return Path(data_dir) / INBOX_DIR / CORRECTIONS_FILE


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@contextlib.contextmanager
def _locked_append(path: Path) -> Iterator[int]:
    """An append-only fd on `path`, exclusively locked, guaranteed to still be the file at `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(100):
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                same = os.fstat(fd).st_ino == os.stat(path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                yield fd
                return
        finally:
            os.close(fd)  # closing releases the lock
    raise OSError(f"{path}: could not get a stable handle on the corrections inbox")


def append_label_correction(
    data_dir: Path,
    mention_id: int | None,
    text: str,
    label: str,
    corrected_by: str | None = None,
    corrected_at: datetime | None = None,
) -> dict[str, Any]:
    """Queue one correction for the service; returns the record written."""
    if label not in LABELS:
        raise InputError(f"label: {label!r} is not one of {', '.join(LABELS)}")
    when = corrected_at or _utcnow()
    if when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
    record = {"mention_id": None if mention_id is None else int(mention_id), "text": str(text),
              "label": label, "corrected_by": corrected_by or None,
              "corrected_at": when.isoformat(timespec="microseconds")}
    _append_line(corrections_path(data_dir), record)
    return record


def _append_line(path: Path, record: dict[str, Any]) -> None:
    line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    with _locked_append(path) as fd:
        view = memoryview(line)
        while view:
            n = os.write(fd, view)
            view = view[n:]
        os.fsync(fd)


def _parse(obj: dict[str, Any]) -> tuple[Any, ...]:
    label = obj.get("label")
    if label not in LABELS:
        raise ValueError(f"label {label!r} is not one of {', '.join(LABELS)}")
    text = obj.get("text")
    if not isinstance(text, str):
        raise ValueError("text is missing")
    mid = obj.get("mention_id")
    if mid is not None and not isinstance(mid, int):
        raise ValueError("mention_id must be an integer")
    when = datetime.fromisoformat(str(obj.get("corrected_at")))
    if when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
    who = obj.get("corrected_by")
    return (mid, text, label, None if who is None else str(who), when)


def _claim(path: Path) -> Path | None:
    """Rename the inbox file `<stem>.jsonl` to `<stem>.<stamp>.processing.jsonl` and wait for appends in flight."""
    if not path.exists():
        return None
    stamp = _utcnow().strftime("%Y%m%dT%H%M%S%f")
    claimed = path.with_name(f"{path.stem}.{stamp}.processing.jsonl")
    try:
        os.replace(path, claimed)
    except FileNotFoundError:
        return None
    # Wait for an append that opened the old file before the rename to finish.
    fd = os.open(claimed, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    finally:
        os.close(fd)
    return claimed


def _read(path: Path, parse: Callable[[dict[str, Any]], T], what: str) -> tuple[list[T], list[str]]:
    """The records of one queue file, and the lines that are not one (logged with file:line)."""
    rows: list[T] = []
    rejected: list[str] = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict):
                raise ValueError("expected a JSON object")
            rows.append(parse(obj))
        except (ValueError, TypeError) as exc:
            log.warning("%s:%d: skipped %s: %s", path, lineno, what, exc)
            rejected.append(line)
    return rows, rejected


def _claimed(path: Path) -> list[Path]:
    """Files claimed by a writer that stopped before it finished them, oldest first."""
    return sorted(path.parent.glob(f"{path.stem}.*.processing.jsonl"))


def _pending(path: Path, parse: Callable[[dict[str, Any]], T], what: str) -> list[T]:
    """Records queued but not yet taken in by the writer (read without the lock: a line being
    written at this moment is skipped until the next read)."""
    if not path.parent.exists():
        return []
    rows: list[T] = []
    for f in [*_claimed(path), path]:
        try:
            rows.extend(_read(f, parse, what)[0])
        except FileNotFoundError:
            continue
    return rows


def _drain(path: Path, parse: Callable[[dict[str, Any]], T], what: str,
           take: Callable[[list[T]], tuple[int, list[str]]]) -> int:
    """Claim the queue and hand each file's records to `take` exactly once, then delete the file.

    `take` returns what it counted and the lines it refused; those and the malformed lines are kept
    in `<stem>.rejected.jsonl` beside the queue. Returns the sum of the counts."""
    if not path.parent.exists():
        return 0
    files = _claimed(path)
    fresh = _claim(path)
    if fresh is not None:
        files.append(fresh)
    total = 0
    for f in files:
        rows, rejected = _read(f, parse, what)
        counted, refused = take(rows)
        total += counted
        rejected += refused
        if rejected:
            with path.with_name(f"{path.stem}.rejected.jsonl").open("a", encoding="utf-8") as fh:
                fh.write("\n".join(rejected) + "\n")
        f.unlink()
    return total


def ingest_label_corrections(con: duckdb.DuckDBPyConnection, data_dir: Path,
                             criticism_threshold: float = 0.5) -> int:
    """Move queued corrections into `label_corrections` (exactly once); return rows inserted.

    The corrected mention gets `sentiment` = the label, one-hot class probabilities and
    `model_version = 'human'`, and its criticism flag is re-derived with `criticism_threshold` (the
    configured `analysis.criticism_threshold`), so a human "not negative" takes it out of the
    criticism counts. Malformed lines are logged and kept in `label_corrections.rejected.jsonl`.
    """
    return _drain(corrections_path(data_dir), _parse, "label correction",
                  lambda rows: (_store(con, rows, criticism_threshold), []))


def _store(con: duckdb.DuckDBPyConnection, rows: list[tuple[Any, ...]], threshold: float) -> int:
    if not rows:
        return 0
    inserted = 0
    con.execute("BEGIN TRANSACTION")
    try:
        for mid, text, label, who, when in rows:
            exists = con.execute(
                """SELECT count(*) FROM label_corrections
                   WHERE mention_id IS NOT DISTINCT FROM ? AND text = ? AND label = ?
                     AND corrected_by IS NOT DISTINCT FROM ? AND corrected_at = ?""",
                [mid, text, label, who, when],
            ).fetchone()
            if exists and exists[0]:
                continue
            con.execute("INSERT INTO label_corrections VALUES (?, ?, ?, ?, ?)", [mid, text, label, who, when])
            inserted += 1
            if mid is not None:
                probs = {lab: 1.0 if lab == label else 0.0 for lab in LABELS}
                con.execute(
                    """UPDATE mentions SET sentiment = ?, p_negative = ?, p_neutral = ?, p_positive = ?,
                              sentiment_score = 1.0, model_version = 'human'
                       WHERE id = ?""",
                    [label, probs["negative"], probs["neutral"], probs["positive"], mid],
                )
                con.execute(f"UPDATE mentions SET is_criticism = {CRITICISM_SQL} WHERE id = ?",
                            [threshold, mid])
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return inserted


# --------------------------------------------------------------------------------------------
# Handling actions on criticism: handled elsewhere (with a reason), reopened, assigned, a note

ACTIONS_FILE = "actions.jsonl"
ACTIONS = ("handled", "reopened", "assigned", "note")
ACTION_COLUMNS = ["mention_id", "action", "value", "actor", "acted_at"]
_NEEDS_VALUE = {"handled": "a reason", "note": "the note"}


def actions_path(data_dir: Path) -> Path:
    return Path(data_dir) / INBOX_DIR / ACTIONS_FILE


def _action_record(mention_id: Any, action: Any, value: Any, actor: Any, at: Any) -> dict[str, Any]:
    """The one check of an action, for the dashboard's append and the writer's ingest alike."""
    if isinstance(mention_id, bool) or not isinstance(mention_id, int):
        raise ValueError("mention_id must be an integer")
    if action not in ACTIONS:
        raise ValueError(f"action {action!r} is not one of {', '.join(ACTIONS)}")
    text = None if value is None else " ".join(str(value).split()) or None
    if action in _NEEDS_VALUE and not text:
        raise ValueError(f"{action}: {_NEEDS_VALUE[action]} is missing")
    who = None if actor is None else str(actor).strip()
    if not who:
        raise ValueError("actor: who did it is missing")
    when = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
    if when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
    return {"mention_id": mention_id, "action": action, "value": text, "actor": who, "acted_at": when}


def append_action(data_dir: Path, mention_id: int, action: str, value: str | None = None, *,
                  actor: str, at: datetime | None = None) -> dict[str, Any]:
    """Queue one handling action for the writer; returns the record (`at` naive UTC).

    `handled` needs a reason, `assigned` the colleague (None or empty = unassigned), `note` the text;
    every action needs `actor`, the person who did it."""
    try:
        record = _action_record(int(mention_id), action, value, actor, at or _utcnow())
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    _append_line(actions_path(data_dir), {**record, "acted_at": record["acted_at"].isoformat(timespec="microseconds")})
    return record


def _parse_action(obj: dict[str, Any]) -> dict[str, Any]:
    return _action_record(obj.get("mention_id"), obj.get("action"), obj.get("value"), obj.get("actor"),
                          obj.get("acted_at"))


def pending_label_corrections(data_dir: Path) -> list[tuple[Any, ...]]:
    """Corrections appended but not yet taken in: (mention_id, text, label, who, when) each."""
    return _pending(corrections_path(data_dir), _parse, "label correction")


def pending_actions(data_dir: Path) -> list[dict[str, Any]]:
    """Actions appended but not yet taken in by the writer (so the dashboard shows them at once)."""
    return _pending(actions_path(data_dir), _parse_action, "inbox action")


def ingest_actions(con: duckdb.DuckDBPyConnection, data_dir: Path) -> int:
    """Move queued actions into `inbox_actions` exactly once (same claim-and-lock as the label
    corrections); return rows inserted. Malformed lines go to `actions.rejected.jsonl`."""
    return _drain(actions_path(data_dir), _parse_action, "inbox action", lambda rows: (_store_actions(con, rows), []))


def _store_actions(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> int:
    if not rows:
        return 0
    inserted = 0
    con.execute("BEGIN TRANSACTION")
    try:
        for r in rows:
            values = [r[c] for c in ACTION_COLUMNS]
            exists = con.execute(
                """SELECT count(*) FROM inbox_actions WHERE mention_id = ? AND action = ?
                   AND value IS NOT DISTINCT FROM ? AND actor = ? AND acted_at = ?""", values).fetchone()
            if exists and exists[0]:
                continue
            con.execute("INSERT INTO inbox_actions VALUES (?, ?, ?, ?, ?)", values)
            inserted += 1
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return inserted


# --------------------------------------------------------------------------------------------
# The reply desk's records (pipeline/replydesk): drafts, versions, decisions, "posted by hand".
# This part only carries the lines (append, pending, claim-and-lock, rejects); what a line means and
# whether it is allowed is `pipeline.replydesk` (checked again by the writer when it applies them).

DESK_FILE = "reply_desk.jsonl"


def desk_path(data_dir: Path) -> Path:
    return Path(data_dir) / INBOX_DIR / DESK_FILE


def append_desk_event(data_dir: Path, record: dict[str, Any]) -> None:
    """Queue one desk record (a JSON object, `pipeline.replydesk.events.to_record`) for the writer."""
    _append_line(desk_path(data_dir), record)


def _as_is(obj: dict[str, Any]) -> dict[str, Any]:
    return obj


def pending_desk_events(data_dir: Path) -> list[dict[str, Any]]:
    """Desk records appended but not yet taken in by the writer, oldest first (read without the lock)."""
    return _pending(desk_path(data_dir), _as_is, "desk record")


def ingest_desk_events(data_dir: Path, apply: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]) -> int:
    """Hand the queued desk records to `apply` file by file (same claim-and-lock as the actions),
    then delete the file; return records handed over. `apply` returns the records it refused; they
    and malformed lines are kept in `reply_desk.rejected.jsonl`."""
    return _drain(desk_path(data_dir), _as_is, "desk record",
                  lambda rows: (len(rows), [json.dumps(r, ensure_ascii=False) for r in apply(rows)]))
