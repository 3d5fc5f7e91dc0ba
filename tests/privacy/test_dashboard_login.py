"""The dashboard's door under Streamlit AppTest, over a real snapshot and the real auth file that
`rykte dashboard` writes: no page or figure without login, a wrong password is refused, a viewer
cannot write, an editor's correction carries their name, sessions expire; and the CLI side:
`--address` beyond loopback is refused without users, `rykte user add` prints a working hash."""

from __future__ import annotations

import os
import stat
import sys
import time
from pathlib import Path

import pytest
import yaml
from argon2 import PasswordHasher
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

import pipeline.cli
from dashboard.auth import SESSION_KEY, User
from pipeline import i18n
from pipeline.cli import cli
from pipeline.config.model import DashboardConfig, DashboardUser
from pipeline.dashboard_launch import AUTH_FILE, write_auth_file
from pipeline.privacy.passwords import hash_password
from pipeline.store.db import DataDir, utcnow
from pipeline.store.inbox import corrections_path
from tests.factories import make_store, sample_world

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
VIEWER, VIEWER_PW = "vera", "viewer-password-1"
EDITOR, EDITOR_PW = "kari", "editor-password-1"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[DataDir, Path]:
    data = make_store(tmp_path_factory.mktemp("door"), sample_world(utcnow()))
    users = [DashboardUser(name=VIEWER, role="viewer", password_hash=hash_password(VIEWER_PW)),
             DashboardUser(name=EDITOR, role="editor", password_hash=hash_password(EDITOR_PW))]
    return data, write_auth_file(data, DashboardConfig(users=users, session_minutes=30))


def run_app(monkeypatch: pytest.MonkeyPatch, data: DataDir, *extra: str) -> AppTest:
    monkeypatch.setattr(sys, "argv", ["app.py", "--data-dir", str(data.root), *extra])
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception, at.exception
    return at


