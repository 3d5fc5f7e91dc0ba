"""`rykte model average`: the averaged adapter's update is exactly the mean of the inputs' updates."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from safetensors import safe_open
from safetensors.torch import save_file

from tests.analysis.rykte_cli import rykte
from training.average import average_adapters

KEY = "encoder.layer.6.attention.self.query"
META = {"format": "rykte-sentiment-1", "labels": "negative,neutral,positive", "prefix": "query: ",
        "lora_r": "2", "lora_alpha": "4", "top_from": "6", "base": "b1", "epochs": "3"}


def _write(path: Path, seed: int, **meta: str) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    t = {f"{KEY}.lora_A": torch.randn(2, 5, generator=g), f"{KEY}.lora_B": torch.randn(4, 2, generator=g),
         "head.weight": torch.randn(3, 4, generator=g), "head.bias": torch.randn(3, generator=g)}
    save_file(t, str(path), metadata={**META, **meta})
    return t


def _read(path: Path) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    with safe_open(str(path), framework="pt") as f:
        return {k: f.get_tensor(k) for k in f.keys()}, dict(f.metadata() or {})  # noqa: SIM118


def test_average_of_updates_and_heads(tmp_path: Path) -> None:
    a, b = _write(tmp_path / "a.safetensors", 1), _write(tmp_path / "b.safetensors", 2, epochs="6")
    out = average_adapters([tmp_path / "a.safetensors", tmp_path / "b.safetensors"], tmp_path / "avg.safetensors")
    t, meta = _read(out)
    delta = t[f"{KEY}.lora_B"] @ t[f"{KEY}.lora_A"]
    want = (a[f"{KEY}.lora_B"] @ a[f"{KEY}.lora_A"] + b[f"{KEY}.lora_B"] @ b[f"{KEY}.lora_A"]) / 2
    assert torch.allclose(delta, want, atol=1e-6)
    assert t[f"{KEY}.lora_A"].shape == (4, 5)  # rank stacked, not averaged away
    assert torch.allclose(t["head.weight"], (a["head.weight"] + b["head.weight"]) / 2)
    assert meta["lora_r"] == "2" and '"epochs": "6"' in meta["averaged_from"]


def test_mismatched_base_is_refused(tmp_path: Path) -> None:
    _write(tmp_path / "a.safetensors", 1)
    _write(tmp_path / "b.safetensors", 2, base="other")
    with pytest.raises(ValueError, match=r"b\.safetensors: base is 'other'"):
        average_adapters([tmp_path / "a.safetensors", tmp_path / "b.safetensors"], tmp_path / "x.safetensors")


def test_cli(tmp_path: Path) -> None:
    _write(tmp_path / "a.safetensors", 1)
    _write(tmp_path / "b.safetensors", 2)
    out = tmp_path / "w" / "avg.safetensors"
    res = rykte("model", "average", str(tmp_path / "a.safetensors"), str(tmp_path / "b.safetensors"),
                "--out", str(out))
    assert res.exit_code == 0, res.stderr
    assert res.stdout.strip() == str(out) and out.is_file()
    res = rykte("model", "average", str(tmp_path / "a.safetensors"), "--out", str(out))
    assert res.exit_code == 2 and "at least two" in res.stderr
