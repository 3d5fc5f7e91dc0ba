"""Outcome of a response: did the critic write again, and was the follow-up less negative?

The caller finds the follow-up (the critic's first mention in the same thread after the company's
response) and passes the negative-class probabilities of the criticism and of that follow-up
(``p_negative`` from the sentiment model, 0..1).

Rule (documented in docs/response-quality.md):

* no follow-up → ``"no_followup"`` (``resolved`` is None: silence is not evidence either way);
* ``"resolved"`` when the follow-up is clearly less negative: its p_negative dropped by at least
  ``min_drop`` (default 0.20) from the criticism's, **or** it is itself calm (p_negative <=
  ``calm`` , default 0.20, e.g. "Takk, det hjalp!") and not more negative than the criticism;
* otherwise ``"unresolved"`` (as negative as before, or only marginally better).

0.20 is deliberately larger than the run-to-run noise of a probability on short texts (a few
hundredths) and smaller than the typical gap between a complaint (p_neg ≈ 0.8-0.95) and a neutral
thank-you (≈ 0.1-0.3).
"""

from __future__ import annotations

import math
from typing import Literal, NamedTuple

__all__ = ["DEFAULT_CALM", "DEFAULT_MIN_DROP", "Outcome", "OutcomeStatus", "assess_outcome"]

OutcomeStatus = Literal["resolved", "unresolved", "no_followup"]
DEFAULT_MIN_DROP = 0.20
DEFAULT_CALM = 0.20


class Outcome(NamedTuple):
    status: OutcomeStatus
    resolved: bool | None  # None without a follow-up (the `responses.resolved` column)
    followup: bool  # the critic wrote again after the response
    drop: float | None  # criticism_neg − followup_neg (positive = less negative)
    reason: str  # one line for the dashboard tooltip


def _check(name: str, p: float) -> float:
    if isinstance(p, bool) or not isinstance(p, (int, float)) or math.isnan(p) or not 0.0 <= p <= 1.0:
        raise ValueError(f"{name} must be a probability in 0..1, got {p!r}")
    return float(p)


def assess_outcome(
    criticism_neg: float,
    followup_neg: float | None,
    *,
    min_drop: float = DEFAULT_MIN_DROP,
    calm: float = DEFAULT_CALM,
) -> Outcome:
    """Classify the outcome of a response from two negative-class probabilities."""
    c = _check("criticism_neg", criticism_neg)
    if not 0.0 < min_drop <= 1.0:
        raise ValueError("min_drop must be in (0, 1]")
    if not 0.0 <= calm < 1.0:
        raise ValueError("calm must be in [0, 1)")
    if followup_neg is None:
        return Outcome("no_followup", None, False, None, "the critic did not write again after the reply")
    f = _check("followup_neg", followup_neg)
    drop = round(c - f, 6)
    if drop >= min_drop:
        return Outcome(
            "resolved",
            True,
            True,
            drop,
            f"follow-up less negative: p_neg {c:.2f} → {f:.2f} (≥ {min_drop:.2f})",
        )
    if f <= calm and drop >= 0:
        return Outcome("resolved", True, True, drop, f"follow-up is calm: p_neg {f:.2f} ≤ {calm:.2f}")
    return Outcome(
        "unresolved",
        False,
        True,
        drop,
        f"follow-up still negative: p_neg {c:.2f} → {f:.2f} (drop < {min_drop:.2f})",
    )
