"""Alerting HR about what needs action, through an outbox and apprise.

One step, `run.run_alerts(con, cfg)`, called by the batch pipeline after analysis and response
linking (and meant for the service's minute job), on the one writer connection:

1. `outbox.enqueue` collects the events of every kind (`kinds.py`: new criticism, SLA warning, SLA
   breach, spike, stale source, delivery failing), gives each channel what its rules accept
   (`rules.py`), and queues one `alert_outbox` row per (kind, subject, channel) — a summary instead
   of a flood on a channel's first run or after an import of history. Idempotent.
2. `deliver.deliver_pending` sends the due rows, one `apprise.Apprise` per channel URL, honouring
   quiet hours and digests (`schedule.py`), with exponential backoff and a `failed` status after
   `max_attempts`. Failure reasons (secrets masked) land in `alert_outbox.last_error` and the
   channel's health in `alert_channels`, read by `pipeline.store.queries.alert_health`.

Delivery is at most once per (alert, channel), even across a crash: a row is committed as
`sending` before apprise is called, and a row found still `sending` afterwards is marked `failed`
("interrupted; not resent to avoid a duplicate") rather than sent again. See `deliver` for the
trade-off. Texts come from `pipeline/i18n/alerts.yaml` (nb and en).
"""
