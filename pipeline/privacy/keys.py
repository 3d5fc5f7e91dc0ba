"""The per-installation key and the keyed hashes of (source, author).

Why keyed: a plain SHA-256 of an account name can be reversed by hashing a list of candidate names;
an HMAC with a random key kept only in `<data-dir>/secret.key` (created 0600 on first use) cannot,
unless the key is taken too. The same key pseudonymises old authors (retention), so one person keeps
one pseudonym per source and thread analysis still works.

Names are normalised before hashing (Unicode NFKC, case-folded, surrounding space and a leading `@`
removed), so `@Ola_N`, `ola_n` and ` OLA_N ` are one person; sources are normalised the same way.
`ANY_SOURCE` stands for "on every source" (`rykte forget --author NAME` without `--source`).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import unicodedata
from pathlib import Path

KEY_FILE = "secret.key"
KEY_BYTES = 32
ANY_SOURCE = "*"
PSEUDONYM_PREFIX = "anon-"


def normalise(value: str) -> str:
    """The form of a name or source that is hashed: NFKC, case-folded, trimmed, no leading `@`."""
    return unicodedata.normalize("NFKC", value).strip().casefold().lstrip("@").strip()


def load_key(data_root: Path) -> bytes:
    """The installation's key, created (0600, in a 0700 directory) on first use."""
    path = Path(data_root) / KEY_FILE
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = secrets.token_bytes(KEY_BYTES)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # created meanwhile by another process: use theirs
            return path.read_bytes()
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
            fh.flush()
            os.fsync(fh.fileno())
    if len(key) < 16:
        from pipeline.errors import ConfigError

        raise ConfigError(f"{path}: the privacy key is damaged (too short); restore it from a backup")
    return key


def author_hash(key: bytes, source: str, author: str) -> str:
    """HMAC-SHA256 (hex) of the normalised source and author: the suppression record of a person."""
    msg = f"suppress\x1f{normalise(source)}\x1f{normalise(author)}".encode()
    return hmac.new(key, msg, hashlib.sha256).hexdigest()


def pseudonym(key: bytes, source: str, author: str) -> str:
    """A stable keyed pseudonym for an author on a source (`anon-` + 16 hex digits)."""
    msg = f"pseudonym\x1f{normalise(source)}\x1f{normalise(author)}".encode()
    return PSEUDONYM_PREFIX + hmac.new(key, msg, hashlib.sha256).hexdigest()[:16]
