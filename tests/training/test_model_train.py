"""`rykte model train`: seeded, writes only the adapter and head, and the result loads and predicts.

Runs the real training loop on a tiny data dir (a few rows per shared set) for one epoch (still about
a minute with the base loaded twice); the quality of the shipped weights is measured by
`rykte model eval` and the bench, not here.
"""

from __future__ import annotations

import inspect
import json
import sys
from pathlib import Path
from typing import Any

import pytest
import torch
from safetensors import safe_open

from pipeline.analysis.torch_model import BuiltinSentimentModel
from tests.analysis.rykte_cli import rykte
from training.datasets import (
    HOLDOUT_SETS,
    SETS,
    TRAIN_SETS,
    collect_examples,
    is_holdout,
    licence_meta,
    resolve_sets,
)
from training.train import default_out_dir, train

REPO = Path(__file__).resolve().parents[2]

ROWS = [
    ("The pay is awful and the manager shouts at people.", "negative", "en"),
    ("Lønna er elendig og ingen blir hørt.", "negative", "nb"),
    ("Vi söker en lagerarbetare till vårt team i Örebro.", "neutral", "sv"),
    ("The company moved its office to Bergen in May.", "neutral", "en"),
    ("Fantastiske kolleger og en leder som lytter.", "positive", "da"),
    ("Best place I have ever worked, great people.", "positive", "en"),
]


