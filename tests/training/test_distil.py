"""The distillation trainer writes a student the runtime loads from the same base: the layers it keeps
and its teacher in the header, LoRA for the kept layers the teacher or training adapts, the teacher's outputs cached."""

from __future__ import annotations

from pathlib import Path

from pipeline.analysis.builtin_weights import WEIGHTS_PATH, builtin_version


def test_student_names_its_layers_and_teacher_and_loads(models_dir: Path, tmp_path: Path) -> None:
    from safetensors import safe_open

    from pipeline.analysis.torch_model import BuiltinSentimentModel
    from training.distil import train_student

    cache = tmp_path / "cache"
    path = train_student(models_dir, WEIGHTS_PATH, tmp_path / "out", layers=(0, 11), frozen=1, epochs=1,
                         limit=24, batch_size=8, cache_dir=cache, pairs_weight=3.0, log=lambda _: None)
    with safe_open(str(path), framework="pt") as f:
        meta, keys = dict(f.metadata() or {}), set(f.keys())
    assert meta["layers"] == "0,11" and meta["n_train"] == "24" and meta["pairs_weight"] == "3.0"
    assert meta["distilled_from"] == builtin_version(models_dir, WEIGHTS_PATH, "fp32")
    assert meta["commercial_use"] == "yes"
    lora = {k for k in keys if ".lora_" in k}
    assert lora and all(k.startswith("encoder.layer.11.") for k in lora)  # layer 0 frozen, no others kept
    assert len(list(cache.glob("teacher-*.npy"))) == 1
    model = BuiltinSentimentModel(models_dir, path, precision="fp32", threads=1)
    assert len(model.model.encoder.layer) == 2
    probs = model.predict(["Lønna kom for sent igjen."])[0].probs
    assert abs(sum(probs.values()) - 1) < 1e-4


def test_init_from_teacher_copies_the_kept_layers_lora(models_dir: Path) -> None:
    """The student starts from the teacher's own adapters on the layers it keeps (matched by their place in
    the full model), so dropping the top layers is the only change at step 0."""
    import torch
    from safetensors import safe_open

    from pipeline.analysis.model.convert import load_base
    from training.distil import init_lora_from_teacher
    from training.train import build_top

    base, _ = load_base(models_dir)
    layers = [0, 1, 2, 3, 4, 5, 6, 7]
    base.encoder.layer = torch.nn.ModuleList(base.encoder.layer[i] for i in layers)
    top = build_top(base, 4)
    before = {n: p.detach().clone() for n, p in top.named_parameters()}
    with safe_open(str(WEIGHTS_PATH), framework="pt") as f:
        adapted = sorted({int(k.split(".")[2]) for k in f.keys() if k.startswith("encoder.layer.")})  # noqa: SIM118
        teacher = {k: f.get_tensor(k) for k in f.keys() if k.startswith("encoder.layer.")}  # noqa: SIM118
    assert adapted[0] == 4  # the shipped build adapts layers 4-11

    copied = init_lora_from_teacher(top, WEIGHTS_PATH, layers, 4)
    per_layer = sum(1 for k in teacher if k.startswith("encoder.layer.4."))
    assert copied == 4 * per_layer
    params = dict(top.named_parameters())
    for pos, full in enumerate(layers[4:]):
        for key, tensor in teacher.items():
            if key.startswith(f"encoder.layer.{full}."):
                module, ab = key[len(f"encoder.layer.{full}."):].rsplit(".lora_", 1)
                assert torch.equal(params[f"{pos}.{module}.lora_{ab}.default.weight"], tensor)
    changed = {n for n, p in top.named_parameters() if not torch.equal(p, before[n])}
    assert changed and all(".lora_" in n for n in changed)  # the base weights are untouched


def test_frozen_layers_carry_the_teachers_lora_so_an_untrained_student_is_the_truncated_teacher(
        models_dir: Path, tmp_path: Path) -> None:
    """With layers 4-5 frozen and adapted by the teacher, their adapters are merged before the cache and
    written into the student's file: a student trained for zero epochs is exactly the teacher cut to its
    layers, tensor for tensor and in its predictions."""
    import torch
    from safetensors import safe_open

    from pipeline.analysis.torch_model import BuiltinSentimentModel
    from training.distil import train_student, truncate_teacher

    layers = range(8)
    path = train_student(models_dir, WEIGHTS_PATH, tmp_path / "out", layers=layers, frozen=6, epochs=0, limit=8,
                         batch_size=8, cache_dir=tmp_path / "cache", init_from_teacher=True, log=lambda _: None)
    cut = truncate_teacher(WEIGHTS_PATH, layers, tmp_path / "cut.safetensors")
    with safe_open(str(path), framework="pt") as f, safe_open(str(cut), framework="pt") as g:
        assert set(f.keys()) == set(g.keys())
        assert {int(k.split(".")[2]) for k in f.keys() if k.startswith("encoder.layer.")} == {4, 5, 6, 7}  # noqa: SIM118
        assert all(torch.equal(f.get_tensor(k), g.get_tensor(k)) for k in f.keys())  # noqa: SIM118
    texts = ["Lønna kom for sent igjen.", "Takk for et godt svar, det setter vi pris på."]
    a = BuiltinSentimentModel(models_dir, path, precision="fp32", threads=1).predict(texts)
    b = BuiltinSentimentModel(models_dir, cut, precision="fp32", threads=1).predict(texts)
    assert [x.probs for x in a] == [y.probs for y in b]


def test_truncated_teacher_keeps_only_its_layers_and_all_layers_give_the_teacher(models_dir: Path,
                                                                                  tmp_path: Path) -> None:
    from safetensors import safe_open

    from pipeline.analysis.torch_model import BuiltinSentimentModel
    from training.distil import truncate_teacher

    texts = ["Lønna kom for sent igjen.", "Takk for et godt svar, det setter vi pris på."]
    eight = truncate_teacher(WEIGHTS_PATH, range(8), tmp_path / "eight.safetensors")
    with safe_open(str(eight), framework="pt") as f:
        meta, keys = dict(f.metadata() or {}), set(f.keys())
    assert meta["layers"] == "0,1,2,3,4,5,6,7" and {"head.weight", "head.bias"} <= keys
    assert {int(k.split(".")[2]) for k in keys if k.startswith("encoder.layer.")} == {4, 5, 6, 7}
    assert len(BuiltinSentimentModel(models_dir, eight, precision="fp32", threads=1).model.encoder.layer) == 8

    whole = truncate_teacher(WEIGHTS_PATH, range(12), tmp_path / "whole.safetensors")
    teacher = BuiltinSentimentModel(models_dir, WEIGHTS_PATH, precision="fp32", threads=1).predict(texts)
    same = BuiltinSentimentModel(models_dir, whole, precision="fp32", threads=1).predict(texts)
    for a, b in zip(teacher, same, strict=True):
        assert all(abs(a.probs[k] - b.probs[k]) < 1e-6 for k in a.probs)
