"""Dashboard password hashes: argon2id, made by `rykte user add`, checked by the dashboard.

Why argon2id (argon2-cffi): a memory-hard hash, so a copied config or auth file does not give the
passwords away cheaply. The parameters live here only; a hash carries them, so the dashboard's check
(`argon2.PasswordHasher().verify`) needs none of them.
"""

from __future__ import annotations

import json

from argon2 import PasswordHasher

MIN_PASSWORD = 10


def hash_password(password: str) -> str:
    """An argon2id hash of `password` (argon2-cffi's RFC 9106 low-memory profile)."""
    return PasswordHasher().hash(password)


def user_yaml_line(name: str, role: str, password_hash: str) -> str:
    """The config line for `dashboard: users:` (JSON-quoted values are valid YAML flow scalars)."""
    return (f"- {{name: {json.dumps(name, ensure_ascii=False)}, role: {role}, "
            f"password_hash: {json.dumps(password_hash)}}}")
