"""The ONNX Runtime backend: chosen by config and CPU, same predictions as torch float32, cached export."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from pipeline.analysis.backend import resolve_backend


@pytest.mark.parametrize("bf16", [True, False], ids=["native-bf16", "avx2-or-vnni"])
def test_auto_runs_bf16_where_native_else_float32_on_onnx_runtime(bf16: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """int8 is never `auto`: as faithful to float32 as bf16 is the bar, and it is not (MODEL_CARD.md)."""
    from pipeline.analysis import backend

    monkeypatch.setattr(backend, "native_bf16", lambda: bf16)  # both kinds of CPU, on whichever this is
    assert resolve_backend("auto", "auto") == (("bf16", "torch") if bf16 else ("fp32", "onnx"))
    assert resolve_backend("auto", "torch") == (("bf16" if bf16 else "fp32"), "torch")
    assert resolve_backend("auto", "onnx") == ("fp32", "onnx")
    assert resolve_backend("fp32", "auto") == ("fp32", "onnx")
    assert resolve_backend("bf16", "auto") == ("bf16", "torch")
    assert resolve_backend("fp32", "torch") == ("fp32", "torch")
    monkeypatch.setattr(backend, "onnxruntime_available", lambda: False)
    assert resolve_backend("auto", "auto") == (("bf16" if bf16 else "fp32"), "torch")


def test_bad_runtime_choices_are_refused() -> None:
    with pytest.raises(ValueError, match="runs float32 or int8"):
        resolve_backend("bf16", "onnx")
    with pytest.raises(ValueError, match="tensorrt"):
        resolve_backend("auto", "tensorrt")


def test_config_refuses_onnx_with_bf16_naming_both_keys() -> None:
    from pydantic import ValidationError

    from pipeline.config.model import AnalysisConfig

    assert AnalysisConfig().runtime == "auto"
    with pytest.raises(ValidationError, match=r"runtime onnx runs float32 or int8.*precision"):
        AnalysisConfig(runtime="onnx", precision="bf16")
    with pytest.raises(ValidationError, match="runtime"):
        AnalysisConfig(runtime="tensorrt")  # type: ignore[arg-type]


TEXTS = [
    "Sjefen er helt håpløs og lønna er elendig.",
    "Eg trivst svært godt, gode kollegaer og fleksibel arbeidstid.",
    "Vi søker en regnskapsfører til kontoret i Bergen.",
    "kort",
    "😡😡",
    "",
    "Ledelsen lover mye. " * 120 + "Men lønna har stått stille i fire år og ingen tør si fra.",  # chunked
]


@pytest.fixture
def own_models_dir(models_dir: Path, tmp_path: Path) -> Path:
    """`<tmp>/data/models` sharing the installed base but with its own (empty) ONNX cache."""
    own = tmp_path / "data" / "models"
    own.mkdir(parents=True)
    (own / "base").symlink_to((models_dir / "base").resolve(), target_is_directory=True)
    return own


@pytest.fixture(scope="module")
def onnx_model(models_dir: Path) -> Any:
    from pipeline.analysis.onnx_model import OnnxSentimentModel

    return OnnxSentimentModel(models_dir)


@pytest.mark.model
def test_onnx_predictions_equal_torch_float32(onnx_model: Any, models_dir: Path) -> None:
    from pipeline.analysis.torch_model import BuiltinSentimentModel

    torch_model = BuiltinSentimentModel(models_dir, precision="fp32")
    ours, ref = onnx_model.predict(TEXTS), torch_model.predict(TEXTS)
    assert [p.label for p in ours] == [p.label for p in ref]
    for a, b in zip(ours, ref, strict=True):
        for k in a.probs:
            assert a.probs[k] == pytest.approx(b.probs[k], abs=1e-4)
    assert ours[0].label == "negative" and ours[1].label == "positive" and ours[2].label == "neutral"
    # same version as torch float32: switching runtime does not re-score every stored mention
    assert onnx_model.version == torch_model.version
    assert onnx_model.runtime == "onnx" and onnx_model.precision == "fp32"


@pytest.mark.model
@pytest.mark.slow
def test_install_exports_once_and_a_damaged_cache_is_rebuilt(models_dir: Path, own_models_dir: Path) -> None:
    from pipeline.analysis.builtin_weights import BUILDS
    from pipeline.analysis.onnx_model import OnnxSentimentModel, export_onnx, onnx_path
    from tests.conftest import run_rykte

    own = own_models_dir
    path = onnx_path(own)
    assert path.name == onnx_path(models_dir).name  # keyed by base and weights, not by directory
    path.parent.mkdir()
    shutil.copyfile(export_onnx(models_dir), path)  # a copy of the shared export (exporting costs ~25 s)
    stamp = path.stat().st_mtime_ns
    p = run_rykte("--data-dir", str(own.parent), "model", "install")
    assert p.returncode == 0, p.stderr
    if resolve_backend("auto", "auto")[1] == "onnx":  # `model install` provides what `analyze` will run
        assert str(path) in p.stdout
    first = OnnxSentimentModel(own).predict(TEXTS[:3])
    assert path.stat().st_mtime_ns == stamp  # install and load used the cache, no second export
    path.write_bytes(b"not an onnx graph")
    stale = path.with_name("sentiment-0123456789ab-c1-wolderweights-v1.onnx")
    stale.write_bytes(b"graph of earlier weights")
    other_build = onnx_path(own, BUILDS["builtin-noncommercial"])
    assert other_build != path
    other_build.write_bytes(b"graph of the other shipped build")
    again = OnnxSentimentModel(own)  # the real export, once
    assert not stale.exists()  # a new export removes the graphs of earlier weights
    assert other_build.read_bytes() == b"graph of the other shipped build"  # but not the other build's
    assert path.stat().st_size > 1_000_000
    assert [p.label for p in again.predict(TEXTS[:3])] == [p.label for p in first]
    assert not [f for f in os.listdir(path.parent) if f.startswith(".export-")]  # no temp files left


def test_missing_weights_are_named(models_dir: Path, tmp_path: Path) -> None:
    from pipeline.analysis.contract import ModelLoadError
    from pipeline.analysis.onnx_model import OnnxSentimentModel

    with pytest.raises(ModelLoadError, match=r"nothing\.safetensors"):
        OnnxSentimentModel(models_dir, tmp_path / "nothing.safetensors")


@pytest.mark.model
def test_auto_falls_back_to_torch_when_the_export_fails(own_models_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    from pipeline.analysis import backend, onnx_model
    from pipeline.analysis.contract import ModelLoadError
    from pipeline.analysis.sentiment import load_model
    from pipeline.config.model import AnalysisConfig

    def broken(*args: Any, **kwargs: Any) -> Path:
        raise ModelLoadError("exporting the sentiment model to ONNX failed: no onnx package")

    monkeypatch.setattr(onnx_model, "export_onnx", broken)  # the failure is injected, the fallback is real
    monkeypatch.setattr(backend, "native_bf16", lambda: False)  # a CPU where auto chooses ONNX Runtime
    own = own_models_dir
    m: Any = load_model(AnalysisConfig(precision="auto", runtime="auto"), own)
    assert m.runtime == "torch" and m.precision == "fp32"
    assert "no onnx package" in caplog.text and "on torch instead" in caplog.text
    assert m.predict(["Lønna er elendig og sjefen hører aldri etter."])[0].label == "negative"
    with pytest.raises(ModelLoadError, match="no onnx package"):  # same sizes: not the cached fallback
        load_model(AnalysisConfig(runtime="onnx"), own)
