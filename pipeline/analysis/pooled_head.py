"""What the built-in model's two runtimes share: encoder → pooled vector → linear head.

Why apart: the torch backend (`torch_model.py`) and the ONNX Runtime backend (`onnx_model.py`) run
the same encoder differently but must turn its pooled vector into probabilities the same way, and
the correction loop (`retrain.py`) needs that vector itself: it trains a new head on the frozen
encoder's `embed()` features and compares heads through `head_params()`. The head runs in float32
outside the encoder, so a retrained head reuses the encoder (and its exported ONNX graph) as it is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pipeline.analysis.batching import BatchedModel, has_content


class PooledHeadModel(BatchedModel):
    """A built-in model: subclasses implement `_pooled(input_ids, attention_mask, pool_mask)`."""

    def _set_head(self, tensors: Mapping[str, Any], meta: Mapping[str, str]) -> None:
        """Take the linear head from the weights' tensors; read `context` from their metadata."""
        self.head_weight = tensors["head.weight"].float().clone()
        self.head_bias = tensors["head.bias"].float().clone()
        self.uses_context = meta.get("context") == "1"

    def _pooled(self, input_ids: Any, attention_mask: Any, pool_mask: Any) -> Any:  # pragma: no cover
        raise NotImplementedError

    def _probs(self, input_ids: Any, attention_mask: Any, pool_mask: Any) -> Any:
        import torch

        feats = self._pooled(input_ids, attention_mask, pool_mask).float()
        return torch.softmax(feats @ self.head_weight.T + self.head_bias, dim=-1)

    def embed(self, texts: Sequence[str], contexts: Sequence[str | None] | None = None) -> Any:
        """Pooled encoder features, numpy float32 [len(texts), hidden]; `predict`'s probabilities are
        softmax(features @ W.T + b) with (W, b) = `head_params()` (up to the token-weighted averaging of
        a chunked long text, which `predict` applies to probabilities and this to features). A text
        without content gets a row of zeros (`predict` gives it neutral without scoring)."""
        import numpy as np

        keys = self._keys(texts, contexts)
        hidden = int(self.head_weight.shape[1])
        out = np.zeros((len(keys), hidden), dtype=np.float32)
        todo: dict[tuple[str, str], list[int]] = {}
        for i, key in enumerate(keys):
            if key[0] and has_content(key[0]):
                todo.setdefault(key, []).append(i)
        if todo:
            uniq = list(todo)
            for key, vec in zip(uniq, self._run(uniq, self._pooled, hidden), strict=True):
                out[todo[key]] = np.asarray(vec, dtype=np.float32)
        return out

    def head_params(self) -> tuple[Any, Any]:
        """The head as numpy float32: W [3, hidden], b [3] (rows in `contract.LABELS` order)."""
        return self.head_weight.numpy().copy(), self.head_bias.numpy().copy()


def mean_pool(hidden: Any, pool_mask: Any) -> Any:
    """Mean of `hidden` [batch, tokens, dim] over the tokens where `pool_mask` is 1."""
    m = pool_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1.0)
