"""`precision: int8`: a static int8 graph derived once from the float32 export, opt-in, whose
scores do not depend on the batch (the dynamic int8 graph's did)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from pipeline.analysis.backend import INT8_RECIPE, resolve_backend, version_tag

TEXTS = [
    "Sjefen er helt håpløs og lønna er elendig.",
    "Eg trivst svært godt, gode kollegaer og fleksibel arbeidstid.",
    "Vi søker en regnskapsfører til kontoret i Bergen.",
    "kort",
    "Ingen svarer på e-post, og vaktlistene kommer dagen før.",
    "Tack för ett bra samtal i dag!",
]


def test_int8_is_opt_in_and_runs_on_onnx_runtime_only() -> None:
    assert resolve_backend("int8", "auto") == ("int8", "onnx")
    assert resolve_backend("int8", "onnx") == ("int8", "onnx")
    assert "int8" not in resolve_backend("auto", "auto") + resolve_backend("auto", "onnx")
    with pytest.raises(ValueError, match="int8 runs on ONNX Runtime only"):
        resolve_backend("int8", "torch")
    assert version_tag("int8") == f"int8r{INT8_RECIPE}" and version_tag("fp32") == "fp32"


def test_config_refuses_int8_on_torch_naming_both_keys() -> None:
    from pydantic import ValidationError

    from pipeline.config.model import AnalysisConfig

    assert AnalysisConfig(precision="int8").precision == "int8"
    with pytest.raises(ValidationError, match=r"precision int8 runs on ONNX Runtime only.*runtime"):
        AnalysisConfig(precision="int8", runtime="torch")


def test_calibration_texts_are_our_training_texts_and_never_measured() -> None:
    from pipeline.analysis import evalsets
    from pipeline.analysis.int8_graph import calibration_rows

    root = Path(__file__).resolve().parents[2]
    train = {json.loads(line)["text"] for f in ("employer_train.jsonl", "pairs_train.jsonl")
             for line in (root / "training" / "data" / f).open(encoding="utf-8")}
    measured = {json.loads(line)["text"] for f in ("employer_dev.jsonl", "employer_test.jsonl", "pairs_eval.jsonl")
                for line in evalsets.path(f).open(encoding="utf-8")}
    rows = calibration_rows()
    assert len(rows) >= 400 and sum(1 for _, c in rows if c) >= 50  # replies with their parent too
    assert not [t for t, _ in rows if t not in train]
    assert not [t for t, _ in rows if t in measured]


@pytest.fixture(scope="module")
def int8_setup(models_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    """Its own models dir (shared base, a copy of the float32 export) and the int8 model built in it."""
    from pipeline.analysis.onnx_model import OnnxSentimentModel, export_onnx, onnx_path

    own = tmp_path_factory.mktemp("int8") / "models"
    own.mkdir()
    (own / "base").symlink_to((models_dir / "base").resolve(), target_is_directory=True)
    onnx_path(own).parent.mkdir()
    shutil.copyfile(export_onnx(models_dir), onnx_path(own))  # exporting costs ~25 s
    return own, OnnxSentimentModel(own, precision="int8")


@pytest.fixture(scope="module")
def onnx_fp32(models_dir: Path) -> Any:
    from pipeline.analysis.onnx_model import OnnxSentimentModel

    return OnnxSentimentModel(models_dir)


@pytest.mark.model
@pytest.mark.slow
def test_int8_scores_do_not_depend_on_the_batch(int8_setup: tuple[Path, Any]) -> None:
    _, model = int8_setup
    batched = model.predict(TEXTS)
    for text, together in zip(TEXTS, batched, strict=True):
        model.cache._d.clear()
        alone = model.predict([text])[0]
        assert alone.probs == pytest.approx(together.probs, abs=1e-5), text


@pytest.mark.model
@pytest.mark.slow
def test_int8_is_close_to_float32_and_has_its_own_version(int8_setup: tuple[Path, Any], onnx_fp32: Any,
                                                         employer_dev: list[dict[str, Any]]) -> None:
    """Close, not equal: recipe 2 changes 2 of the 316 dev labels and 15 of our 3,413 training texts'
    (MODEL_CARD.md); one is TEXTS[0], a complaint float32 reads as only 0.89 negative (int8: 0.74
    positive), so the labels are compared over the dev set, not text by text."""
    _, model = int8_setup
    ours, ref = model.predict(TEXTS), onnx_fp32.predict(TEXTS)
    assert [p.label for p in ours[1:3]] == ["positive", "neutral"] == [p.label for p in ref[1:3]]
    assert max(abs(a.probs[k] - b.probs[k]) for a, b in zip(ours, ref, strict=True) for k in a.probs) > 1e-4
    texts = [r["text"] for r in employer_dev]
    changed = sum(a.label != b.label for a, b in zip(model.predict(texts), onnx_fp32.predict(texts), strict=True))
    assert changed <= len(texts) // 50, f"{changed} of {len(texts)} dev labels differ from float32"
    assert model.version.endswith(f"-int8r{INT8_RECIPE}") and model.precision == "int8"
    assert model.version.rsplit("-", 1)[0] == onnx_fp32.version.rsplit("-", 1)[0]  # same base and weights


@pytest.mark.model
@pytest.mark.slow
def test_int8_graph_is_static_cached_and_a_damaged_one_rebuilt(int8_setup: tuple[Path, Any]) -> None:
    import onnx

    from pipeline.analysis.int8_graph import int8_path
    from pipeline.analysis.onnx_model import OnnxSentimentModel, onnx_path

    own, _ = int8_setup
    path = int8_path(onnx_path(own))
    ops = {n.op_type for n in onnx.load(str(path), load_external_data=False).graph.node}
    assert {"QuantizeLinear", "MatMulIntegerToFloat"} <= ops and "DynamicQuantizeLinear" not in ops
    stamp = path.stat().st_mtime_ns
    first = [p.probs for p in OnnxSentimentModel(own, precision="int8").predict(TEXTS[:3])]
    assert path.stat().st_mtime_ns == stamp  # loaded from the cache
    path.write_bytes(b"not an onnx graph")
    again = OnnxSentimentModel(own, precision="int8")  # rebuilt, once, with the same calibration
    assert path.stat().st_size > 1_000_000
    for rebuilt, probs in zip(again.predict(TEXTS[:3]), first, strict=True):
        assert rebuilt.probs == pytest.approx(probs, abs=1e-6)
    assert not [f for f in os.listdir(path.parent) if f.startswith(".int8")]  # no temp files left


@pytest.mark.model
@pytest.mark.slow
def test_install_with_int8_reports_the_cached_graph(int8_setup: tuple[Path, Any], tmp_path: Path) -> None:
    from pipeline.analysis.int8_graph import int8_path
    from pipeline.analysis.onnx_model import onnx_path
    from tests.conftest import ROOT, run_rykte

    own, _ = int8_setup
    config = tmp_path / "rykte.yaml"
    example = (ROOT / "config" / "example.yaml").read_text(encoding="utf-8")
    assert "\n  precision: auto " in example
    config.write_text(example.replace("\n  precision: auto ", "\n  precision: int8 "), encoding="utf-8")
    path = int8_path(onnx_path(own))
    stamp = path.stat().st_mtime_ns
    p = run_rykte("--config", str(config), "--data-dir", str(own.parent), "model", "install")
    assert p.returncode == 0, p.stderr
    assert str(path) in p.stdout and path.stat().st_mtime_ns == stamp  # provided once, then reused
    assert "WARNING" not in p.stderr


@pytest.mark.model
@pytest.mark.slow
def test_int8_keeps_the_employer_test_set_within_a_point_of_float32(int8_setup: tuple[Path, Any], onnx_fp32: Any,
                                                                    employer_test: list[dict[str, Any]]) -> None:
    """Recipe 2's bar (219/238 as float32, MODEL_CARD.md): at most two texts lost overall and one in
    any language."""
    _, model = int8_setup
    texts = [r["text"] for r in employer_test]
    right: dict[str, dict[str, int]] = {"int8": {}, "fp32": {}}
    for name, m in (("int8", model), ("fp32", onnx_fp32)):
        for p, r in zip(m.predict(texts), employer_test, strict=True):
            right[name][r["lang"]] = right[name].get(r["lang"], 0) + (p.label == r["label"])
    assert sum(right["int8"].values()) >= sum(right["fp32"].values()) - 2, right
    assert all(right["int8"][lang] >= n - 1 for lang, n in right["fp32"].items()), right
