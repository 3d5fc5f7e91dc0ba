"""Alerting HR about new criticism, through an outbox and apprise.

Two steps, both called by the service after analysis and response linking, on the one writer
connection:

1. `outbox.enqueue_new_criticism(con, cfg.alerts)` queues one `alert_outbox` row per (criticism,
   channel): non-official, `is_criticism`, published within `max_age_days`, from the channel's
   platforms. Idempotent: UNIQUE(mention_id, channel).
2. `deliver.deliver_pending(con, cfg.alerts)` sends the due rows, one `apprise.Apprise` per channel
   URL (mailto://, slack://, workflows:// for Teams, json://, …), with exponential backoff and a
   `failed` status after `max_attempts`. Every failure reason lands in `alert_outbox.last_error`,
   where the user sees it.

Delivery is at most once per (criticism, channel), even across a crash: a row is committed as
`sending` before apprise is called, and a row found still `sending` afterwards is marked `failed`
("interrupted; not resent to avoid a duplicate") rather than sent again. See `deliver` for the
trade-off.
"""
