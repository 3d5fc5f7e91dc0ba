"""Health of each alert channel, for `rykte status` and the dashboard: is HR actually being told?

Read side only. The writer (`pipeline.alerts.deliver`) records every delivery outcome in
`alert_channels`; this joins it with the outbox counts. The error text is the one apprise gave,
with anything that looked like a secret already masked by `pipeline.alerts.channels`, and the
channel is named by its configured name, never its URL, so the result is safe to show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import duckdb

HEALTH_SQL = """
WITH names AS (
    SELECT channel FROM alert_channels
    UNION SELECT DISTINCT channel FROM alert_outbox
    UNION SELECT unnest($configured::VARCHAR[])
),
counts AS (
    SELECT channel,
           count(*) FILTER (WHERE status IN ('pending', 'sending')) AS pending,
           count(*) FILTER (WHERE status = 'failed') AS failed,
           count(*) FILTER (WHERE status = 'sent') AS sent
    FROM alert_outbox GROUP BY channel
)
SELECT n.channel, c.last_success_at, c.last_failure_at, c.last_error, coalesce(c.consecutive_failures, 0),
       c.failing_since, coalesce(k.pending, 0), coalesce(k.failed, 0), coalesce(k.sent, 0)
FROM names n
LEFT JOIN alert_channels c ON c.channel = n.channel
LEFT JOIN counts k ON k.channel = n.channel
WHERE $all OR n.channel IN (SELECT unnest($configured::VARCHAR[]))
ORDER BY n.channel
"""


@dataclass(frozen=True)
class ChannelHealth:
    channel: str
    last_success_at: datetime | None
    last_failure_at: datetime | None
    last_error: str | None  # secrets masked; from the last failure, kept after a later success
    consecutive_failures: int  # 0 once a delivery succeeds again
    failing_since: datetime | None
    pending: int  # waiting (retry backoff, quiet hours, digest) or being sent
    failed: int  # given up or interrupted: never sent
    sent: int

    @property
    def failing(self) -> bool:
        """The latest delivery to this channel failed."""
        return self.consecutive_failures > 0


def channel_health(con: duckdb.DuckDBPyConnection, channels: Sequence[str] | None = None) -> list[ChannelHealth]:
    """One row per channel: the configured `channels` (even if never used), or every channel known
    to the store when None. Works on the live store and on the published snapshot."""
    rows = con.execute(HEALTH_SQL, {"configured": list(channels or []), "all": channels is None}).fetchall()
    return [ChannelHealth(r[0], r[1], r[2], r[3], int(r[4]), r[5], int(r[6]), int(r[7]), int(r[8])) for r in rows]
