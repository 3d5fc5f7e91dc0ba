"""The accept rule of a retrained candidate, as a pure function of the scores."""

from __future__ import annotations

from pipeline.analysis.retrain import HELD_BACK, accept


def _s(cand: float, cur: float, n: int = 300) -> dict[str, dict[str, float]]:
    return {"candidate": {"macro_f1": cand, "accuracy": cand, "n": n},
            "current": {"macro_f1": cur, "accuracy": cur, "n": n}}


def test_within_tolerance_on_shipped_sets_and_not_lower_on_held_back_is_accepted() -> None:
    ok, reason = accept({"employer_dev": _s(0.906, 0.910), "employer_test": _s(0.93, 0.92),
                         HELD_BACK: _s(0.8, 0.8, n=6)}, tolerance=0.005, min_held_back=5)
    assert ok and reason == "no set worse"


def test_a_shipped_set_worse_than_the_tolerance_is_named_with_the_drop() -> None:
    ok, reason = accept({"employer_dev": _s(0.90, 0.91), "employer_test": _s(0.93, 0.92)},
                        tolerance=0.005, min_held_back=5)
    assert not ok
    assert "employer_dev" in reason and "-0.0100" in reason and "employer_test" not in reason


def test_held_back_labels_must_not_get_worse_at_all_when_there_are_enough() -> None:
    ok, reason = accept({"employer_dev": _s(0.91, 0.91), HELD_BACK: _s(0.79, 0.80, n=5)},
                        tolerance=0.005, min_held_back=5)
    assert not ok and HELD_BACK in reason


def test_too_few_held_back_labels_do_not_count_and_the_reason_says_so() -> None:
    ok, reason = accept({"employer_dev": _s(0.91, 0.91), HELD_BACK: _s(0.5, 1.0, n=4)},
                        tolerance=0.005, min_held_back=5)
    assert ok and "only the shipped sets counted" in reason and "4 held-back" in reason