def _write_jsonl(path: Path, rows: list[tuple[str, str, str]]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for text, label, lang in rows:
            f.write(json.dumps({"text": text, "label": label, "lang": lang}, ensure_ascii=False) + "\n")


@pytest.fixture()
def tiny_sets(tmp_path: Path) -> Path:
    d = tmp_path / "sentiment"
    d.mkdir()
    for i, name in enumerate(TRAIN_SETS):
        _write_jsonl(d / f"{name}.jsonl", [(f"{t} ({name} {i})", lab, lang) for t, lab, lang in ROWS])
    _write_jsonl(tmp_path / "employer.jsonl", ROWS)
    pairs = [{"text": "Takk, det hjalp.", "context": "Vi har rettet vaktlista nå.", "label": "positive", "lang": "nb"},
             {"text": "Samme her.", "context": "Lønna er elendig.", "label": "negative", "lang": "nb"}]
    (tmp_path / "pairs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in pairs), encoding="utf-8")
    return d


def _tensors(path: Path) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    with safe_open(str(path), framework="pt") as f:
        return {k: f.get_tensor(k) for k in f.keys()}, dict(f.metadata() or {})  # noqa: SIM118


@pytest.mark.slow
def test_training_is_seeded_and_writes_a_loadable_adapter(tiny_sets: Path, models_dir: Path,
                                                          tmp_path: Path) -> None:
    logs: list[str] = []
    kw: dict[str, Any] = {"models_dir": models_dir, "epochs": 1, "seed": 5, "threads": 1, "top_from": 10,
                          "employer_path": tmp_path / "employer.jsonl", "sets": "all",
                          "pairs_path": tmp_path / "pairs.jsonl"}
    eval_rows = [{"text": t, "label": lab, "lang": lang} for t, lab, lang in ROWS]
    first = train(tiny_sets, tmp_path / "a", eval_rows=eval_rows, log=logs.append, **kw)
    second = train(tiny_sets, tmp_path / "b", log=lambda _m: None, **kw)

    a, meta = _tensors(first.path)
    b, _ = _tensors(second.path)
    kept = sum(1 for i, name in enumerate(TRAIN_SETS) for t, _, _ in ROWS
               if name not in HOLDOUT_SETS or not is_holdout(f"{t} ({name} {i})"))
    assert first.n_train == kept + len(ROWS) + 2  # shared sets minus their hold-out, employer rows, 2 pairs
    assert meta["context"] == "1"  # trained on (reply, parent) pairs: the runtime reads the parent
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    layers = {int(k.split(".")[2]) for k in a if k.startswith("encoder.layer.")}
    assert layers == {10, 11}  # only the adapted layers are stored
    assert {"head.weight", "head.bias"} <= a.keys()
    assert meta["top_from"] == "10" and meta["seed"] == "5" and meta["epochs"] == "1"
    assert meta["sets"] == "norec,tweeteval,swe,lcc,employer,pairs" and meta["commercial_use"] == "no"
    assert "CC BY-NC 4.0" in meta["licences"]
    assert sum(t.numel() for t in a.values()) < 400_000  # an adapter, not a model

    ev = first.history[0]["eval"]
    assert set(ev) == {"en", "nb", "sv", "da", "all"} and all(0.0 <= v <= 1.0 for v in ev.values())
    assert any("epoch 1:" in m for m in logs)

    model = BuiltinSentimentModel(models_dir, weights_path=first.path, threads=1)
    preds = model.predict([t for t, _, _ in ROWS])
    assert len(preds) == len(ROWS) and all(abs(sum(p.probs.values()) - 1) < 1e-3 for p in preds)


def test_the_commercial_preset_reads_only_sets_a_company_may_use(tiny_sets: Path, tmp_path: Path) -> None:
    """`--sets commercial` (the default) is our employer rows and pairs and the CC BY Danish set: the non-commercial
    and unlicensed files are not even read, and the weights' metadata says commercial use is allowed."""
    assert resolve_sets("commercial") == ("lcc", "employer", "pairs")
    assert resolve_sets("employer, lcc") == resolve_sets(["lcc", "employer"]) == ("lcc", "employer")
    assert resolve_sets("all") == tuple(SETS) and resolve_sets("norec,commercial")[0] == "norec"
    for name in ("norec_sentence_train", "tweeteval_val", "swe_sentiment_train"):
        (tiny_sets / f"{name}.jsonl").unlink()
    examples = collect_examples(tiny_sets, [("Fin sjef.", "positive"), ("Samme her.", "negative", "Lønna er elendig.")],
                                tmp_path / "employer.jsonl", resolve_sets("commercial"), tmp_path / "pairs.jsonl")
    groups = {e.group for e in examples}
    assert groups == {"da_lcc_train", "employer", "pairs", "correction"}
    kept_lcc = sum(1 for t, _, _ in ROWS if not is_holdout(f"{t} (da_lcc_train 3)"))
    assert len(examples) == kept_lcc + len(ROWS) + 2 + 2
    assert {e.context for e in examples if e.group == "pairs"} == {"Vi har rettet vaktlista nå.", "Lønna er elendig."}
    assert examples[-1].context == "Lønna er elendig." and examples[-2].context is None  # a reply's correction
    meta = licence_meta(resolve_sets("commercial"))
    assert meta["sets"] == "lcc,employer,pairs" and meta["commercial_use"] == "yes"
    assert "NC" not in meta["licences"] and "CC BY" in meta["licences"]
    assert licence_meta(resolve_sets("employer,swe"))["commercial_use"] == "no"  # no licence stated: no
    with pytest.raises(ValueError, match="unknown training set 'imdb'"):
        resolve_sets("employer,imdb")


def test_unknown_set_is_exit_2_before_anything_is_loaded(tiny_sets: Path, tmp_path: Path) -> None:
    res = rykte("--data-dir", str(tmp_path / "data"), "model", "train", "--data", str(tiny_sets),
                "--sets", "commercial,imdb")
    assert res.exit_code == 2
    assert "--sets commercial,imdb: unknown training set 'imdb'" in res.stderr
    assert not (tmp_path / "data").exists()


def test_bad_eval_file_names_file_and_line(tiny_sets: Path, analysis_data_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "eval.jsonl"
    bad.write_text('{"text": "ok", "label": "negative", "lang": "en"}\n{"text": "x", "label": "angry"}\n',
                   encoding="utf-8")
    res = rykte("--data-dir", str(analysis_data_dir), "model", "train", "--data", str(tiny_sets),
                "--eval", str(bad))
    assert res.exit_code == 2
    assert f"{bad}:2" in res.stderr and "angry" in res.stderr


def test_missing_training_set_is_a_clear_error(tiny_sets: Path, analysis_data_dir: Path) -> None:
    (tiny_sets / "da_lcc_train.jsonl").unlink()  # read by the default (commercial) sets
    res = rykte("--data-dir", str(analysis_data_dir), "model", "train", "--data", str(tiny_sets),
                "--out", str(tiny_sets / "w"))
    assert res.exit_code == 2
    assert "da_lcc_train.jsonl" in res.stderr and "missing" in res.stderr
    assert not (tiny_sets / "w").exists()


def test_the_trainer_never_writes_into_the_source_tree_by_default(tmp_path: Path) -> None:
    """No default output directory in the library; the CLI's default is a new directory per run under
    the data dir (a full `rykte model train` run with it is minutes, so only the rule is tested)."""
    assert inspect.signature(train).parameters["out_dir"].default is inspect.Parameter.empty
    out = default_out_dir(tmp_path / "data" / "models")
    assert out.parent == tmp_path / "data" / "models" / "trained"
    assert not out.is_relative_to(REPO)


@pytest.mark.parametrize("absent", ["peft", "training"])
def test_without_the_train_extra_the_command_says_how_to_get_it(
        tiny_sets: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, absent: str) -> None:
    monkeypatch.setitem(sys.modules, absent, None)  # an import of it now fails as if not installed
    res = rykte("--data-dir", str(tmp_path / "data"), "model", "train", "--data", str(tiny_sets))
    assert res.exit_code == 2
    assert "pip install -e '.[train]'" in res.stderr and f"({absent} is not installed)" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "data").exists()
