"""The scheduled retrain: off by default, a job when `analysis.retrain.schedule` is set, and the job
says why it did nothing when there are too few corrections."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pydantic import ValidationError

from pipeline.config.model import AnalysisConfig, RetrainConfig, RykteConfig
from pipeline.scheduler import build_scheduler
from pipeline.service import Service
from pipeline.store.db import utcnow
from tests.factories import m, make_store


def _jobs(tmp_path: Path, schedule: str | None) -> set[str]:
    data = make_store(tmp_path, [m("a", p_negative=0.4)])
    cfg = RykteConfig.minimal().model_copy(
        update={"analysis": AnalysisConfig(retrain=RetrainConfig(schedule=schedule))})
    service = Service(cfg, data)
    try:
        return {job.id for job in build_scheduler(service, utcnow()).get_jobs()}
    finally:
        service.close()


def test_off_by_default_and_a_job_when_scheduled(tmp_path: Path) -> None:
    assert "retrain" not in _jobs(tmp_path / "off", None)
    assert "retrain" in _jobs(tmp_path / "every", "7d")
    assert "retrain" in _jobs(tmp_path / "cron", "0 4 * * sun")


def test_schedule_uses_the_sources_rule() -> None:
    with pytest.raises(ValidationError, match="invalid schedule 'weekly'"):
        RetrainConfig(schedule="weekly")
    with pytest.raises(ValidationError, match="extra"):
        RetrainConfig.model_validate({"schedule": None, "tolerence": 0.01})


def test_the_job_logs_why_it_skipped(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    data = make_store(tmp_path, [m("a", p_negative=0.4)])
    service = Service(RykteConfig.minimal(), data)
    try:
        with caplog.at_level(logging.INFO, logger="pipeline.service"):
            service.safe_retrain()
    finally:
        service.close()
    assert "retrain skipped: model retrain: 0 corrections to train on" in caplog.text
    assert "at least 10 are needed (analysis.retrain.min_corrections)" in caplog.text
