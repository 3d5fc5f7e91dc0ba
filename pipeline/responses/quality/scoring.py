"""Scoring one reply: run the eleven components and add up their points.

The only place that knows the full list of components and in which form (original or normalised
text) each one gets its input; everything else is a single component or a shared helper.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pipeline.responses.quality import context_components as ctx
from pipeline.responses.quality import phrase_components as phr
from pipeline.responses.quality.rubric import WEIGHTS, Component, QualityResult
from pipeline.responses.quality.text import normalise


def score_reply(
    criticism: str,
    reply: str,
    *,
    criticism_lang: str,
    reply_lang: str,
    reply_negative_prob: float | None = None,
    other_replies: Sequence[str] = (),
    template: bool | None = None,
) -> QualityResult:
    """Score one reply to one criticism. See the package docstring and docs/response-quality.md.

    ``other_replies``: the company's other replies (excluding this one) for template detection, or
    pass ``template`` from :func:`mark_templates` instead (it wins when given).
    ``reply_negative_prob``: the reply's own negative-class probability from the sentiment model.
    """
    c, r = normalise(criticism), normalise(reply)
    lv, lev, lapp = ctx.language_match(criticism_lang, reply_lang)
    comps: dict[str, Component] = {
        "acknowledge": phr.acknowledge(r),
        "empathy": phr.empathy(c, r),
        "account": phr.account(r),
        "action": phr.action(r),
        "private_channel": ctx.private_channel(c, reply, r),
        "personal": ctx.personal(reply, other_replies, template),
        "specific": ctx.specific(c, r),
        "language": Component(lv, WEIGHTS["language"], lev, lapp),
        "tone": phr.tone(r, reply_negative_prob),
        "modesty": phr.modesty(r),
        "length": ctx.length(reply),
    }
    score = round(sum(x.points for x in comps.values()), 1)
    return QualityResult(score=max(0.0, min(100.0, score)), components=comps)


def component_table(result: QualityResult) -> Mapping[str, float]:
    """Points per component (for reports)."""
    return {k: round(v.points, 2) for k, v in result.components.items()}
