"""The training tests share the analysis tests' installed base (`analysis_data_dir`, `models_dir`)."""

from __future__ import annotations

from tests.analysis.conftest import analysis_data_dir, models_dir

__all__ = ["analysis_data_dir", "models_dir"]
