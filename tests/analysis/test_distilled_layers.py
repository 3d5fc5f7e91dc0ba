"""A distilled student's weights file names the base layers it keeps (`layers=` in its header):
the torch model keeps exactly those, merges each LoRA pair into the layer it was trained for, and
predicts; its ONNX graph is cached under its own encoder identity, apart from the full build's."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.analysis.builtin_weights import WEIGHTS_PATH, read_weights_meta


def _student(models_dir: Path, path: Path) -> tuple[object, object]:
    """Weights keeping base layers 0 and 3, with a LoRA pair on layer 3's query only."""
    import torch
    from safetensors.torch import save_file

    g = torch.Generator().manual_seed(5)
    a = torch.randn(4, 384, generator=g) * 0.05
    b = torch.randn(384, 4, generator=g) * 0.05
    meta = {k: v for k, v in read_weights_meta(models_dir, WEIGHTS_PATH).items() if k in ("base", "prefix")}
    meta.update({"format": "rykte-sentiment-1", "lora_r": "4", "lora_alpha": "8", "layers": "0,3"})
    save_file({"encoder.layer.3.attention.self.query.lora_A": a, "encoder.layer.3.attention.self.query.lora_B": b,
               "head.weight": torch.randn(3, 384, generator=g) * 0.1, "head.bias": torch.zeros(3)},
              str(path), metadata=meta)
    return a, b


def test_student_keeps_its_layers_and_merges_lora_where_trained(models_dir: Path, tmp_path: Path) -> None:
    from transformers import BertModel

    from pipeline.analysis.model.convert import install_base_model
    from pipeline.analysis.torch_model import BuiltinSentimentModel

    path = tmp_path / "student.safetensors"
    a, b = _student(models_dir, path)
    model = BuiltinSentimentModel(models_dir, path, precision="fp32", threads=1)
    assert len(model.model.encoder.layer) == 2
    base = BertModel.from_pretrained(install_base_model(models_dir), add_pooling_layer=False)
    kept0, kept1 = model.model.encoder.layer
    full0, full3 = base.encoder.layer[0], base.encoder.layer[3]
    assert kept0.attention.self.query.weight.equal(full0.attention.self.query.weight)  # no LoRA there
    expected = full3.attention.self.query.weight + 2.0 * (b @ a)  # alpha / r = 2
    assert (kept1.attention.self.query.weight - expected).abs().max() < 1e-5
    assert kept1.output.dense.weight.equal(full3.output.dense.weight)  # the right layer, not layer 1
    preds = model.predict(["Sjefen er grei.", "Elendig ledelse."])
    assert all(abs(sum(p.probs.values()) - 1) < 1e-4 for p in preds)
    assert preds[0].probs != preds[1].probs


def test_student_graph_is_cached_under_its_own_encoder(models_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("onnxruntime")
    from pipeline.analysis.onnx_model import onnx_path

    path = tmp_path / "student.safetensors"
    _student(models_dir, path)
    assert onnx_path(models_dir, path) != onnx_path(models_dir, WEIGHTS_PATH)
