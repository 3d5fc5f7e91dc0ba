"""Shared fixtures of the analysis tests: one installed base and one loaded model per session."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def analysis_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir whose `models/` holds the converted base (RYKTE_TEST_MODELS_DIR reuses one)."""
    reuse = os.environ.get("RYKTE_TEST_MODELS_DIR")
    data_dir = tmp_path_factory.mktemp("rykte-data")
    if reuse:
        Path(reuse).mkdir(parents=True, exist_ok=True)
        (data_dir / "models").symlink_to(Path(reuse).resolve(), target_is_directory=True)
    return data_dir


@pytest.fixture(scope="session")
def models_dir(analysis_data_dir: Path) -> Path:
    from pipeline.analysis.model.convert import install_base_model

    d = analysis_data_dir / "models"
    install_base_model(d)
    return d


@pytest.fixture(scope="session")
def sentiment_model(models_dir: Path) -> Any:
    from types import SimpleNamespace

    from pipeline.analysis.sentiment import load_model

    cfg = SimpleNamespace(model="builtin", batch_size=32, max_length=256)
    return load_model(cfg, models_dir)


@pytest.fixture(scope="session")
def employer_dev() -> list[dict[str, Any]]:
    with (DATA / "employer_dev.jsonl").open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="session")
def employer_test() -> list[dict[str, Any]]:
    """Held-out employer sentences: only the acceptance test reads them (never training or selection)."""
    with (DATA / "employer_test.jsonl").open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]
