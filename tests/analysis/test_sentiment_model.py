from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from pipeline.analysis.backend import native_bf16, resolve_backend, resolve_precision, version_tag
from pipeline.analysis.batching import MAX_CHUNKS, clean_text
from pipeline.analysis.builtin_weights import BUILDS, WEIGHTS_PATH, builtin_version
from pipeline.analysis.contract import LABELS, ModelLoadError, Prediction, empty_prediction
from pipeline.analysis.hf_model import map_labels
from pipeline.analysis.sentiment import load_model
from pipeline.config.model import AnalysisConfig


def _valid(p: Prediction) -> None:
    assert p.label in LABELS
    assert set(p.probs) == set(LABELS)
    assert abs(sum(p.probs.values()) - 1.0) < 1e-4
    assert p.score == pytest.approx(p.probs[p.label])
    assert p.score == max(p.probs.values())


def test_clean_text() -> None:
    assert clean_text("<p>Hei <b>du</b>&nbsp;&amp; deg</p><script>alert(1)</script>") == "Hei du & deg"
    assert clean_text(None) == ""
    assert clean_text("  a \n\t b  ") == "a b"


@pytest.mark.parametrize(
    ("labels", "expected_first"),
    [
        ({0: "negative", 1: "neutral", 2: "positive"}, [1.0, 0.0, 0.0]),
        ({0: "NEG", 1: "POS"}, [1.0, 0.0, 0.0]),
        ({0: "1 star", 1: "2 stars", 2: "3 stars", 3: "4 stars", 4: "5 stars"}, [1.0, 0.0, 0.0]),
        ({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, [1.0, 0.0, 0.0]),
    ],
)
def test_label_mapping(labels: dict[int, str], expected_first: list[float]) -> None:
    m = map_labels(labels)
    assert len(m) == len(labels)
    assert m[0] == expected_first
    assert m[-1] == [0.0, 0.0, 1.0]


def test_label_mapping_refuses_unknown_labels() -> None:
    with pytest.raises(ModelLoadError):
        map_labels({0: "spam", 1: "ham"})


@pytest.mark.model
def test_predictions_are_well_formed_and_ordered(sentiment_model: Any) -> None:
    texts = ["Sjefen er helt håpløs og lønna er elendig.", "Jeg elsker jobben min!",
             "Vi søker en regnskapsfører til kontoret i Bergen.", "Jeg elsker jobben min!"]
    preds = sentiment_model.predict(texts)
    assert len(preds) == 4
    for p in preds:
        _valid(p)
    assert preds[0].label == "negative"
    assert preds[1].label == "positive"
    assert preds[2].label == "neutral"
    assert preds[1] == preds[3]
    # order is the caller's, whatever the batching by length did
    assert [p.label for p in sentiment_model.predict(texts[::-1])] == [p.label for p in preds[::-1]]


@pytest.mark.model
def test_batch_result_equals_single_results(sentiment_model: Any) -> None:
    texts = ["kort", "En litt lengre setning om arbeidsmiljøet på kontoret vårt i Oslo.", "Helt ok."]
    batch = sentiment_model.predict(texts)
    sentiment_model.cache._d.clear()
    for t, b in zip(texts, batch, strict=True):
        single = sentiment_model.predict([t])[0]
        assert single.label == b.label
        for k in LABELS:
            assert single.probs[k] == pytest.approx(b.probs[k], abs=0.02)


@pytest.mark.model
@pytest.mark.parametrize("text", ["", "   ", "<br/><p></p>", "&nbsp;", "...", "\u200b"])
def test_empty_texts_are_neutral(sentiment_model: Any, text: str) -> None:
    assert sentiment_model.predict([text]) == [empty_prediction()]


@pytest.mark.model
def test_emoji_only_and_html_do_not_crash(sentiment_model: Any) -> None:
    preds = sentiment_model.predict(["😡😡😡", "🥰", "<div><p>Fantastisk <b>arbeidsplass</b>!</p></div>",
                                     "<script>x()</script>Grusom ledelse &amp; elendig lønn", "\x00\x01"])
    for p in preds:
        _valid(p)
    plain = sentiment_model.predict(["Fantastisk arbeidsplass!"])[0]
    assert preds[2].label == plain.label  # HTML stripped: same text (bf16 batch padding may move decimals)
    assert preds[2].score == pytest.approx(plain.score, abs=0.02)


# Plain complaints every build so far reads as negative alone. The test is about chunking, not about the
# model: the precondition below says so if a future build reads one of them otherwise.
COMPLAINTS = ("Lønna er elendig og ledelsen behandler oss dårlig. "
              "Elendig arbeidsplass med dårlig ledelse og altfor lav lønn. "
              "Turnusen er umenneskelig og ingen blir hørt. ")


@pytest.mark.model
def test_long_texts_are_chunked(sentiment_model: Any) -> None:
    filler = "Vi hadde møte om budsjettet i dag og gikk gjennom tallene for neste kvartal. " * 60
    complaint = sentiment_model.predict([COMPLAINTS])[0]
    assert complaint.label == "negative", f"precondition: the complaint alone reads {complaint}"
    text = filler + COMPLAINTS * 3
    tokens = len(sentiment_model.tokenizer(text)["input_ids"])
    assert tokens > 3 * sentiment_model.max_length
    windows = sentiment_model._windows(sentiment_model.tokenizer("query: " + text)["input_ids"])
    assert len(windows) > 3
    assert all(len(w) <= sentiment_model.max_length for w in windows)
    p = sentiment_model.predict([text])[0]
    _valid(p)
    # the complaint at the end is not cut off: it raises the negative probability
    assert p.probs["negative"] > sentiment_model.predict([filler])[0].probs["negative"] + 0.05


def test_a_huge_text_is_tokenized_only_as_far_as_its_windows_reach(sentiment_model: Any) -> None:
    """Tokenizing is bounded: past MAX_CHUNKS windows nothing counts, so a 2 MB post is cut before the
    tokenizer sees it, and the cut changes nothing in its score."""
    words = "Ledelsen lytter ikke og lønna er for lav, men kollegene er gode. "
    huge = words * (2_000_000 // len(words))
    seen: list[int] = []
    tokenizer = sentiment_model.tokenizer

    class Recording:  # the real tokenizer, noting how long its inputs are
        def __call__(self, texts: Any, *args: Any, **kwargs: Any) -> Any:
            seen.extend(len(t) for t in ([texts] if isinstance(texts, str) else texts))
            return tokenizer(texts, *args, **kwargs)

        def __getattr__(self, name: str) -> Any:
            return getattr(tokenizer, name)

    sentiment_model.tokenizer = Recording()
    try:
        p = sentiment_model.predict([huge])[0]
    finally:
        sentiment_model.tokenizer = tokenizer
    assert seen and max(seen) <= sentiment_model.max_chars + len(sentiment_model.prefix)
    # the first MAX_CHUNKS windows of the whole text are the ones scored: the same as of its cut
    full = tokenizer(sentiment_model.prefix + huge[: 4 * sentiment_model.max_chars])["input_ids"]
    assert len(sentiment_model._windows(full)) == MAX_CHUNKS
    assert p.probs == sentiment_model.predict([huge[: 4 * sentiment_model.max_chars]])[0].probs


@pytest.mark.model
def test_version_names_base_and_weights(sentiment_model: Any) -> None:
    wsha = hashlib.sha256(WEIGHTS_PATH.read_bytes()).hexdigest()[:12]
    assert wsha in sentiment_model.version
    assert sentiment_model.version.startswith("e5small-")


def _header(path: Path) -> dict[str, str]:
    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as f:
        return dict(f.metadata() or {})


def test_the_default_build_is_commercial_safe_and_says_so() -> None:
    """The default `analysis.model: builtin` was trained only on sets a company may use; the NoReC
    build is the option, and its header says it is not for commercial use."""
    assert AnalysisConfig().model == "builtin" and BUILDS["builtin"] == WEIGHTS_PATH
    default, nc = _header(BUILDS["builtin"]), _header(BUILDS["builtin-noncommercial"])
    assert default["commercial_use"] == "yes"
    assert set(default["sets"].split(",")) <= {"employer", "pairs", "lcc"}  # ours, ours, CC BY
    assert not {"norec", "tweeteval", "swe"} & set(default["sets"].split(","))
    assert "NC" not in default["licences"]
    assert nc["commercial_use"] == "no" and "norec" in nc["sets"].split(",")
    assert "CC BY-NC 4.0" in nc["licences"]


def test_the_two_builds_store_different_versions(models_dir: Path) -> None:
    """Switching build re-scores: the version names the weights file."""
    versions = {builtin_version(models_dir, p, "fp32") for p in BUILDS.values()}
    assert len(versions) == len(BUILDS)


@pytest.mark.model
def test_the_noncommercial_build_loads_by_name(models_dir: Path, sentiment_model: Any) -> None:
    m = load_model(AnalysisConfig(model="builtin-noncommercial", runtime="torch", precision="fp32"), models_dir)
    assert m.version != sentiment_model.version and m.version.startswith("e5small-")
    wsha = hashlib.sha256(BUILDS["builtin-noncommercial"].read_bytes()).hexdigest()[:12]
    assert wsha in m.version
    preds = m.predict(["Sjefen er helt håpløs og lønna er elendig.", "Jeg elsker jobben min!"])
    assert [p.label for p in preds] == ["negative", "positive"]


@pytest.mark.model
def test_load_model_is_cached(sentiment_model: Any, models_dir: Path) -> None:
    assert load_model(AnalysisConfig(), models_dir) is sentiment_model


@pytest.mark.parametrize(("flags", "native"), [
    ("fpu sse2 avx2 avx512f avx512_vnni avx512_bf16 amx_tile", True),
    ("fpu sse2 avx2 amx_bf16", True),
    ("fpu sse2 avx2 fma", False),            # an AVX2-only CPU: bf16 would be emulated (slow)
    ("fpu sse2 avx2 avx512f avx512_vnni", False),
])
def test_native_bf16_reads_the_cpu_flags(tmp_path: Path, flags: str, native: bool) -> None:
    info = tmp_path / "cpuinfo"
    info.write_text(f"processor\t: 0\nmodel name\t: Test CPU\nflags\t\t: {flags}\n", encoding="utf-8")
    assert native_bf16(info) is native


def test_native_bf16_is_false_when_unknown(tmp_path: Path) -> None:
    assert native_bf16(tmp_path / "missing") is False


def test_precision_auto_follows_the_cpu_and_explicit_choices_win() -> None:
    assert resolve_precision("auto") == ("bf16" if native_bf16() else "fp32")
    assert resolve_precision("fp32") == "fp32" and resolve_precision("bf16") == "bf16"
    with pytest.raises(ValueError, match="fp16"):
        resolve_precision("fp16")


def test_config_refuses_an_unknown_precision() -> None:
    from pydantic import ValidationError

    from pipeline.config.model import AnalysisConfig

    assert AnalysisConfig().precision == "auto"
    with pytest.raises(ValidationError, match="precision"):
        AnalysisConfig(precision="int4")  # type: ignore[arg-type]


@pytest.mark.model
def test_loaded_model_uses_the_resolved_precision_and_runtime(sentiment_model: Any) -> None:
    assert sentiment_model.precision == resolve_precision("auto")
    assert (sentiment_model.precision, sentiment_model.runtime) == resolve_backend("auto", "auto")
    assert sentiment_model.version.endswith("-" + version_tag(sentiment_model.precision))


def test_any_local_hf_classifier(tiny_hf_model: Path, tmp_path: Path) -> None:
    cfg = AnalysisConfig(model=str(tiny_hf_model), batch_size=4, max_length=512)
    m = load_model(cfg, tmp_path / "models")
    assert m.version.startswith("hf:")
    preds = m.predict(["good job", "bad boss", "", "pay " * 200, "<b>good</b>"])
    assert len(preds) == 5
    for p in preds:
        _valid(p)
    assert preds[2] == empty_prediction()


def test_unloadable_model_is_a_clear_error(tmp_path: Path) -> None:
    cfg = AnalysisConfig(model=str(tmp_path / "nope"), batch_size=4, max_length=64)
    with pytest.raises(ModelLoadError, match="nope"):
        load_model(cfg, tmp_path / "models")
