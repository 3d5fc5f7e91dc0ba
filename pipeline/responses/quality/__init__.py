"""Explainable reply-quality score (0-100) for a company's reply to a criticism.

The rubric, the sources and the known weaknesses are in ``docs/response-quality.md``. In short:
eleven components, each a value in 0..1 with a fixed weight (the weights sum to 100) and an
``evidence`` string naming the phrase that fired or why nothing did. The score is
``sum(weight * value)``. Components that do not apply to a reply (no personal details in the
criticism, nothing to compare against for template detection, unknown critic language) get full
credit and ``applicable=False``, so the same reply text never loses points for something it could
not have done.

Everything is pure Python (``re`` + sets). Phrase lists (``phrases.yaml``, ``words.yaml``) exist
for nb, nn, sv, da and en; they are matched as one union whatever the detected language, because
language detection on short Scandinavian text is unreliable (nb/da especially) and the phrases
barely collide across languages. Matching is case-insensitive on NFC-normalised text with Unicode
word boundaries (``(?<!\\w)`` / ``(?!\\w)``, which treat æøåäö as letters). The aspects of
"addresses the specific points" are not a list of their own: they are the one aspect taxonomy
(``pipeline.taxonomy.aspects``: the same ids, terms and matcher as ``mentions.aspects``), over
every language's terms for the same reason.

Batches: call :func:`mark_templates` once over all of a company's replies (MinHash + LSH over word
bigrams, linear time) and pass ``template=`` to :func:`score_reply`; passing ``other_replies``
instead compares the reply against every other reply (fine for tens, not for 100k).

Layout: ``rubric`` (weights, thresholds, result types), ``lexicon`` (the YAML lists, read on first
use), ``text`` (normalisation, stemming), ``phrase_matching`` (fast phrase search), ``templates``
(near-duplicate detection), ``phrase_components`` and ``context_components`` (the eleven
components), ``scoring`` (adds them up). This module only re-exports the public API.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pipeline.responses.quality import lexicon
from pipeline.responses.quality.context_components import language_match
from pipeline.responses.quality.rubric import (
    LANGUAGES,
    WEIGHTS,
    Component,
    QualityResult,
)
from pipeline.responses.quality.rubric import LENGTH_IDEAL_HI as LENGTH_IDEAL_HI
from pipeline.responses.quality.rubric import LENGTH_IDEAL_LO as LENGTH_IDEAL_LO
from pipeline.responses.quality.rubric import LENGTH_MAX as LENGTH_MAX
from pipeline.responses.quality.rubric import LENGTH_MIN as LENGTH_MIN
from pipeline.responses.quality.rubric import NEGATIVE_BOUND as NEGATIVE_BOUND
from pipeline.responses.quality.rubric import TEMPLATE_MIN_COPIES as TEMPLATE_MIN_COPIES
from pipeline.responses.quality.rubric import TEMPLATE_THRESHOLD as TEMPLATE_THRESHOLD
from pipeline.responses.quality.scoring import component_table as component_table
from pipeline.responses.quality.scoring import score_reply
from pipeline.responses.quality.templates import jaccard, mark_templates, shingles

# The names below are the public API; LENGTH_*, NEGATIVE_BOUND, TEMPLATE_* and component_table are
# re-exported too (``X``) but, as before the split, not part of ``import *``.
__all__ = [
    "LANGUAGES",
    "LEXICON",
    "WEIGHTS",
    "Component",
    "QualityResult",
    "jaccard",
    "language_match",
    "mark_templates",
    "score_reply",
    "shingles",
]

if TYPE_CHECKING:
    #: Category → language → phrase fragments (read from phrases.yaml on first access).
    LEXICON: dict[str, dict[str, tuple[str, ...]]]
else:

    def __getattr__(name: str) -> Any:
        """``LEXICON`` is loaded from the YAML file on first access (PEP 562)."""
        if name == "LEXICON":
            return lexicon.phrases()
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
