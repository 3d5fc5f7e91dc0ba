"""Tiny real stores for tests: the real writer path (validate → upsert → official → threads →
criticism → response links), then a published snapshot.

    data = make_store(tmp_path, [m("r1", text="...", p_negative=0.9), m("r2", parent="r1",
                                  author="acme", official=True, at=...)])

Analysis results (language, sentiment, probabilities, aspects) are given per mention instead of
running the model. Reply quality/outcome can be pinned per criticised mention (`quality=`,
`components=`, `outcome=`), so tests do not depend on the scorer's tuning.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from pipeline.config.model import ResponsesConfig
from pipeline.ingest.importer import validate_row
from pipeline.store.db import DataDir, connect_writer, utcnow
from pipeline.store.mentions import resolve_official, resolve_threads, sync_official_accounts, upsert_mentions
from pipeline.store.metrics import refresh_criticism
from pipeline.store.snapshot import publish_snapshot

IMPORT_FIELDS = ("source", "external_id", "parent_id", "thread_id", "author", "is_official", "published_at",
                 "text", "title", "url", "lang", "rating")
ANALYSIS_FIELDS = ("language", "sentiment", "p_negative", "aspects")
DETAIL_FIELDS = ("quality", "components", "outcome")


def m(external_id: str, *, source: str = "reddit", author: str = "ola", text: str | None = None,
      at: datetime | None = None, parent: str | None = None, official: bool | None = None,
      rating: float | None = None, sentiment: str | None = None, p_negative: float | None = None,
      language: str | None = "nb", aspects: Sequence[str] | None = None, quality: float | None = None,
      components: Mapping[str, Any] | None = None, outcome: str | None = None, **extra: Any) -> dict[str, Any]:
    """One mention in the import format plus the analysis/detail fields the factory applies."""
    if p_negative is not None and sentiment is None:
        sentiment = "negative" if p_negative >= 0.5 else ("positive" if p_negative < 0.2 else "neutral")
    row: dict[str, Any] = {
        "source": source, "external_id": external_id, "parent_id": parent, "author": author,
        "is_official": official, "published_at": (at or utcnow() - timedelta(hours=5)).isoformat(),
        "text": text if text is not None else f"Innlegg {external_id} om arbeidsplassen",
        "language": language, "sentiment": sentiment, "p_negative": p_negative,
        "aspects": list(aspects) if aspects else None, "quality": quality,
        "components": dict(components) if components else None, "outcome": outcome, "rating": rating,
    }
    row.update(extra)
    return row


def load(con: duckdb.DuckDBPyConnection, mentions: Iterable[Mapping[str, Any]], *,
         official_accounts: Mapping[str, set[str]] | None = None, threshold: float = 0.5,
         responses_cfg: ResponsesConfig | None = None) -> None:
    """Write mentions through the real store functions, then analysis fields and response links."""
    mentions = list(mentions)
    rows = [validate_row({k: v for k, v in mm.items() if k in IMPORT_FIELDS and v is not None})
            for mm in mentions]
    for r in rows:
        r.pop("_unknown", None)
    upsert_mentions(con, rows)
    sync_official_accounts(con, official_accounts or {})
    resolve_official(con)
    resolve_threads(con)
    for mm in mentions:
        p_neg = mm.get("p_negative")
        probs = (None, None, None) if p_neg is None else (p_neg, (1 - p_neg) / 2, (1 - p_neg) / 2)
        con.execute(
            """UPDATE mentions SET language = ?, sentiment = ?, p_negative = ?, p_neutral = ?, p_positive = ?,
                      aspects = ?, analyzed_at = ?, analyzed_hash = text_hash, model_version = 'test'
               WHERE source = ? AND external_id = ?""",
            [mm.get("language"), mm.get("sentiment"), *probs,
             json.dumps([{"aspect": a, "term": a} for a in mm["aspects"]]) if mm.get("aspects") else None,
             utcnow(), mm["source"], mm["external_id"]],
        )
    refresh_criticism(con, threshold)
    link(con, responses_cfg or ResponsesConfig())
    for mm in mentions:
        if any(mm.get(k) is not None for k in DETAIL_FIELDS):
            con.execute(
                """UPDATE responses SET quality = coalesce(?, quality),
                          quality_components = coalesce(?, quality_components), outcome = coalesce(?, outcome)
                   WHERE mention_id = (SELECT id FROM mentions WHERE source = ? AND external_id = ?)""",
                [mm.get("quality"), json.dumps(mm["components"]) if mm.get("components") else None,
                 mm.get("outcome"), mm["source"], mm["external_id"]],
            )


def link(con: duckdb.DuckDBPyConnection, cfg: ResponsesConfig) -> None:
    """`link_responses` when the whole responses package works; else the same first-response SQL
    and the SLA flag by SQL (the quality scorer may not exist yet)."""
    from pipeline.responses import link as link_mod

    try:
        link_mod.link_responses(con, cfg)
    except ImportError:
        con.execute("DELETE FROM responses")
        con.execute(
            f"""INSERT INTO responses (mention_id, response_id, responded_at, delay_hours, clock_anomaly,
                                       computed_at)
                SELECT mention_id, response_id, responded_at, delay_hours, clock_anomaly, ?::TIMESTAMP
                FROM ({link_mod.FIRST_RESPONSES_SQL})""",
            [utcnow()],
        )
    con.execute("UPDATE responses SET sla_breached = delay_hours > ? WHERE response_id IS NOT NULL "
                "AND sla_breached IS NULL", [cfg.sla_hours])


def add_crawl_run(con: duckdb.DuckDBPyConnection, source_name: str, started_at: datetime, *,
                  items: int = 10, errors: int = 0, status: str = "ok",
                  error_samples: Sequence[str] = ()) -> None:
    con.execute(
        """INSERT INTO crawl_runs (run_key, source_name, started_at, finished_at, items, new_items, errors,
                                   error_kinds, error_samples, status)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [f"{started_at:%Y%m%dT%H%M%S}-{source_name}", source_name, started_at,
         started_at + timedelta(seconds=30), items, items, errors, json.dumps({"http": errors} if errors else {}),
         json.dumps(list(error_samples)), status],
    )


