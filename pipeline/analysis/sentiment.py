"""The one sentiment loader: `load_model(cfg, models_dir)` picks the backend and caches the model.

Backends: the built-in model (multilingual-e5-small + the shipped adapter and head of one of the
builds in `builtin_weights.BUILDS`: `builtin`, commercial-safe, the default, or
`builtin-noncommercial`) on torch (`torch_model.py`) or on ONNX Runtime (`onnx_model.py`), or any Hugging Face text classifier
(`hf_model.py`). Which precision and runtime the built-in model gets (config `analysis.precision`,
`analysis.runtime`, both `auto` by default) is decided by `backend.py`: torch in bfloat16 when the
CPU has native bf16, else float32 run by ONNX Runtime when it is installed, else by torch;
`precision: int8` runs the static int8 graph on ONNX Runtime. All of them
share the input handling of `batching.py`; the names callers need (`Prediction`, `SentimentModel`,
`ModelLoadError`) live in `contract.py`.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from pipeline.analysis.backend import resolve_backend, version_tag
from pipeline.analysis.builtin_weights import builtin_version, is_builtin
from pipeline.analysis.contract import ModelLoadError, SentimentModel
from pipeline.analysis.hf_model import HFSentimentModel
from pipeline.analysis.onnx_model import OnnxSentimentModel
from pipeline.analysis.torch_model import BuiltinSentimentModel
from pipeline.analysis.versions import active_weights
from pipeline.config.model import AnalysisConfig
from pipeline.errors import RykteError

log = logging.getLogger(__name__)

_MODELS: dict[tuple[str, str, int, int, str, str, str], SentimentModel] = {}
_LOCK = threading.Lock()


def _build(cfg: AnalysisConfig, models_dir: Path, weights: Path | None = None) -> SentimentModel:
    """Construct the configured backend (uncached); a built-in build runs `weights` (default: its
    active version's file, `versions.active_weights`)."""
    if not is_builtin(cfg.model):
        return HFSentimentModel(cfg.model, batch_size=cfg.batch_size, max_length=cfg.max_length)
    weights = weights or active_weights(models_dir, cfg.model)
    precision, runtime = resolve_backend(cfg.precision, cfg.runtime)
    if runtime == "torch":
        return BuiltinSentimentModel(models_dir, weights, batch_size=cfg.batch_size, max_length=cfg.max_length,
                                     precision=precision)
    try:
        return OnnxSentimentModel(models_dir, weights, batch_size=cfg.batch_size, max_length=cfg.max_length,
                                  precision=precision)
    except ModelLoadError as e:
        if cfg.runtime == "onnx" or cfg.precision == "int8":
            raise
        log.warning("%s; running the sentiment model on torch instead, in float32", e)
    return BuiltinSentimentModel(models_dir, weights, batch_size=cfg.batch_size, max_length=cfg.max_length,
                                 precision="fp32")


def expected_version(cfg: AnalysisConfig, models_dir: Path) -> str | None:
    """The version string the configured model will store, without loading it: known for a built-in
    build whose base is installed (its active weights and precision), else None."""
    if not is_builtin(cfg.model):
        return None
    try:
        precision, _ = resolve_backend(cfg.precision, cfg.runtime)
        return builtin_version(models_dir, active_weights(models_dir, cfg.model), version_tag(precision))
    except (OSError, RykteError):  # no base installed yet, unreadable weights: known once loaded
        return None


def load_model(cfg: AnalysisConfig, models_dir: Path) -> SentimentModel:
    """The configured sentiment model: a shipped build, "builtin" or "builtin-noncommercial" (base
    installed into `models_dir` if missing; torch or ONNX Runtime per `resolve_backend`) or a Hugging Face text-classification model (hub id or local
    path, always torch float32). Loaded once per process and configuration. When `runtime: auto`
    chose ONNX Runtime and the graph cannot be exported or loaded, the torch float32 model is used and a
    warning logged; an explicit `runtime: onnx` or `precision: int8` fails instead. A built-in build runs its active
    version (`versions.py`); the weights file is part of the cache key, so an activation or a
    rollback takes effect at the next load, without a restart."""
    models_dir = Path(models_dir)
    builtin = is_builtin(cfg.model)
    backend = "-".join(resolve_backend(cfg.precision, cfg.runtime)) if builtin else "hf"
    weights = active_weights(models_dir, cfg.model) if builtin else None
    key = (cfg.model, str(models_dir.resolve()), cfg.batch_size, cfg.max_length, backend, cfg.runtime,
           str(weights or ""))
    with _LOCK:
        model = _MODELS.get(key)
        if model is None:
            for old in [k for k in _MODELS if k[:-1] == key[:-1]]:  # the weights changed: free the old model
                del _MODELS[old]
            model = _MODELS[key] = _build(cfg, models_dir, weights)
        return model
