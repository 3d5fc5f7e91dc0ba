"""Named schema migrations, applied in order and recorded in `schema_migrations`.

Append new migrations at the end; never edit one that has shipped. All times are naive UTC.
"""

from __future__ import annotations

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_mentions",
        """
        CREATE SEQUENCE mention_ids START 1;
        CREATE TABLE mentions (
            id BIGINT PRIMARY KEY DEFAULT nextval('mention_ids'),
            source VARCHAR NOT NULL,
            external_id VARCHAR NOT NULL,
            parent_id VARCHAR,
            thread_id VARCHAR,                -- given, or the root of the parent chain
            thread_given BOOLEAN NOT NULL DEFAULT false,
            author VARCHAR NOT NULL,
            is_official BOOLEAN,              -- as the source or import said (NULL: not said)
            official BOOLEAN NOT NULL DEFAULT false,   -- resolved per SPEC §4
            published_at TIMESTAMP NOT NULL,
            text VARCHAR NOT NULL,
            title VARCHAR,
            url VARCHAR,
            lang VARCHAR,                     -- as given by the source
            rating DOUBLE,
            text_hash VARCHAR NOT NULL,
            fetched_at TIMESTAMP NOT NULL,
            updated_at TIMESTAMP NOT NULL,
            language VARCHAR,                 -- detected
            sentiment VARCHAR,
            p_negative DOUBLE,
            p_neutral DOUBLE,
            p_positive DOUBLE,
            sentiment_score DOUBLE,
            model_version VARCHAR,
            analyzed_at TIMESTAMP,
            analyzed_hash VARCHAR,
            is_criticism BOOLEAN,
            aspects VARCHAR,                  -- JSON list of {"aspect", "term"}
            UNIQUE (source, external_id)
        );
        CREATE TABLE responses (
            mention_id BIGINT PRIMARY KEY,    -- a non-official mention
            response_id BIGINT,               -- its first response (SPEC §4), NULL if none
            responded_at TIMESTAMP,
            delay_hours DOUBLE,               -- clamped at 0
            clock_anomaly BOOLEAN NOT NULL DEFAULT false,
            business_delay_hours DOUBLE,
            sla_breached BOOLEAN,
            quality DOUBLE,
            quality_components VARCHAR,       -- JSON {component: {value, weight, evidence}}
            followup_id BIGINT,
            followup_sentiment VARCHAR,
            outcome VARCHAR,                  -- resolved / unresolved / no_followup
            computed_at TIMESTAMP NOT NULL
        );
        """,
    ),
    (
        "0002_operations",
        """
        CREATE SEQUENCE crawl_run_ids START 1;
        CREATE TABLE crawl_runs (
            id BIGINT PRIMARY KEY DEFAULT nextval('crawl_run_ids'),
            run_key VARCHAR NOT NULL UNIQUE,
            source_name VARCHAR NOT NULL,
            started_at TIMESTAMP NOT NULL,
            finished_at TIMESTAMP,
            items INTEGER NOT NULL DEFAULT 0,
            new_items INTEGER NOT NULL DEFAULT 0,
            errors INTEGER NOT NULL DEFAULT 0,
            error_kinds VARCHAR,              -- JSON {kind: count}
            error_samples VARCHAR,            -- JSON list of "url: reason"
            status VARCHAR NOT NULL           -- running / ok / partial / failed / skipped
        );
        CREATE TABLE source_state (
            source_name VARCHAR PRIMARY KEY,
            cursor VARCHAR,                   -- JSON, owned by the spider
            updated_at TIMESTAMP NOT NULL
        );
        CREATE SEQUENCE alert_ids START 1;
        CREATE TABLE alert_outbox (
            id BIGINT PRIMARY KEY DEFAULT nextval('alert_ids'),
            mention_id BIGINT NOT NULL,
            channel VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TIMESTAMP NOT NULL,
            sent_at TIMESTAMP,
            last_error VARCHAR,
            status VARCHAR NOT NULL DEFAULT 'pending',   -- pending / sending / sent / failed
            UNIQUE (mention_id, channel)
        );
        CREATE TABLE reports (
            week VARCHAR PRIMARY KEY,         -- YYYY-Www
            html_path VARCHAR NOT NULL,
            pdf_path VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL,
            sent_at TIMESTAMP,
            last_error VARCHAR
        );
        CREATE TABLE quarterly_stats (
            quarter VARCHAR NOT NULL,         -- YYYY-Qn
            platform VARCHAR NOT NULL,
            metric VARCHAR NOT NULL,          -- followers, impressions, engagement_rate, ...
            value DOUBLE NOT NULL,
            imported_at TIMESTAMP NOT NULL,
            PRIMARY KEY (quarter, platform, metric)
        );
        CREATE TABLE official_accounts (
            platform VARCHAR NOT NULL,
            account VARCHAR NOT NULL,         -- lower case, without a leading @
            PRIMARY KEY (platform, account)
        );
        CREATE TABLE label_corrections (
            mention_id BIGINT,
            text VARCHAR NOT NULL,
            label VARCHAR NOT NULL,
            corrected_by VARCHAR,
            corrected_at TIMESTAMP NOT NULL
        );
        """,
    ),
]
