"""Help while the answer is written: a draft's quality score, concrete advice per component, SLA left.

Why: Rykte scores every published reply (`pipeline.responses.quality`, docs/response-quality.md).
The same score on a draft, with what to change in the reader's words, is worth more than the score
afterwards. The score here is *exactly* the published one (`score_reply`, with the published set for
template detection); the advice only reads the components' values and names the phrase that fired,
so advice and score never disagree. Texts: `replydesk.advice.*` in the catalogue (nb, en).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from pipeline import i18n
from pipeline.analysis.language import detect_language
from pipeline.responses.quality import WEIGHTS, QualityResult, mark_templates, score_reply
from pipeline.responses.quality.phrase_matching import blank, find, find_all
from pipeline.responses.quality.rubric import LENGTH_IDEAL_HI, LENGTH_IDEAL_LO
from pipeline.responses.quality.text import WORDS, normalise
from pipeline.store.sla import sla_breached
from pipeline.taxonomy.aspects import explain

# Comparing a draft with each published reply is exact and fast for a few hundred; beyond that the
# batch detector (MinHash + LSH) the writer uses decides.
_PAIRWISE_LIMIT = 500


@dataclass(frozen=True)
class Tip:
    component: str  # a quality component id (WEIGHTS)
    key: str  # replydesk.advice.<key>
    text: str  # in the reader's language
    points: float  # points the component leaves on the table (what fixing it is worth at most)


@dataclass(frozen=True)
class Sla:
    deadline: datetime  # naive UTC
    hours_left: float  # negative once past
    breached: bool


@dataclass(frozen=True)
class Advice:
    score: float
    quality: QualityResult
    draft_lang: str
    tips: tuple[Tip, ...]
    sla: Sla | None

    def tip_keys(self) -> set[str]:
        return {t.key for t in self.tips}


def sla_left(published_at: datetime, now: datetime, sla_hours: float) -> Sla:
    """Time left until the criticism breaches the SLA (the one rule: `pipeline.store.sla`)."""
    age = (now - published_at).total_seconds() / 3600
    return Sla(published_at + timedelta(hours=sla_hours), sla_hours - age, sla_breached(age, sla_hours))


def sla_text(sla: Sla, lang: str) -> str:
    key = "replydesk.sla.breached" if sla.breached else "replydesk.sla.left"
    return i18n.t(key, lang, time=i18n.fmt_duration(abs(sla.hours_left), lang))


def is_template(draft: str, published: Sequence[str]) -> bool | None:
    """Whether the draft would be detected as a template among the published replies (None: none)."""
    if not published:
        return None
    return mark_templates([*published, draft])[-1]


def advise(criticism: str, draft: str, *, criticism_lang: str | None, draft_lang: str | None = None,
           published: Sequence[str] = (), lang: str = "nb", criticism_published_at: datetime | None = None,
           now: datetime | None = None, sla_hours: float | None = None) -> Advice:
    """Score `draft` as a reply to `criticism` and say what to change, most valuable first.

    `published`: the company's published replies (template detection); `draft_lang`: detected when
    not given; the SLA part needs `criticism_published_at`, `now` (naive UTC) and `sla_hours`."""
    dlang = draft_lang or detect_language(draft)
    many = len(published) > _PAIRWISE_LIMIT
    result = score_reply(criticism, draft, criticism_lang=criticism_lang or "other", reply_lang=dlang,
                         other_replies=() if many else published,
                         template=is_template(draft, published) if many else None)
    tips = sorted(_tips(criticism, draft, result, criticism_lang, dlang, lang), key=lambda t: -t.points)
    sla = None
    if criticism_published_at is not None and now is not None and sla_hours is not None:
        sla = sla_left(criticism_published_at, now, sla_hours)
    return Advice(result.score, result, dlang, tuple(tips), sla)


def _lang_name(code: str | None, lang: str) -> str:
    return i18n.name("chart.language_name", code or "unknown", lang)


def _tips(criticism: str, draft: str, result: QualityResult, critic_lang: str | None, dlang: str,
          lang: str) -> list[Tip]:
    c, r = normalise(criticism), normalise(draft)
    comps = result.components
    out: list[Tip] = []

    def tip(component: str, key: str, **values: object) -> None:
        comp = comps[component]
        lost = (1 - comp.value) * comp.weight if component in comps else 0.0
        out.append(Tip(component, key, i18n.t(f"replydesk.advice.{key}", lang, **values), round(lost, 1)))

    def short(phrase: str | None) -> str:
        return f"«{phrase}»" if lang == "nb" else f"“{phrase}”"

    n = len(WORDS.findall(draft))
    if n < LENGTH_IDEAL_LO:
        tip("length", "too_short", words=n, low=LENGTH_IDEAL_LO)
    elif n > LENGTH_IDEAL_HI:
        tip("length", "too_long", words=n, high=LENGTH_IDEAL_HI)
    hits = find_all("superlative", r) + find_all("degree_positive", r)
    if hits:
        tip("modesty", "oversell", words=", ".join(short(h) for h in hits[:5]))
    if comps["acknowledge"].value < 1:
        if find("thanks", r) is None:
            tip("acknowledge", "no_thanks")
        if find("acknowledge", r) is None:
            tip("acknowledge", "no_acknowledgement")
    if comps["empathy"].value < 1:
        rest, faux = blank("fauxpology", r)
        if faux and find("apology", rest) is None:
            tip("empathy", "conditional_apology", phrase=short(faux))
        elif find("fault", c):
            tip("empathy", "apologise")
        else:
            tip("empathy", "no_empathy")
    if (blame := find("blame", r)) is not None:
        tip("account", "blame", phrase=short(blame))
    elif comps["account"].value < 1:
        tip("account", "no_account")
    action = comps["action"].value
    if action < 1:
        _, vague = blank("vague_action", r)
        if action == 0.8:
            tip("action", "no_time_frame")
        elif action == 0.5:
            tip("action", "no_step")
        elif vague:
            tip("action", "vague", phrase=short(vague))
        else:
            tip("action", "no_next_step")
    private = comps["private_channel"]
    if private.applicable and private.value < 1:
        tip("private_channel", "no_named_contact" if private.value > 0 else "no_channel")
    if (defensive := find("defensive", r)) is not None:
        tip("tone", "defensive", phrase=short(defensive))
    elif comps["tone"].value < 1:
        tip("tone", "negative")
    personal = comps["personal"]
    if personal.value == 0:
        tip("personal", "template")
    elif personal.value < 1:
        tip("personal", "near_copy")
    specific = comps["specific"]
    if specific.applicable and specific.value < 0.75:
        c_hits = explain(criticism, None)
        covered = {h.label for h in explain(draft, None)}
        missed = list(dict.fromkeys(h.label for h in c_hits if h.label not in covered))
        if missed:
            names = ", ".join(i18n.name("aspect", a, lang) for a in missed)
            tip("specific", "missed_aspects", aspects=names)
        else:
            tip("specific", "not_specific")
    language = comps["language"]
    if language.applicable and language.value < 1:
        tip("language", "other_language", critic=_lang_name(critic_lang, lang), reply=_lang_name(dlang, lang))
    return out


__all__ = ["WEIGHTS", "Advice", "Sla", "Tip", "advise", "is_template", "sla_left", "sla_text"]
