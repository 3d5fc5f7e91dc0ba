"""The argv that starts the Streamlit dashboard (no Streamlit import here: the pipeline never
imports it; the CLI runs this argv as a subprocess)."""

from __future__ import annotations

import sys
from pathlib import Path

APP_PATH = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"


def dashboard_command_args(data_dir: Path, port: int, *, sla_hours: float | None = None,
                           address: str = "127.0.0.1", headless: bool = True) -> list[str]:
    """`python -m streamlit run dashboard/app.py ... -- --data-dir DIR`.

    Always binds an explicit address and disables usage stats: without an address Streamlit tries
    to look up its external IP on the internet. `sla_hours` is accepted and ignored: the dashboard
    reads the configured SLA from the snapshot (`pipeline.store.settings`).
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
    return argv
