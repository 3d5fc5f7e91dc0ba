"""The dashboard's door: login, roles, session expiry, and the editor check on write actions.

Why here and like this: the dashboard shows what people wrote, often with their names, and lets
editors change figures (label corrections, handling marks). Outside the demo nobody sees a page or
a number without logging in. The users come from the auth file `rykte dashboard` writes
(`pipeline/dashboard_launch.py`: names, roles viewer/editor, argon2 hashes, session minutes; 0600),
passed with `--auth-file`; the read snapshot holds no hashes. `--demo` (`rykte demo`) keeps the
dashboard open and says so in a banner on every page. Neither given: nobody gets in.

`app.py` calls `gate()` before anything else; a view calls `require_editor()` before a write
action (viewers see a notice and the rest of that page is not run) or `can_write()` to decide what
to show; `current_user().name` is recorded with every write.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from pipeline import i18n

SESSION_KEY = "_rykte_user"
DEMO_USER = "demo"


@dataclass(frozen=True)
class User:
    name: str
    role: str  # viewer / editor
    since: float  # time.time() of the login

    @property
    def can_write(self) -> bool:
        return self.role == "editor"


@dataclass(frozen=True)
class Door:
    demo: bool
    users: dict[str, tuple[str, str, str]]  # casefolded name -> (name, role, argon2 hash)
    session_seconds: float


def _t(key: str, **values: object) -> str:
    lang = st.session_state.get("lang")
    return i18n.t(f"privacy.dashboard.{key}", lang if lang in i18n.LANGS else "nb", **values)


def read_door(argv: Sequence[str]) -> Door:
    """`--demo`, or the users of `--auth-file` (a missing or broken file lets nobody in)."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--auth-file")
    p.add_argument("--demo", action="store_true")
    ns, _ = p.parse_known_args(list(argv))
    users: dict[str, tuple[str, str, str]] = {}
    minutes = 480.0
    if ns.auth_file:
        try:
            doc = json.loads(Path(ns.auth_file).read_text(encoding="utf-8"))
            minutes = float(doc.get("session_minutes", minutes))
            for u in doc.get("users", []):
                users[str(u["name"]).casefold()] = (str(u["name"]), str(u["role"]), str(u["password_hash"]))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            users = {}
    return Door(bool(ns.demo), users, minutes * 60)


def check_password(door: Door, name: str, password: str) -> User | None:
    """The user if `password` is theirs; None otherwise (unknown names cost the same hash check)."""
    entry = door.users.get(name.strip().casefold())
    hasher = PasswordHasher()
    target = entry[2] if entry else _DUMMY_HASH
    ok: bool
    try:
        ok = hasher.verify(target, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if not (ok and entry):
        return None
    role = entry[1] if entry[1] in ("viewer", "editor") else "viewer"
    return User(entry[0], role, time.time())


# checked for unknown names so that a wrong name takes as long as a wrong password
_DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$wypctcORMx8T75WiDv31rw$2v9qe/nJCy8lA0Y1Kc7zNfx2HIAZpKCdf2k4eWbs5qk"


def current_user() -> User | None:
    value = st.session_state.get(SESSION_KEY)
    return value if isinstance(value, User) else None


def can_write() -> bool:
    """Whether the logged-in user is an editor (label corrections, handling marks, replies)."""
    user = current_user()
    return user is not None and user.can_write


def require_editor() -> User:
    """Before a write action: the editor, or (for a viewer) a notice and the rest of the page stops."""
    user = current_user()
    if user is None or not user.can_write:
        st.info(_t("viewer_cannot_write"))
        st.stop()
    assert user is not None
    return user


def _logged_in(door: Door) -> User | None:
    user = current_user()
    if user is None:
        return None
    entry = door.users.get(user.name.casefold())
    if entry is None or time.time() - user.since > door.session_seconds:
        st.session_state.pop(SESSION_KEY, None)
        st.info(_t("expired"))
        return None
    if entry[1] != user.role:  # the role was changed in the config: the new one applies now
        user = User(user.name, entry[1], user.since)
        st.session_state[SESSION_KEY] = user
    return user


def _sidebar(user: User) -> None:
    with st.sidebar:
        st.caption(_t("signed_in", name=user.name, role=_t(f"role.{user.role}")))
        if st.button(_t("logout"), key="rykte_logout"):
            st.session_state.pop(SESSION_KEY, None)
            st.rerun()


def gate(argv: Sequence[str] | None = None) -> User:
    """Call first in app.py: the logged-in user, or the login form and nothing else (script stops)."""
    door = read_door(sys.argv[1:] if argv is None else argv)
    if door.demo:
        st.warning(_t("demo_banner"), icon="🧪")
        demo = current_user() or User(DEMO_USER, "editor", time.time())
        st.session_state[SESSION_KEY] = demo
        return demo
    user = _logged_in(door)
    if user is not None:
        _sidebar(user)
        return user
    st.title(_t("login.title"))
    if not door.users:
        st.error(_t("no_users"))
        st.stop()
    with st.form("rykte_login"):
        name = st.text_input(_t("login.name"))
        password = st.text_input(_t("login.password"), type="password")
        submitted = st.form_submit_button(_t("login.submit"))
    if submitted:
        found = check_password(door, name, password)
        if found is not None:
            st.session_state[SESSION_KEY] = found
            st.rerun()
        st.error(_t("login.wrong"))
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises
