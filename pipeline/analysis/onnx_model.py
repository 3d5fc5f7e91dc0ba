"""ONNX Runtime backend of the built-in sentiment model: the torch float32 numbers, faster.

Why: on CPUs without native bfloat16 (AVX2-only laptops and many cloud parts) float32 is the only
lossless precision, and ONNX Runtime runs the same graph faster than eager torch (`bench/sentiment.py`
on 2 AVX2 cores: 77.6 vs 65.5 texts/s, NoReC and employer dev metrics identical to four decimals).
Dynamic int8 (torch or ONNX Runtime, per-tensor or per-channel, with and without the attention and FFN
output matmuls) was faster still but lost 1–4 points of NoReC dev macro-F1, so it is not offered
(model card).

The graph — BertModel with the LoRA merged, mean pooling over the attention mask, the head and the
softmax — is exported once per (base, weights file) with torch's exporter and cached as
`<models_dir>/onnx/sentiment-<base>-w<weights sha>-v<N>.onnx`. It is written to a temporary file
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

from pipeline.analysis.backend import onnxruntime_available
from pipeline.analysis.batching import BatchedModel, available_cores
from pipeline.analysis.builtin_weights import BUILDS, WEIGHTS_PATH, builtin_version, read_weights_meta
from pipeline.analysis.contract import DEFAULT_BATCH_SIZE, DEFAULT_MAX_LENGTH, ModelLoadError
from pipeline.analysis.model.convert import install_base_model
from pipeline.analysis.torch_model import BuiltinSentimentModel

EXPORT_VERSION = 1
OPSET = 17


def onnx_path(models_dir: Path, weights_path: Path = WEIGHTS_PATH) -> Path:
    """Where the exported graph for these weights on the installed base lives."""
    version = builtin_version(Path(models_dir), Path(weights_path), "fp32")
    stem = version.removeprefix("e5small-").removesuffix("-fp32")
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
            self.bert, self.head = ours.model, ours.head

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            m = attention_mask.unsqueeze(-1).to(hidden.dtype)
            return torch.softmax(self.head((hidden * m).sum(1) / m.sum(1)), dim=-1)

    # a padded batch, so the traced graph takes the masked path
    ids = torch.tensor([[0, 40, 41, 42, 2], [0, 40, 41, 2, 1]], dtype=torch.long)
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 1, 0]], dtype=torch.long)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".export-", suffix=".onnx", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        with warnings.catch_warnings(), torch.inference_mode():
            warnings.simplefilter("ignore")  # tracer warnings about python branches on shapes
            torch.onnx.export(
                _Graph().eval(), (ids, mask), str(tmp), input_names=["input_ids", "attention_mask"],
                output_names=["probs"], opset_version=OPSET, dynamo=False,
                dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                              "probs": {0: "batch"}},
            )
        tmp.chmod(0o644)  # mkstemp makes it private; the models dir is shared like the base
        tmp.replace(target)
        keep = {target} | {onnx_path(models_dir, w) for w in BUILDS.values() if w.is_file()}
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


class OnnxSentimentModel(BatchedModel):
    """The committed weights run by ONNX Runtime (float32); same predictions as the torch path."""

    runtime = "onnx"

    def __init__(self, models_dir: Path, weights_path: Path = WEIGHTS_PATH, *,
                 batch_size: int = DEFAULT_BATCH_SIZE, max_length: int = DEFAULT_MAX_LENGTH,
                 threads: int | None = None) -> None:
        if not onnxruntime_available():
            raise ModelLoadError("analysis.runtime is onnx but onnxruntime is not installed (pip install onnxruntime)")
        from transformers import AutoTokenizer

        models_dir, weights_path = Path(models_dir), Path(weights_path)
        base_path = install_base_model(models_dir)
        meta = read_weights_meta(models_dir, weights_path)
        super().__init__(AutoTokenizer.from_pretrained(base_path), batch_size, max_length,
                         meta.get("prefix", "query: "))
        path = export_onnx(models_dir, weights_path)
        threads = threads or available_cores()
        try:
            self.session = _session(path, threads)
        except Exception:  # a damaged cache file: export again, once
            path = export_onnx(models_dir, weights_path, force=True)
            try:
                self.session = _session(path, threads)
            except Exception as e:
                raise ModelLoadError(f"{path}: ONNX Runtime cannot load the exported graph: {e}") from e
        self.precision = "fp32"
        self.version = builtin_version(models_dir, weights_path, "fp32")

    def _probs(self, input_ids: Any, attention_mask: Any) -> Any:
        import torch

        out = self.session.run(["probs"], {"input_ids": input_ids.numpy(), "attention_mask": attention_mask.numpy()})
        return torch.from_numpy(out[0])
