"""The demo world's one full cycle, shared by the tests of this folder (it takes a minute or two)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_rykte


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> Path:
    data = tmp_path_factory.mktemp("demo") / "data"
    data.mkdir()
    installed = repo_root / "data" / "models"
    if not (installed / "base").exists():
        pytest.skip("the sentiment model is not installed (make setup)")
    (data / "models").symlink_to(installed, target_is_directory=True)
    out = run_rykte("demo", "--once", "--data-dir", str(data), timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "Cycle done" in out.stdout
    return data


