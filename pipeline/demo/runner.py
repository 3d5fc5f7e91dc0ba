"""`rykte demo`: start the demo world, point `config/demo.yaml` at it, run the real service.

Nothing here is canned: the real spiders crawl the world over HTTP in their own processes, and the
real pipeline ingests, analyses, links, alerts (to the world's webhook sink), reports and publishes.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from pipeline.config.loader import load_config
from pipeline.context import AppContext
from pipeline.demo.world import DemoWorld
from pipeline.service import Service
from pipeline.store.db import DataDir
from pipeline.store.metrics import compute_metrics

REPO = Path(__file__).resolve().parents[2]
DEMO_CONFIG = REPO / "config" / "demo.yaml"
INSTALLED_MODELS = REPO / "data" / "models"  # where `make setup` installs the model


def share_installed_model(data: DataDir) -> None:
    """Let a fresh demo data dir use the model `make setup` installed instead of converting it again."""
    models = data.models
    if models.is_symlink() or (models.exists() and any(models.iterdir())):
        return
    if not (INSTALLED_MODELS / "base").exists() or models.resolve() == INSTALLED_MODELS.resolve():
        return
    if models.exists():
        models.rmdir()
    models.symlink_to(INSTALLED_MODELS, target_is_directory=True)


def run_demo(app: AppContext, *, once: bool, dashboard_port: int, world_port: int,
             echo: Callable[[str], None]) -> None:
    data = app.data.ensure()
    share_installed_model(data)
    world = DemoWorld(port=world_port).start()
    dashboard: subprocess.Popen[bytes] | None = None
    service: Service | None = None
    try:
        config_path = app.config_path if app.config_path and app.config_path.exists() else DEMO_CONFIG
        cfg = load_config(config_path, extra_env=world.env)
        app.use_config(cfg)
        echo(f"Demo world on {world.origin} ({sum(world.stats()['by_source'].values())} mentions); "
             f"data in {data.root}")
        service = Service(cfg, data, progress=None)
        started = time.monotonic()
        result = service.cycle(report=True)
        for r in result.crawls:
            echo(f"  crawl {r.summary()}")
        with service.lock:
            m = compute_metrics(service.con)
        rate = m["response_rate"]
        echo(f"Cycle done in {time.monotonic() - started:.0f} s: {m['mentions']} mentions, "
             f"{m['criticisms']} criticisms, {m['criticisms_responded']} answered "
             f"({'-' if rate is None else f'{rate:.0%}'}); alerts sent {result.batch.alerts_sent if result.batch else 0}; "
             f"report {result.report}")
        if once:
            return
        from pipeline.dashboard_launch import dashboard_command_args

        dashboard = subprocess.Popen(dashboard_command_args(data.root.resolve(), dashboard_port,
                                                           sla_hours=cfg.responses.sla_hours, demo=True))
        echo(f"Dashboard: http://127.0.0.1:{dashboard_port}   (Ctrl-C stops the demo)")
        service.run_forever()
    except KeyboardInterrupt:
        echo("stopping the demo")
    finally:
        if service is not None:
            service.close()
        if dashboard is not None:
            dashboard.terminate()
            dashboard.wait(timeout=10)
        world.stop()
