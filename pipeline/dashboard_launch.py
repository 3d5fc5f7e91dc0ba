"""The argv that starts the Streamlit dashboard, and the auth file it logs users in with.

No Streamlit import here: the pipeline never imports it; the CLI runs this argv as a subprocess.

Why an auth file: the dashboard process may not read the config (it imports only the store's read
side, the charts and the catalogue), and the read snapshot, which anyone who can read the dashboard's
data could copy, must not carry password hashes. So `rykte dashboard` writes the configured users
(name, role, argon2 hash; never a password) and the session length into
`<data-dir>/dashboard_auth.json`, created 0600, and passes its path with `--auth-file`. Without
`--auth-file` (and without `--demo`) the dashboard lets nobody in.
"""

from __future__ import annotations

import ipaddress
import json
import os
import sys
from pathlib import Path

from pipeline.config.model import DashboardConfig
from pipeline.errors import InputError
from pipeline.store.db import DataDir

APP_PATH = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
AUTH_FILE = "dashboard_auth.json"


def is_local(address: str) -> bool:
    """Whether `address` only listens on this machine (loopback)."""
    if address.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


def write_auth_file(data: DataDir, cfg: DashboardConfig, address: str = "127.0.0.1") -> Path:
    """Write the users' names, roles and hashes (0600) for the dashboard; return the file's path.

    Listening beyond loopback without a configured user is refused (exit 2): the dashboard would be
    open to the network, or locked for everybody.
    """
    if not cfg.users and not is_local(address):
        raise InputError(f"--address {address}: the dashboard listens beyond this machine only with a "
                         "login configured (dashboard.users; `rykte user add NAME`)")
    data.root.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = data.root / AUTH_FILE
    doc = {"session_minutes": cfg.session_minutes,
           "users": [{"name": u.name, "role": u.role, "password_hash": u.password_hash} for u in cfg.users]}
    tmp = path.with_name(AUTH_FILE + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, ensure_ascii=False, indent=1)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path


def dashboard_command_args(data_dir: Path, port: int, *, sla_hours: float | None = None,
                           address: str = "127.0.0.1", headless: bool = True,
                           auth_file: Path | None = None, demo: bool = False) -> list[str]:
    """`python -m streamlit run dashboard/app.py ... -- --data-dir DIR [--auth-file F | --demo]`.

    Always binds an explicit address and disables usage stats: without an address Streamlit tries
    to look up its external IP on the internet. `sla_hours` is accepted and ignored: the dashboard
    reads the configured SLA from the snapshot (`pipeline.store.settings`). `demo`: open, with a
    banner saying it is a demo (`rykte demo`).
    """
    del sla_hours
    argv = [
        sys.executable, "-m", "streamlit", "run", str(APP_PATH),
        "--server.address", address,
        "--server.port", str(int(port)),
        "--server.headless", "true" if headless else "false",
        "--browser.gatherUsageStats", "false",
        "--client.toolbarMode", "minimal",
        "--server.fileWatcherType", "none",
        "--", "--data-dir", str(Path(data_dir).resolve()),
    ]
    if auth_file is not None:
        argv += ["--auth-file", str(Path(auth_file).resolve())]
    if demo:
        argv.append("--demo")
    return argv
