"""Shared fixtures (paths, the installed model directory) and the test tiers.

Tiers: `make check` runs the tests not marked `slow`, `browser` or `model`; `make test` runs all.
A test that asks for the sentiment model through the analysis fixtures (`models_dir`,
`sentiment_model`) is marked `model` here, so no module has to remember it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODEL_FIXTURES = frozenset({"models_dir", "sentiment_model"})
FIXTURES = Path(__file__).resolve().parent / "fixtures"
RYKTE = [sys.executable, "-m", "pipeline.cli"]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses the installed sentiment model (directly or through a fixture) `model`.

    Under pytest-xdist (`make test` and `make check` run on workers, `--dist loadgroup`) the tests
    sharing an expensive session fixture go to one worker, so it is built once: the model's (the
    converted base, its ONNX graph) and the demo world's full cycle (`demo_dir`)."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if MODEL_FIXTURES & names:
            item.add_marker(pytest.mark.model)
            item.add_marker(pytest.mark.xdist_group("model"))
        elif "demo_dir" in names:
            item.add_marker(pytest.mark.xdist_group("demo"))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An empty data dir whose models/ points at the model `make setup` installed."""
    d = tmp_path / "data"
    d.mkdir()
    installed = ROOT / "data" / "models"
    if installed.exists():
        (d / "models").symlink_to(installed, target_is_directory=True)
    return d


def run_rykte(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
              stdin: str | None = None, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run the real CLI in a subprocess, as a user would."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("RYKTE_")}
    full_env.update(env or {})
    return subprocess.run([*RYKTE, *args], cwd=cwd or ROOT, env=full_env, input=stdin, capture_output=True,
                          text=True, timeout=timeout, check=False)
