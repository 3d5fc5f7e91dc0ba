"""Rewriting the files under the data dir without a forgotten person.

Why: rows deleted from the store are not the only copies. Crawls leave their output under
`staging/` (and `staging/done/` after ingest: the JSON lines, the spider's log and stats), and the
dashboard queues label corrections and handling marks as JSON lines under `inbox/`. Each such text
file is rewritten (into a temporary file, then `os.replace`, so a crash leaves the old or the new
file, never half of one):

* JSON lines whose `author` is the person (on the given source, or on any) are dropped; in
  `inbox/` also lines about one of their mention ids, or quoting one of their texts;
* in every other line, and in every other text file, the name (case-insensitive, also in its JSON
  `\\uXXXX` spelling) is replaced by `[erased]`.

Binary files (the DuckDB files, PDFs, the model) are not read here: the store is compacted and
reports are written again by `pipeline.privacy.erasure`.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Collection, Iterator
from pathlib import Path

from pipeline.privacy.keys import normalise

ERASED = "[erased]"
TEXT_SUFFIXES = (".jsonl", ".json", ".log", ".stderr", ".stdout", ".txt", ".csv")


def name_regex(author: str) -> str | None:
    """A regular expression (Python and RE2 alike) for the name as it may be written in a file or a
    column: as is, or escaped in JSON (`\\u00f8`); None for names under 3 characters, too short to
    tell from ordinary words. Match it case-insensitively."""
    name = normalise(author)
    if len(name) < 3:
        return None
    spellings = {name, json.dumps(name)[1:-1], json.dumps(name, ensure_ascii=True)[1:-1]}
    return "|".join(re.escape(s) for s in sorted(spellings, key=len, reverse=True))


def _name_pattern(author: str) -> re.Pattern[str] | None:
    regex = name_regex(author)
    return re.compile(regex, re.IGNORECASE) if regex else None


def _is_theirs(obj: object, author: str, source: str | None, ids: Collection[int], texts: Collection[str]) -> bool:
    if not isinstance(obj, dict):
        return False
    who = obj.get("author")
    if isinstance(who, str) and normalise(who) == normalise(author):
        src = obj.get("source")
        if source is None or (isinstance(src, str) and normalise(src) == normalise(source)):
            return True
    mid = obj.get("mention_id")
    if isinstance(mid, int) and mid in ids:
        return True
    return isinstance(obj.get("text"), str) and obj["text"] in texts


def _text_files(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for dirpath, _dirs, names in os.walk(root):  # symlinks (e.g. a shared models/) are not followed
        for n in names:
            p = Path(dirpath) / n
            if p.suffix in TEXT_SUFFIXES and p.is_file() and not p.is_symlink():
                yield p


def scrub_file(path: Path, author: str, source: str | None, ids: Collection[int] = (),
               texts: Collection[str] = ()) -> int:
    """Rewrite one text file without the person; return the number of lines dropped or changed."""
    pattern = _name_pattern(author)
    try:
        lines = path.read_text(encoding="utf-8", errors="surrogateescape").splitlines(keepends=True)
    except OSError:
        return 0
    out, touched = [], 0
    for line in lines:
        if line.lstrip().startswith("{"):
            try:
                obj = json.loads(line)
            except ValueError:
                obj = None
            if _is_theirs(obj, author, source, ids, texts):
                touched += 1
                continue
        new = pattern.sub(ERASED, line) if pattern else line
        touched += new != line
        out.append(new)
    if touched:
        _replace_lines(path, out)
    return touched


def _replace_lines(path: Path, lines: list[str]) -> None:
    tmp = path.with_name(path.name + ".scrub-tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape") as fh:
        fh.writelines(lines)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def drop_suppressed_lines(path: Path, is_suppressed: Callable[[str, str], bool]) -> int:
    """Rewrite a staged JSON-lines file without the lines of forgotten authors; return lines dropped.

    Used after a crawl's ingest skipped someone: the staged copy is archived and must not keep them.
    """
    try:
        lines = path.read_text(encoding="utf-8", errors="surrogateescape").splitlines(keepends=True)
    except OSError:
        return 0
    out = []
    for line in lines:
        try:
            obj = json.loads(line) if line.lstrip().startswith("{") else None
        except ValueError:
            obj = None
        if isinstance(obj, dict) and is_suppressed(str(obj.get("source") or ""), str(obj.get("author") or "")):
            continue
        out.append(line)
    if len(out) != len(lines):
        _replace_lines(path, out)
    return len(lines) - len(out)


def scrub_tree(root: Path, author: str, source: str | None, ids: Collection[int] = (),
               texts: Collection[str] = ()) -> int:
    """`scrub_file` on every text file below `root`; return the number of files changed."""
    return sum(scrub_file(p, author, source, ids, texts) > 0 for p in _text_files(root))


def name_in_file(path: Path, author: str) -> bool:
    """Whether the file's bytes hold the name (UTF-8, any case): for checks after an erasure."""
    pattern = _name_pattern(author)
    if pattern is None:
        return False
    data = path.read_bytes().decode("utf-8", errors="ignore")
    return pattern.search(data) is not None
