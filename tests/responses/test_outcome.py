from __future__ import annotations

import pytest

from pipeline.responses.outcome import DEFAULT_MIN_DROP, assess_outcome


def test_no_followup() -> None:
    o = assess_outcome(0.9, None)
    assert o.status == "no_followup" and o.resolved is None and not o.followup and o.drop is None


def test_clearly_less_negative_is_resolved() -> None:
    o = assess_outcome(0.92, 0.35)  # complaint → "ok, thanks for answering" with a grumble
    assert o.status == "resolved" and o.resolved is True and o.followup
    assert o.drop == pytest.approx(0.57)


def test_drop_exactly_at_threshold_is_resolved() -> None:
    assert assess_outcome(0.8, 0.8 - DEFAULT_MIN_DROP).status == "resolved"
    assert assess_outcome(0.8, 0.61).status == "unresolved"  # drop 0.19


def test_still_negative_is_unresolved() -> None:
    o = assess_outcome(0.85, 0.9)  # "Still no answer from HR."
    assert o.status == "unresolved" and o.resolved is False and o.followup
    assert o.drop == pytest.approx(-0.05)


def test_calm_followup_after_mild_criticism_is_resolved() -> None:
    # A rating-based criticism with neutral text (p_neg 0.3) and a calm thank-you (0.15): the drop
    # is only 0.15 but the follow-up is calm.
    assert assess_outcome(0.3, 0.15).status == "resolved"
    # ... but a calm follow-up that is *more* negative than the criticism is not a resolution
    assert assess_outcome(0.05, 0.15).status == "unresolved"


def test_thresholds_are_parameters() -> None:
    assert assess_outcome(0.9, 0.75, min_drop=0.1).status == "resolved"
    assert assess_outcome(0.9, 0.75).status == "unresolved"
    assert assess_outcome(0.4, 0.3, calm=0.3).status == "resolved"


@pytest.mark.parametrize("bad", [-0.1, 1.1, float("nan")])
def test_rejects_non_probabilities(bad: float) -> None:
    with pytest.raises(ValueError):
        assess_outcome(bad, 0.5)
    with pytest.raises(ValueError):
        assess_outcome(0.5, bad)


def test_rejects_bad_thresholds() -> None:
    with pytest.raises(ValueError):
        assess_outcome(0.5, 0.5, min_drop=0)
    with pytest.raises(ValueError):
        assess_outcome(0.5, 0.5, calm=1.0)


def test_reason_is_explainable() -> None:
    assert "0.92" in assess_outcome(0.92, 0.35).reason
    assert "did not write again" in assess_outcome(0.92, None).reason