def login(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input[0].input(name)
    at.text_input[1].input(password)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


def nothing_shown(at: AppTest) -> bool:
    return not at.metric and not at.dataframe and not at.get("vega_lite_chart") and not at.get("arrow_data_frame")


def test_no_page_or_data_without_login(world, monkeypatch) -> None:
    data, auth = world
    at = run_app(monkeypatch, data, "--auth-file", str(auth))
    assert at.title[0].value == "Logg inn på Rykte" and len(at.text_input) == 2
    assert nothing_shown(at)
    # no auth file at all (streamlit started by hand): nobody gets in, and it says how to add a user
    bare = run_app(monkeypatch, data)
    assert nothing_shown(bare) and not bare.text_input and "rykte user add" in bare.error[0].value
    broken = data.root / "broken_auth.json"
    broken.write_text("{not json", encoding="utf-8")
    assert nothing_shown(run_app(monkeypatch, data, "--auth-file", str(broken)))


def test_a_wrong_password_is_refused(world, monkeypatch) -> None:
    data, auth = world
    at = login(run_app(monkeypatch, data, "--auth-file", str(auth)), EDITOR, VIEWER_PW)
    assert at.error and at.error[0].value == "Feil brukernavn eller passord." and nothing_shown(at)
    at = login(at, "nobody", EDITOR_PW)
    assert at.error and nothing_shown(at) and SESSION_KEY not in at.session_state
    at = login(at, EDITOR.upper(), EDITOR_PW)  # names are not case-sensitive
    assert at.metric and at.session_state[SESSION_KEY].name == EDITOR


def test_a_viewer_sees_the_figures_but_cannot_write(world, monkeypatch) -> None:
    data, auth = world
    at = login(run_app(monkeypatch, data, "--auth-file", str(auth)), VIEWER, VIEWER_PW)
    assert at.metric and not at.error
    assert any("Innlogget som vera (leser)" in c.value for c in at.sidebar.caption)
    at.switch_page("views/inbox.py").run()
    assert not at.exception
    assert at.selectbox(key="inbox_thread").value is not None  # the thread and its panels are shown...
    writes = [b.key for b in at.button if b.key and b.key.startswith(("save_label_", "handled_", "reopen_", "assign_", "add_note_"))]
    assert writes == []  # ...without any write action
    assert any(c.value == i18n.t("dashboard.inbox.handling.read_only", "nb") for c in at.caption)
    assert not corrections_path(data.root).exists()


def test_an_editor_correction_carries_their_name(world, monkeypatch) -> None:
    data, auth = world
    at = login(run_app(monkeypatch, data, "--auth-file", str(auth)), EDITOR, EDITOR_PW)
    at.switch_page("views/inbox.py").run()
    mention_id = at.selectbox(key="inbox_thread").value
    at.button(key=f"save_label_{mention_id}").click().run()
    assert not at.exception
    lines = corrections_path(data.root).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and f'"corrected_by": "{EDITOR}"' in lines[0]
    corrections_path(data.root).unlink()


def test_sessions_expire(world, monkeypatch) -> None:
    data, auth = world
    at = login(run_app(monkeypatch, data, "--auth-file", str(auth)), VIEWER, VIEWER_PW)
    assert at.metric
    at.session_state[SESSION_KEY] = User(VIEWER, "viewer", time.time() - 31 * 60)  # 30-minute sessions
    at.run()
    assert nothing_shown(at) and at.title[0].value == "Logg inn på Rykte"
    assert any("utløpt" in i.value for i in at.info)


def test_the_demo_is_open_and_says_so(world, monkeypatch) -> None:
    data, _auth = world
    at = run_app(monkeypatch, data, "--demo")
    assert at.metric and at.warning[0].value.startswith("Demo:")


def test_user_add_prints_a_config_line_with_a_working_hash() -> None:
    result = CliRunner().invoke(cli, ["user", "add", "Kari Nordmann", "--role", "editor"],
                                input="a-long-enough-password\n")
    assert result.exit_code == 0, result.output
    line = result.output.strip().splitlines()[-1]
    entry = DashboardUser.model_validate(yaml.safe_load(line)[0])
    assert entry.name == "Kari Nordmann" and entry.role == "editor"
    assert "a-long-enough-password" not in result.output
    assert PasswordHasher().verify(entry.password_hash, "a-long-enough-password")
    short = CliRunner().invoke(cli, ["user", "add", "x"], input="short\n")
    assert short.exit_code != 0


def test_dashboard_address_beyond_loopback_needs_users(tmp_path: Path, monkeypatch) -> None:
    launched: list[list[str]] = []
    monkeypatch.setattr(pipeline.cli.subprocess, "call", lambda argv: launched.append(argv) or 0)
    data = tmp_path / "data"
    bare = tmp_path / "bare.yaml"
    bare.write_text("company: {name: Acme AS}\n", encoding="utf-8")
    refused = CliRunner().invoke(cli, ["--config", str(bare), "--data-dir", str(data), "dashboard",
                                       "--address", "0.0.0.0"])
    assert refused.exit_code != 0 and "--address 0.0.0.0" in str(refused.exception) and not launched
    with_users = tmp_path / "users.yaml"
    with_users.write_text("company: {name: Acme AS}\ndashboard:\n  users:\n    - {name: kari, role: editor, "
                          f"password_hash: {hash_password(EDITOR_PW)!r}}}\n", encoding="utf-8")
    ok = CliRunner().invoke(cli, ["--config", str(with_users), "--data-dir", str(data), "dashboard",
                                  "--address", "0.0.0.0", "--port", "8599"])
    assert ok.exit_code == 0, ok.output
    argv = launched[0]
    auth = Path(argv[argv.index("--auth-file") + 1])
    assert argv[argv.index("--server.address") + 1] == "0.0.0.0" and auth == (data / AUTH_FILE).resolve()
    assert stat.S_IMODE(os.stat(auth).st_mode) == 0o600
    assert EDITOR_PW not in auth.read_text(encoding="utf-8") and "$argon2id$" in auth.read_text(encoding="utf-8")


def test_the_main_entry_refuses_the_address_with_exit_2(tmp_path: Path) -> None:
    from tests.conftest import run_rykte

    out = run_rykte("--data-dir", str(tmp_path / "d"), "dashboard", "--address", "192.0.2.10")
    assert out.returncode == 2 and "dashboard.users" in out.stderr
