"""The SLA rule: a criticism is in breach once its wait exceeds the SLA (a reply exactly at it is in time).

Why here, at the bottom: the writer stores `responses.sla_breached` with it
(`pipeline.responses.timing` calls it), the alerts decide warnings and breaches with it, and the
dashboard's inbox flags open and answered criticism with it, reading the configured SLA from the
published `settings` (`pipeline.store.settings`). The store's read side must not import
`pipeline.responses` (which writes through the store), so the rule lives where both can reach it.
The wait is on the 24/7 clock, as the SPEC's first-response time.
"""

from __future__ import annotations

import math


def sla_breached(wait_hours: float | None, sla_hours: float) -> bool:
    """True when the wait (a response's delay, or an open criticism's age) is longer than the SLA.

    `None` or NaN (no response and no age) is not a breach by itself.
    """
    if wait_hours is None or (isinstance(wait_hours, float) and math.isnan(wait_hours)):
        return False
    return float(wait_hours) > sla_hours
