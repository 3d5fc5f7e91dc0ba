"""Average several trained adapter files into one ("model soup") without losing rank.

Two runs from the same initialisation (same seed, different epochs and learning rate) make different
mistakes; averaging their weight *updates* gave a better model than either on every dev set we have
(see `weights/MODEL_CARD.md`) at no cost at inference time, since the result is merged into the base
like any single adapter. LoRA updates are `scale · B @ A`; averaging A and B separately would not
average the updates, so the factors are stacked instead: `A = [A1; A2; …]`, `B = [B1/n, B2/n, …]`,
whose product is exactly the mean of the updates (rank n·r, same `scale`). Heads are averaged
element-wise. The inputs must share base, prefix, rank, alpha and layers (checked).
"""

from __future__ import annotations

import json
from pathlib import Path

SAME_META = ("format", "labels", "prefix", "lora_r", "lora_alpha", "top_from", "base")


def average_adapters(paths: list[Path], out: Path) -> Path:
    """Write the average of the adapter files `paths` to `out`; returns `out`."""
    import torch
    from safetensors import safe_open
    from safetensors.torch import save_file

    if len(paths) < 2:
        raise ValueError("average needs at least two weight files")
    metas: list[dict[str, str]] = []
    tensors: list[dict[str, torch.Tensor]] = []
    for p in paths:
        with safe_open(str(p), framework="pt") as f:
            metas.append(dict(f.metadata() or {}))
            tensors.append({k: f.get_tensor(k) for k in f.keys()})  # noqa: SIM118 - no __iter__
    for p, m, t in zip(paths[1:], metas[1:], tensors[1:], strict=True):
        for key in SAME_META:
            if m.get(key) != metas[0].get(key):
                raise ValueError(f"{p}: {key} is {m.get(key)!r}, {paths[0]} has {metas[0].get(key)!r}")
        if set(t) != set(tensors[0]):
            raise ValueError(f"{p}: tensor names differ from {paths[0]}")
    n = len(paths)
    res: dict[str, torch.Tensor] = {}
    for k in tensors[0]:
        if k.endswith(".lora_A"):
            res[k] = torch.cat([t[k] for t in tensors], 0).contiguous()
        elif k.endswith(".lora_B"):
            res[k] = torch.cat([t[k] / n for t in tensors], 1).contiguous()
        else:
            res[k] = (torch.stack([t[k] for t in tensors]).sum(0) / n).contiguous()
    meta = dict(metas[0])
    meta["averaged_from"] = json.dumps([{"epochs": m.get("epochs"), "lr": m.get("lr"), "seed": m.get("seed"),
                                         "n_train": m.get("n_train")} for m in metas])
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    save_file(res, str(tmp), metadata=meta)
    tmp.replace(out)
    return out