def make_store(tmp_path: Path, mentions: Iterable[Mapping[str, Any]] = (), *,
               official_accounts: Mapping[str, set[str]] | None = None,
               crawl_runs: Iterable[Mapping[str, Any]] = (), quarterly: Iterable[tuple[str, str, str, float]] = (),
               publish: bool = True, threshold: float = 0.5) -> DataDir:
    """A data dir with a live store holding `mentions` and (by default) a published snapshot."""
    data = DataDir(tmp_path / "data")
    con = connect_writer(data)
    try:
        load(con, mentions, official_accounts=official_accounts, threshold=threshold)
        for run in crawl_runs:
            add_crawl_run(con, **run)
        for q, platform, metric, value in quarterly:
            con.execute("INSERT OR REPLACE INTO quarterly_stats (quarter, platform, metric, value, imported_at) "
                        "VALUES (?, ?, ?, ?, ?)",
                        [q, platform, metric, value, utcnow()])
        if publish:
            publish_snapshot(con, data)
    finally:
        con.close()
    return data


def sample_world(now: datetime) -> list[dict[str, Any]]:
    """A small, varied world around `now` (naive UTC): criticism answered fast/slow/never, praise,
    several sources and languages, a template reply used twice, an edited review (clock anomaly)."""
    h = timedelta(hours=1)
    d = timedelta(days=1)
    return [
        m("c1", text="Lønna kommer alltid for sent, og ledelsen svarer ikke på e-post.", at=now - 3 * d,
          p_negative=0.92, aspects=["lønn", "ledelse"], quality=80.0, outcome="resolved",
          components={"empathy": {"value": 1.0, "weight": 0.3, "evidence": "beklager"},
                      "specific": {"value": 0.8, "weight": 0.4, "evidence": "lønn"},
                      "personal": {"value": 0.0, "weight": 0.3, "evidence": None}}),
        m("r1", parent="c1", author="acme_no", official=True, at=now - 3 * d + 2 * h,
          text="Hei! Vi beklager at lønna kom sent. Vi har rettet feilen i lønnssystemet.", p_negative=0.1),
        m("f1", parent="r1", author="ola", at=now - 3 * d + 5 * h, text="Takk, det hjalp!", p_negative=0.05),
        m("c2", author="kari", text="Turnusen er helt umulig å planlegge livet rundt.", at=now - 2 * d,
          p_negative=0.85, aspects=["arbeidstid"], quality=40.0, outcome="no_followup"),
        m("r2", parent="c2", author="acme_no", official=True, at=now - 2 * d + 30 * h,
          text="Takk for tilbakemeldingen. Send oss en melding.", p_negative=0.2),
        m("c3", author="per", text="Sjefen min er grusom og ingen bryr seg.", at=now - 40 * h,
          p_negative=0.95, aspects=["ledelse"]),
        m("c4", author="nils", text="Ingen svarer på søknaden min, dårlig rekruttering.", at=now - 3 * h,
          p_negative=0.7, aspects=["rekruttering"], language="nn"),
        m("p1", author="siri", text="Fantastiske kolleger og god stemning på kontoret!", at=now - d,
          p_negative=0.02, sentiment="positive"),
        m("n1", author="anne", text="Noen som vet når de åpner nytt kontor i Bergen?", at=now - 4 * d,
          p_negative=0.3, sentiment="neutral"),
        m("t1", source="trustpilot", author="Gunnar", text="Elendig arbeidsgiver, høyt sykefravær.",
          at=now - 5 * d, rating=1, p_negative=0.9, aspects=["arbeidsmiljø"], quality=30.0,
          outcome="unresolved"),
        m("t1r", source="trustpilot", parent="t1", author="Acme AS", official=True, at=now - 5 * d + 4 * h,
          text="Takk for tilbakemeldingen. Send oss en melding."),
        m("t2", source="trustpilot", author="Mona", text="Helt ok sted å jobbe.", at=now - 2 * d, rating=4,
          p_negative=0.6),
        m("t3", source="trustpilot", author="Stig", text="Dårlig opplæring, men fine folk.",
          at=now - 6 * d + 10 * h, rating=2, p_negative=0.55, aspects=["opplæring"], language="en",
          quality=60.0, outcome="no_followup"),
        # an edited review: the reply is dated before the (re-dated) review → clock anomaly
        m("t3r", source="trustpilot", parent="t3", author="Acme AS", official=True, at=now - 6 * d + 8 * h,
          text="Vi jobber med opplæringen, takk for at du sier ifra."),
        m("old", author="eva", text="Gammel klage om parkering.", at=now - 60 * d, p_negative=0.8,
          aspects=["arbeidsmiljø"]),
    ]
