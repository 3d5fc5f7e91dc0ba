"""The correction loop end to end (issue 20, point 3), on the real built-in model:

HR labels mentions on the "Teach the model" page and in the correction panel (AppTest clicks) → the writer's cycle takes the
corrections in → `rykte model retrain` is ACCEPTED and activated → `rykte model versions` lists it as
active → the next analysis re-scores every mention with the new version → deliberately WRONG labels
→ the retrain is REFUSED naming the shipped set that got worse, the active version unchanged →
`rykte model rollback` → the previous (shipped) weights are active again.

The store is our own tiny company (tests/learning/world.py); models/ links the installed base and
keeps its own versions/ and features/. The config sets `analysis.retrain.tolerance: 0.02`: with the
default 0.005 (about one row of the 255-row pairs set) even these right labels are refused, because
the candidate loses ~1 point on the pairs set (see the report of issue 20 and retrain.L2).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from pipeline.cli import cli
from pipeline.store.inbox import append_label_correction, corrections_path
from tests.learning.world import INSTALLED_MODELS, MENTIONS, WRONG, private_models_dir, write_import

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
CONFIG = """\
company: {name: Fjordkraft Bygg}
analysis:
  uncertain_per_day: 40
  retrain: {tolerance: 0.02, min_corrections: 10, min_held_back: 5}
responses: {timezone: Europe/Oslo}
"""

pytestmark = [pytest.mark.model, pytest.mark.slow,
              pytest.mark.skipif(not (INSTALLED_MODELS / "base").is_dir(), reason="no installed base model")]


def _rykte(data: Path, config: Path, *args: str) -> Any:
    res = CliRunner().invoke(cli, ["--config", str(config), "--data-dir", str(data), *args], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res


def _mentions(data: Path) -> dict[str, tuple[int, str, str]]:
    con = duckdb.connect(str(data / "rykte.duckdb"), read_only=True)
    try:
        rows = con.execute("SELECT external_id, id, sentiment, model_version FROM mentions").fetchall()
    finally:
        con.close()
    return {eid: (mid, s, v) for eid, mid, s, v in rows}


def _label_on_the_page(data: Path, monkeypatch: pytest.MonkeyPatch, labels: dict[int, str]) -> None:
    """HR labels every mention: one click on "Teach the model" for those its queue offers (the ones
    the model is unsure of; the shipped build is sure of most of these, see test_learning_page.py for
    the queue itself), the label-correction panel (the one the inbox shows) on the Mentions page for
    the rest."""
    monkeypatch.setattr(sys, "argv", ["app.py", "--data-dir", str(data), "--demo"])
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state["lang"] = "en"
    at.run()
    at.switch_page("views/learning.py").run()
    offered = [mid for mid in labels if any(b.key == f"learn_{mid}_{labels[mid]}" for b in at.button)]
    for mid in offered:
        at.button(key=f"learn_{mid}_{labels[mid]}").click().run()
        assert not at.exception
    at.switch_page("views/mentions.py").run()
    for mid in (m for m in labels if m not in offered):
        at.session_state["m_open"] = mid
        at.run()
        at.selectbox(key=f"label_{mid}").set_value(labels[mid]).run()
        at.button(key=f"save_label_{mid}").click().run()
        assert not at.exception


def test_corrections_retrain_accepted_refused_and_rollback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    models = private_models_dir(data)
    config = tmp_path / "rykte.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    imports = write_import(tmp_path / "mentions.jsonl")
    _rykte(data, config, "import", str(imports))
    before = _mentions(data)
    shipped_version = before["m1"][2]

    # 1. HR labels every mention right on the page; the writer's next cycle takes the corrections in
    truth = {eid: label for eid, _p, _t, label in MENTIONS}
    _label_on_the_page(data, monkeypatch, {before[eid][0]: truth[eid] for eid in truth})
    assert len(corrections_path(data).read_text(encoding="utf-8").splitlines()) == len(MENTIONS)
    _rykte(data, config, "import", str(imports))  # a batch: ingest (nothing new) + corrections + analysis
    assert not corrections_path(data).exists()

    # 2. retrain: accepted and active
    card = json.loads(_rykte(data, config, "model", "retrain", "--json").output.strip().splitlines()[-1])
    assert card["accepted"], card["reason"]
    assert card["parent"] == "shipped" and card["corrections_trained"] + card["corrections_held_back"] == len(MENTIONS)
    assert card["corrections_held_back"] >= 5 and set(card["scores"]) >= {"employer_dev", "employer_test",
                                                                          "company_held_back"}
    first = card["id"]
    listed = json.loads(_rykte(data, config, "model", "versions", "--json").output)
    active = [r["id"] for r in listed if r["active"] and r["build"] == "builtin"]
    assert active == [first]
    # the shipped weights are listed with the scores this retrain measured for them
    shipped = next(r for r in listed if r["build"] == "builtin" and r["id"] == "shipped")
    assert shipped["scores"] == {k: s["current"] for k, s in card["scores"].items()}
    table = _rykte(data, config, "model", "versions").output.splitlines()
    shipped_line = next(line for line in table if line[2:].startswith("builtin ") and " shipped " in line)
    assert f"employer_test {card['scores']['employer_test']['current']['macro_f1']:.4f}" in shipped_line
    assert (models / "versions" / first / "sentiment.safetensors").is_file()

    # 3. the next analysis re-scores every mention with the new version
    out = _rykte(data, config, "analyze").output
    assert f"scored {len(MENTIONS)} mentions" in out
    after = _mentions(data)
    assert {v for _i, _s, v in after.values()} != {shipped_version}
    assert len({v for _i, _s, v in after.values()}) == 1

    # 4. deliberately wrong labels (the same inbox the page appends to): refused, naming the set
    for eid, (mid, _s, _v) in after.items():
        append_label_correction(data, mid, next(t for e, _p, t, _l in MENTIONS if e == eid), WRONG[truth[eid]],
                                corrected_by="prankster")
    _rykte(data, config, "import", str(imports))
    res = _rykte(data, config, "model", "retrain")
    assert "REFUSED" in res.output
    verdict = res.output.strip().splitlines()[-1]
    assert "worse on employer_" in verdict, verdict
    listed = json.loads(_rykte(data, config, "model", "versions", "--json").output)
    assert [r["id"] for r in listed if r["active"] and r["build"] == "builtin"] == [first]
    refused = [r for r in listed if r["build"] == "builtin" and not r["accepted"]]
    assert len(refused) == 1 and "employer_" in refused[0]["reason"]

    # 5. one command rolls back to what was active before: the shipped weights
    assert "builtin: shipped is active" in _rykte(data, config, "model", "rollback").output
    listed = json.loads(_rykte(data, config, "model", "versions", "--json").output)
    assert [r["id"] for r in listed if r["active"] and r["build"] == "builtin"] == ["shipped"]
    _rykte(data, config, "analyze")
    assert {v for _i, _s, v in _mentions(data).values()} == {shipped_version}
