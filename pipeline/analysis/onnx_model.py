"""ONNX Runtime backend of the built-in sentiment model: the torch float32 numbers, or int8, faster.

Why: on CPUs without native bfloat16 (AVX2-only laptops and many cloud parts) ONNX Runtime runs the
float32 graph faster than eager torch at the same numbers (`bench/sentiment.py` on 2 AVX2 cores: 77.6
vs 65.5 texts/s, metrics identical to four decimals), and the static int8 graph derived from it
(`int8_graph.py`, `precision: int8`, opt-in) ~1.7x faster again, the same employer test accuracy.

The graph — BertModel with the LoRA merged and mean pooling over the text's own tokens (`pool_mask`;
a reply's parent is a second segment it attends to) — is exported once per (base, encoder) with
torch's exporter and cached as `<models_dir>/onnx/sentiment-<base>-e<encoder id>-v<N>.onnx`; the
head runs after it in float32 (`pooled_head.py`), so a retrained head reuses its parent's graph. It is written to a temporary file
and renamed into place, so a crash never leaves a half-written graph; graphs of earlier weights are
then deleted (about 470 MB each; the graphs of the shipped builds in `builtin_weights.BUILDS` are
kept, so switching between them does not export again); a cached file ONNX Runtime cannot load is
exported again once.
Predictions carry the same model version as the torch float32 path, so switching runtimes does not
trigger a mass re-score.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

from pipeline.analysis.backend import onnxruntime_available, version_tag
from pipeline.analysis.batching import available_cores
from pipeline.analysis.builtin_weights import (
    BUILDS,
    WEIGHTS_PATH,
    builtin_version,
    encoder_id,
    read_weights_meta,
)
from pipeline.analysis.contract import DEFAULT_BATCH_SIZE, DEFAULT_MAX_LENGTH, ModelLoadError
from pipeline.analysis.int8_graph import build_int8_graph, calibration_rows, int8_path
from pipeline.analysis.model.convert import install_base_model
from pipeline.analysis.pooled_head import PooledHeadModel, mean_pool
from pipeline.analysis.torch_model import BuiltinSentimentModel

EXPORT_VERSION = 2  # 2: pooled output over pool_mask, the head outside the graph
OPSET = 17


def onnx_path(models_dir: Path, weights_path: Path = WEIGHTS_PATH) -> Path:
    """Where the exported graph for the encoder of these weights on the installed base lives."""
    from pipeline.analysis.model.convert import base_checksum

    stem = f"{base_checksum(Path(models_dir))}-e{encoder_id(Path(weights_path))}"
    return Path(models_dir) / "onnx" / f"sentiment-{stem}-v{EXPORT_VERSION}.onnx"


def export_onnx(models_dir: Path, weights_path: Path = WEIGHTS_PATH, *, force: bool = False) -> Path:
    """Export the float32 built-in model to ONNX (cached; `force` re-exports). Returns the path."""
    import torch

    target = onnx_path(models_dir, weights_path)
    if target.is_file() and not force:
        return target
    ours = BuiltinSentimentModel(Path(models_dir), Path(weights_path), precision="fp32")

    class _Graph(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = ours.model

        def forward(self, input_ids: Any, attention_mask: Any, pool_mask: Any) -> Any:
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            return mean_pool(hidden, pool_mask)

    # a padded batch with a pair, so the traced graph takes the masked path
    ids = torch.tensor([[0, 40, 41, 42, 2], [0, 40, 41, 2, 1]], dtype=torch.long)
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 1, 0]], dtype=torch.long)
    pool = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 0]], dtype=torch.long)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".export-", suffix=".onnx", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        with warnings.catch_warnings(), torch.inference_mode():
            warnings.simplefilter("ignore")  # tracer warnings about python branches on shapes
            torch.onnx.export(
                _Graph().eval(), (ids, mask, pool), str(tmp),
                input_names=["input_ids", "attention_mask", "pool_mask"],
                output_names=["pooled"], opset_version=OPSET, dynamo=False,
                dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                              "pool_mask": {0: "batch", 1: "tokens"}, "pooled": {0: "batch"}},
            )
        tmp.chmod(0o644)  # mkstemp makes it private; the models dir is shared like the base
        tmp.replace(target)
        kept = {target} | {onnx_path(models_dir, w) for w in BUILDS.values() if w.is_file()}
        keep = kept | {int8_path(p) for p in kept}
        for stale in target.parent.glob("sentiment-*.onnx"):  # graphs of earlier weights: ~470 MB each
            if stale not in keep:
                stale.unlink(missing_ok=True)
    except Exception as e:
        raise ModelLoadError(f"{weights_path}: exporting the sentiment model to ONNX failed: {e}") from e
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return target


def _session(path: Path, threads: int) -> Any:
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.log_severity_level = 3
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])


class OnnxSentimentModel(PooledHeadModel):
    """The committed weights run by ONNX Runtime: float32 (the torch path's predictions) or int8."""

    runtime = "onnx"

    def __init__(self, models_dir: Path, weights_path: Path = WEIGHTS_PATH, *,
                 batch_size: int = DEFAULT_BATCH_SIZE, max_length: int = DEFAULT_MAX_LENGTH,
                 threads: int | None = None, precision: str = "fp32") -> None:
        if precision not in ("fp32", "int8"):
            raise ValueError(f"ONNX Runtime runs precision fp32 or int8, not {precision!r}")
        if not onnxruntime_available():
            raise ModelLoadError("analysis.runtime is onnx but onnxruntime is not installed (pip install onnxruntime)")
        from transformers import AutoTokenizer

        models_dir, weights_path = Path(models_dir), Path(weights_path)
        base_path = install_base_model(models_dir)
        meta = read_weights_meta(models_dir, weights_path)
        from safetensors import safe_open

        with safe_open(str(weights_path), framework="pt") as f:
            self._set_head({k: f.get_tensor(k) for k in ("head.weight", "head.bias")}, meta)
        super().__init__(AutoTokenizer.from_pretrained(base_path), batch_size, max_length,
                         meta.get("prefix", "query: "))
        threads = threads or available_cores()
        self.session = self._load(models_dir, weights_path, threads, precision, force=False)
        self.precision = precision
        self.version = builtin_version(models_dir, weights_path, version_tag(precision))

    def _load(self, models_dir: Path, weights_path: Path, threads: int, precision: str, *, force: bool) -> Any:
        """A session on the cached graph; a cached file ONNX Runtime cannot load is rebuilt, once."""
        path = export_onnx(models_dir, weights_path, force=force)
        try:
            if precision == "int8":
                keys = self._keys(*zip(*calibration_rows(), strict=True))
                hidden = int(self.head_weight.shape[1])
                path = build_int8_graph(path, lambda fn: self._run(keys, fn, hidden), force=force)
            return _session(path, threads)
        except Exception as e:
            if not force:  # a damaged cache file: export again, once
                return self._load(models_dir, weights_path, threads, precision, force=True)
            raise ModelLoadError(f"{path}: ONNX Runtime cannot load the {precision} graph: {e}") from e

    def _pooled(self, input_ids: Any, attention_mask: Any, pool_mask: Any) -> Any:
        import torch

        out = self.session.run(["pooled"], {"input_ids": input_ids.numpy(), "attention_mask": attention_mask.numpy(),
                                            "pool_mask": pool_mask.numpy()})
        return torch.from_numpy(out[0])
