"""The distillation trainer writes a student the runtime loads from the same base: the layers it keeps
and its teacher in the header, LoRA only for kept, non-frozen layers, the teacher's outputs cached."""

from __future__ import annotations

from pathlib import Path

from pipeline.analysis.builtin_weights import WEIGHTS_PATH, builtin_version


def test_student_names_its_layers_and_teacher_and_loads(models_dir: Path, tmp_path: Path) -> None:
    from safetensors import safe_open

    from pipeline.analysis.torch_model import BuiltinSentimentModel
    from training.distil import train_student

    cache = tmp_path / "cache"
    path = train_student(models_dir, WEIGHTS_PATH, tmp_path / "out", layers=(0, 11), frozen=1, epochs=1,
                         limit=24, batch_size=8, cache_dir=cache, log=lambda _: None)
    with safe_open(str(path), framework="pt") as f:
        meta, keys = dict(f.metadata() or {}), set(f.keys())
    assert meta["layers"] == "0,11" and meta["n_train"] == "24"
    assert meta["distilled_from"] == builtin_version(models_dir, WEIGHTS_PATH, "fp32")
    assert meta["commercial_use"] == "yes"
    lora = {k for k in keys if ".lora_" in k}
    assert lora and all(k.startswith("encoder.layer.11.") for k in lora)  # layer 0 frozen, no others kept
    assert len(list(cache.glob("teacher-*.npy"))) == 1
    model = BuiltinSentimentModel(models_dir, path, precision="fp32", threads=1)
    assert len(model.model.encoder.layer) == 2
    probs = model.predict(["Lønna kom for sent igjen."])[0].probs
    assert abs(sum(probs.values()) - 1) < 1e-4
