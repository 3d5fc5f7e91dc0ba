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
    (
        "0003_alert_kinds",
        # Alerts of several kinds: at most once per (kind, subject, channel), where subject is the
        # mention id (criticism, SLA warning/breach), the day of a spike, a source's stale episode or
        # a channel's failure streak. DuckDB cannot drop a UNIQUE constraint, so the outbox is rebuilt
        # with every row kept (old rows become kind 'criticism', subject = their mention id).
        # alert_channels: one row per channel that has run (first-run summary) and its delivery health.
        """
        CREATE TABLE alert_outbox_v2 (
            id BIGINT PRIMARY KEY DEFAULT nextval('alert_ids'),
            kind VARCHAR NOT NULL DEFAULT 'criticism',  -- criticism / sla_warning / sla_breach / spike /
                                                        -- stale_source / delivery_failing / summary
            subject VARCHAR NOT NULL,         -- what the alert is about, unique per kind and channel
            mention_id BIGINT,                -- the criticism, for the mention kinds
            payload VARCHAR,                  -- JSON facts of the other kinds (counts, names, times)
            channel VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TIMESTAMP NOT NULL,
            sent_at TIMESTAMP,
            last_error VARCHAR,
            status VARCHAR NOT NULL DEFAULT 'pending',  -- pending / sending / sent / failed / skipped /
                                                        -- suppressed (covered by a summary)
            UNIQUE (kind, subject, channel)
        );
        INSERT INTO alert_outbox_v2 (id, kind, subject, mention_id, payload, channel, created_at, attempts,
                                     next_attempt_at, sent_at, last_error, status)
        SELECT id, 'criticism', CAST(mention_id AS VARCHAR), mention_id, NULL, channel, created_at, attempts,
               next_attempt_at, sent_at, last_error, status
        FROM alert_outbox;
        DROP TABLE alert_outbox;
        ALTER TABLE alert_outbox_v2 RENAME TO alert_outbox;
        CREATE TABLE alert_channels (
            channel VARCHAR PRIMARY KEY,      -- the configured name, never the URL
            started_at TIMESTAMP,             -- first run of the channel (its summary)
            last_success_at TIMESTAMP,
            last_failure_at TIMESTAMP,
            last_error VARCHAR,               -- secrets masked (alerts/channels.py)
            consecutive_failures INTEGER NOT NULL DEFAULT 0,
            failing_since TIMESTAMP           -- first failure of the current streak
        );
        INSERT INTO alert_channels (channel, started_at)
        SELECT channel, min(created_at) FROM alert_outbox GROUP BY channel;
        """,
    ),
    (
        "0004_published_settings",
        # What readers without the config need, published with the snapshot by the writer
        # (pipeline/config_facts.py): `settings` the SLA and company facts as JSON values,
        # `source_settings` each configured source's schedule and stale limit (freshness,
        # pipeline/store/freshness.py). `crawl_runs.pages`: pages the spider read (0 = every
        # request failed); NULL on runs recorded before it existed.
        """
        CREATE TABLE settings (
            key VARCHAR PRIMARY KEY,
            value VARCHAR NOT NULL,           -- JSON
            updated_at TIMESTAMP NOT NULL
        );
        CREATE TABLE source_settings (
            name VARCHAR PRIMARY KEY,         -- the configured source name (crawl_runs.source_name)
            type VARCHAR NOT NULL,
            platform VARCHAR NOT NULL,        -- mentions.source of its mentions
            enabled BOOLEAN NOT NULL,
            interval_seconds BIGINT,          -- the schedule's interval; NULL for a crontab line
            stale_seconds BIGINT NOT NULL,    -- stale_after, else 3x the schedule
            updated_at TIMESTAMP NOT NULL
        );
        ALTER TABLE crawl_runs ADD COLUMN pages INTEGER;
        """,
    ),
    (
        "0005_quarterly_sources",
        # Where each quarterly figure comes from (pipeline/stats/): the publisher or survey (`source`),
        # the publication or article that printed it, its address, when it was published (YYYY,
        # YYYY-MM or YYYY-MM-DD as given) and a note (population, definition). NULL on rows imported
        # before, and on the company's own page statistics when the file gives none.
        """
        ALTER TABLE quarterly_stats ADD COLUMN source VARCHAR;
        ALTER TABLE quarterly_stats ADD COLUMN publication VARCHAR;
        ALTER TABLE quarterly_stats ADD COLUMN url VARCHAR;
        ALTER TABLE quarterly_stats ADD COLUMN published VARCHAR;
        ALTER TABLE quarterly_stats ADD COLUMN note VARCHAR;
        """,
    ),
    (
        "0006_privacy_suppressions",
        # Privacy (pipeline/privacy/): `suppressions` holds one keyed hash (HMAC-SHA256 with the
        # installation's key) per forgotten person and source (source '*' = every source), never a
        # name; every ingest skips their items. `crawl_runs.suppressed`: items a crawl skipped so.
        # `mentions.pseudonymised_at`: when retention replaced the author by a keyed pseudonym.
        """
        CREATE TABLE suppressions (
            hash VARCHAR PRIMARY KEY,         -- hex HMAC of normalised source + author
            created_at TIMESTAMP NOT NULL
        );
        ALTER TABLE crawl_runs ADD COLUMN suppressed INTEGER;
        ALTER TABLE mentions ADD COLUMN pseudonymised_at TIMESTAMP;
        ALTER TABLE mentions ADD COLUMN text_dropped_at TIMESTAMP;
        """,
    ),
    (
        "0007_inbox_actions",
        # What HR does with criticism in the dashboard's inbox (pipeline/store/inbox.py): marked handled
        # elsewhere (value = the reason), reopened, assigned (value = the colleague, NULL = nobody), a
        # note (value = the text); who did it and when (naive UTC). Appended to <data-dir>/inbox/
        # actions.jsonl by the dashboard, taken in by the writer exactly once.
        """
        CREATE TABLE inbox_actions (
            mention_id BIGINT NOT NULL,
            action VARCHAR NOT NULL,          -- handled / reopened / assigned / note
            value VARCHAR,
            actor VARCHAR NOT NULL,
            acted_at TIMESTAMP NOT NULL
        );
        """,
    ),
    (
        "0008_reply_desk",
        # The reply desk (pipeline/replydesk/): `reply_desk_events` is the log of every action on a
        # draft (create/edit carry the version's text, decisions who and a comment, posted the
        # platform's id and how), in the order the writer applied them (`seq`); `reply_drafts` is each
        # draft's state after its events, kept by the writer for the readers.
        """
        CREATE SEQUENCE reply_desk_seq START 1;
        CREATE TABLE reply_desk_events (
            seq BIGINT PRIMARY KEY DEFAULT nextval('reply_desk_seq'),
            event_id VARCHAR NOT NULL UNIQUE,
            draft_id VARCHAR NOT NULL,
            action VARCHAR NOT NULL,          -- create/edit/submit/approve/request_changes/reject/posted
            actor VARCHAR NOT NULL,
            acted_at TIMESTAMP NOT NULL,
            mention_id BIGINT,
            version INTEGER,                  -- create/edit: the version this text is
            text VARCHAR,
            comment VARCHAR,
            posted_id VARCHAR,
            how VARCHAR                       -- posted: api / manual / crawl
        );
        CREATE TABLE reply_drafts (
            id VARCHAR PRIMARY KEY,
            mention_id BIGINT NOT NULL,
            author VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL,
            state VARCHAR NOT NULL,
            updated_at TIMESTAMP NOT NULL,
            version INTEGER NOT NULL,
            text VARCHAR NOT NULL,            -- the latest version
            submitted_at TIMESTAMP,
            approved_by VARCHAR,
            approved_at TIMESTAMP,
            posted_id VARCHAR,                -- mentions.external_id of the posted reply, once known
            posted_how VARCHAR,
            posted_at TIMESTAMP
        );
        """,
    ),
]
