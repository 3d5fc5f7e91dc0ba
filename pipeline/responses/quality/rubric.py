"""The rubric of the reply-quality score: component weights, thresholds and the result types.

Kept apart from the code that scores so that the numbers the docs talk about
(``docs/response-quality.md``) live in one short place, and so that every component module can
import them without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

LANGUAGES = ("nb", "nn", "sv", "da", "en")

#: Component weights (points out of 100). See docs/response-quality.md for the rationale.
WEIGHTS: dict[str, float] = {
    "acknowledge": 12.0,  # acknowledges the problem and thanks the writer
    "empathy": 10.0,  # empathy; an apology where the company is at fault
    "account": 10.0,  # explains what happened, without blaming the critic
    "action": 14.0,  # concrete next step / corrective action
    "private_channel": 8.0,  # moves personal matters to a private channel with a named contact
    "personal": 10.0,  # not a template (not a near-duplicate of many other replies)
    "specific": 12.0,  # addresses the specific points raised
    "language": 8.0,  # written in the critic's language
    "tone": 8.0,  # professional: not negative, not defensive or dismissive
    "modesty": 4.0,  # honest and modest: no piles of superlatives / degree adverbs
    "length": 4.0,  # sensible length
}
assert abs(sum(WEIGHTS.values()) - 100.0) < 1e-9

NEGATIVE_BOUND = 0.5  # tone: the reply's own p_negative must stay below this
TEMPLATE_THRESHOLD = 0.6  # Jaccard similarity of word-bigram sets for a near-duplicate
TEMPLATE_MIN_COPIES = 3  # a template = a reply with >= 2 near-duplicates among the others
LENGTH_MIN, LENGTH_IDEAL_LO, LENGTH_IDEAL_HI, LENGTH_MAX = 8, 25, 200, 400  # words


@dataclass(frozen=True)
class Component:
    value: float  # 0..1
    weight: float  # points at value 1
    evidence: str  # the phrase that fired, or why it did not
    applicable: bool = True  # False: the component does not apply; full credit given

    @property
    def points(self) -> float:
        return self.value * self.weight

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": round(self.value, 4),
            "weight": self.weight,
            "evidence": self.evidence,
            "applicable": self.applicable,
        }


@dataclass(frozen=True)
class QualityResult:
    score: float  # 0..100
    components: dict[str, Component] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (``responses.quality_components``)."""
        return {name: c.to_dict() for name, c in self.components.items()}
