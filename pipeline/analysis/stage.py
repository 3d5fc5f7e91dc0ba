"""The analysis stage: language, sentiment, aspects and the criticism flag for mentions in the store.

Each reply is scored with the text it answers (its parent) as context, for a model trained so.
Incremental: only mentions whose input changed since they were scored (`analyzed_hash` differs from
`input_hash`: the text's hash, or the text's and its parent's) or that were scored by another model
version are scored; identical inputs are scored once per run. `rescore=True` scores everything. The model is loaded only when there is work.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.analysis.contract import Prediction, SentimentModel
from pipeline.config.model import AnalysisConfig
from pipeline.store.db import utcnow
from pipeline.store.metrics import refresh_criticism

CHUNK = 512

# What the model reads of each mention: its title and text, and the text it answers (its parent in
# the same source) as context. `input_hash` is the text's hash, combined with the parent's when there
# is one, so a reply is scored again when its parent arrives or changes (`analyzed_hash` keeps it).
INPUTS = """(
    SELECT m.id, m.title, m.text,
           CASE WHEN p.id IS NULL THEN m.text_hash ELSE md5(m.text_hash || '|' || p.text_hash) END AS input_hash,
           p.title AS parent_title, p.text AS parent_text, m.analyzed_hash, m.model_version
    FROM mentions m LEFT JOIN mentions p ON p.source = m.source AND p.external_id = m.parent_id
) inputs"""
INPUTS_SQL = "SELECT id, title, text, input_hash, parent_title, parent_text FROM " + INPUTS


def model_input(title: str | None, text: str) -> str:
    """What the model reads: the title matters for news items whose text is a summary."""
    if title and title.strip() and title.strip() not in text:
        return f"{title.strip()}. {text}"
    return text


def analyze(
    con: duckdb.DuckDBPyConnection,
    cfg: AnalysisConfig,
    models_dir: Path,
    *,
    rescore: bool = False,
    progress: bool | None = None,
) -> int:
    """Score pending mentions; return how many mentions were updated."""
    from pipeline.analysis import language, sentiment
    from pipeline.taxonomy import aspects

    where = "" if rescore else " WHERE analyzed_hash IS DISTINCT FROM input_hash OR model_version IS NULL"
    pending = con.execute(INPUTS_SQL + where).fetchall()
    if not pending and not _scored_by_another_version(con, sentiment.expected_version(cfg, models_dir)):
        refresh_criticism(con, cfg.criticism_threshold)
        return 0
    model: SentimentModel = sentiment.load_model(cfg, models_dir)
    version = model.version
    if not rescore:  # also pick up mentions scored by an older model version
        pending += con.execute(INPUTS_SQL + " WHERE analyzed_hash = input_hash AND model_version IS DISTINCT FROM ?",
                               [version]).fetchall()
    unique: dict[tuple[str, str | None], int] = {}
    inputs: list[str] = []
    contexts: list[str | None] = []
    for _id, title, text, _h, p_title, p_text in pending:
        key = (model_input(title, text), model_input(p_title, p_text) if p_text else None)
        if key not in unique:
            unique[key] = len(inputs)
            inputs.append(key[0])
            contexts.append(key[1])
    show = sys.stderr.isatty() if progress is None else progress
    from tqdm import tqdm

    bar = tqdm(total=len(inputs), desc="Scoring", unit="text", disable=not show, file=sys.stderr)
    preds: list[Prediction] = []
    for start in range(0, len(inputs), CHUNK):
        batch = inputs[start:start + CHUNK]
        preds.extend(model.predict(batch, contexts[start:start + CHUNK]))
        bar.update(len(batch))
    bar.close()
    langs = [language.detect_language(t) for t in inputs]
    now = utcnow()
    records = []
    for mention_id, title, text, input_hash, p_title, p_text in pending:
        i = unique[(model_input(title, text), model_input(p_title, p_text) if p_text else None)]
        p = preds[i]
        hits = aspects.detect_aspects(inputs[i], langs[i]) if p.label == "negative" or \
            p.probs.get("negative", 0.0) >= cfg.criticism_threshold else []
        records.append({
            "id": mention_id, "language": langs[i], "sentiment": p.label,
            "p_negative": float(p.probs.get("negative", 0.0)), "p_neutral": float(p.probs.get("neutral", 0.0)),
            "p_positive": float(p.probs.get("positive", 0.0)), "sentiment_score": float(p.score),
            "aspects": json.dumps([{"aspect": h.aspect, "term": h.term} for h in hits], ensure_ascii=False),
            "analyzed_hash": input_hash,
        })
    frame = pd.DataFrame.from_records(records)
    con.complete()  # DuckDB 2: register() refuses while an earlier result is unfinished
    con.register("scored_batch", frame)
    try:
        con.execute(
            """
            UPDATE mentions SET language = s.language, sentiment = s.sentiment, p_negative = s.p_negative,
                p_neutral = s.p_neutral, p_positive = s.p_positive, sentiment_score = s.sentiment_score,
                aspects = s.aspects, analyzed_hash = s.analyzed_hash, model_version = ?,
                analyzed_at = ?
            FROM scored_batch s WHERE mentions.id = s.id
            """,
            [version, now],
        )
    finally:
        con.unregister("scored_batch")
    apply_label_corrections(con)
    refresh_criticism(con, cfg.criticism_threshold)
    return len(records)


def _scored_by_another_version(con: duckdb.DuckDBPyConnection, version: str | None) -> bool:
    """Whether a mention was scored by another model than `version` (None: unknown until loaded, so
    no), e.g. after a retrained version was activated or rolled back (`versions.py`)."""
    if version is None:
        return False
    row = con.execute(f"SELECT count(*) FROM {INPUTS} WHERE analyzed_hash = input_hash "
                      "AND model_version IS DISTINCT FROM ?", [version]).fetchone()
    return bool(row and row[0])


def apply_label_corrections(con: duckdb.DuckDBPyConnection) -> None:
    """A label a user corrected in the dashboard wins over the model for that mention."""
    con.execute(
        """
        UPDATE mentions SET sentiment = c.label,
            p_negative = CASE WHEN c.label = 'negative' THEN 1.0 ELSE 0.0 END,
            p_neutral = CASE WHEN c.label = 'neutral' THEN 1.0 ELSE 0.0 END,
            p_positive = CASE WHEN c.label = 'positive' THEN 1.0 ELSE 0.0 END,
            sentiment_score = 1.0
        FROM (SELECT mention_id, arg_max(label, corrected_at) AS label FROM label_corrections
              WHERE mention_id IS NOT NULL GROUP BY mention_id) c
        WHERE mentions.id = c.mention_id AND mentions.sentiment IS DISTINCT FROM c.label
        """
    )
