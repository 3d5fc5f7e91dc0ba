"""The components decided by the reply's context: the criticism, the other replies, a length norm.

private_channel (were personal details moved to a named contact?), personal (is it a template?),
specific (does it address the criticism's own points?), language (the critic's language?) and
length. Unlike the phrase components these compare the reply with something outside itself, and
some of them do not apply to every reply (full credit, ``applicable=False``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pipeline.responses.quality import lexicon
from pipeline.responses.quality.phrase_matching import find
from pipeline.responses.quality.rubric import (
    LENGTH_IDEAL_HI,
    LENGTH_IDEAL_LO,
    LENGTH_MAX,
    LENGTH_MIN,
    TEMPLATE_MIN_COPIES,
    TEMPLATE_THRESHOLD,
    WEIGHTS,
    Component,
)
from pipeline.responses.quality.templates import jaccard, shingles
from pipeline.responses.quality.text import WORDS, content_stems, quote
from pipeline.taxonomy.aspects import explain

_EMAIL = re.compile(r"(?<![\w.])([\w.+-]+)@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\w)(?:\+\d{2} ?)?\d{2} ?\d{2} ?\d{2} ?\d{2}(?!\w)")
# A capitalised name after a sign-off ("Hilsen Kari", "Best regards,\nTom Hansen", "/Ingrid"), or after
# "kontakt/ring/contact" ("kontakt Kari Nordmann på ...").
_NAME = r"([A-ZÆØÅÄÖ][a-zæøåäöéü]+(?:[ -][A-ZÆØÅÄÖ][a-zæøåäöéü]+)?)"
_SIGNOFF = re.compile(
    r"(?i:(?<!\w)(?:hilsen|hilsner|helsing|mvh|vh|hälsningar|hälsning|regards|cheers|best,|best wishes))[,.!]?\s*"
    + _NAME
    + r"|[/—–-] ?"
    + _NAME
    + r"\s*$",
    re.MULTILINE,
)
_CONTACT_NAME = re.compile(
    r"(?i:(?<!\w)(?:kontakt(?:e|a)?|ring(?:e|a)?|contact|call|skriv til|write to|email|e-post til|mejla|maile))"
    r"\s+(?:[\w-]+\s+){0,3}?" + _NAME
)


def _named_contact(original: str, norm: str) -> str | None:
    mailboxes = lexicon.generic_mailboxes()
    for m in _EMAIL.finditer(norm):
        local = m.group(1)
        if local not in mailboxes and local.split(".")[0] not in mailboxes:
            return m.group(0)
    if (intro := find("self_intro", norm)) is not None:
        return intro
    not_names = lexicon.not_names()
    for rx in (_SIGNOFF, _CONTACT_NAME):
        for m in rx.finditer(original):
            name = next(g for g in m.groups() if g)
            if name.split()[0].lower() not in not_names and not name.lower().endswith(("team", "teamet")):
                return name
    return None


def private_channel(criticism: str, original_reply: str, reply: str) -> Component:
    w = WEIGHTS["private_channel"]
    personal_details = find("personal_details", criticism)
    channel = find("channel", reply)
    if channel is None:
        m = _EMAIL.search(reply) or _PHONE.search(reply)
        channel = m.group(0) if m else None
    contact = _named_contact(original_reply, reply) if channel else None
    if not personal_details:
        ev = "no personal details in the criticism"
        if channel:
            ev += f"; offers {quote(channel)}" + (f" with {quote(contact)}" if contact else "")
        return Component(1.0, w, ev, applicable=False)
    why = f"personal details in the criticism ({quote(personal_details)})"
    if channel and contact:
        return Component(
            1.0, w, f"{why}; private channel {quote(channel)} with a named contact {quote(contact)}"
        )
    if channel:
        return Component(0.5, w, f"{why}; private channel {quote(channel)} but no named contact")
    return Component(0.0, w, f"{why}; not moved to a private channel")


def personal(reply: str, other_replies: Sequence[str], template: bool | None) -> Component:
    w = WEIGHTS["personal"]
    if template is not None:
        if template:
            return Component(0.0, w, "template: part of a group of near-identical replies")
        return Component(1.0, w, "not a template (batch comparison)")
    if not other_replies:
        return Component(1.0, w, "no other replies to compare with", applicable=False)
    s = shingles(reply)
    dups = sum(1 for o in other_replies if jaccard(s, shingles(o)) >= TEMPLATE_THRESHOLD)
    need = TEMPLATE_MIN_COPIES - 1
    if dups >= need:
        return Component(
            0.0, w, f"template: near-duplicate of {dups} other replies (Jaccard ≥ {TEMPLATE_THRESHOLD})"
        )
    if dups:
        return Component(0.5, w, f"near-duplicate of {dups} other reply")
    return Component(1.0, w, f"not a near-duplicate of any of {len(other_replies)} other replies")


def specific(criticism: str, reply: str) -> Component:
    w = WEIGHTS["specific"]
    c_stems = content_stems(criticism)
    if not c_stems:
        return Component(1.0, w, "criticism has no content words to address", applicable=False)
    shared = sorted(c_stems & content_stems(reply))
    term = min(1.0, len(shared) / min(3, len(c_stems)))
    ev_terms = f"shared terms {shared[:6]}" if shared else "no shared content words"
    # the taxonomy's matcher over every language's terms: criticism and reply may differ in language
    c_hits = explain(criticism, None)
    if c_hits:
        r_hits = {h.label: h for h in explain(reply, None)}
        covered = [h for h in c_hits if h.label in r_hits]
        value = 0.5 * len(covered) / len(c_hits) + 0.5 * term
        why = ", ".join(f"{h.label} {quote(h.text)}→{quote(r_hits[h.label].text)}" for h in covered)
        missed = ", ".join(f"{h.label} {quote(h.text)}" for h in c_hits if h.label not in r_hits)
        ev_aspects = f"aspects {len(covered)} of {len(c_hits)}: covered [{why or 'none'}]"
        ev_aspects += f", not covered [{missed}]" if missed else ""
        return Component(value, w, f"{ev_aspects}; {ev_terms}")
    return Component(term, w, ev_terms)


def _family(lang: str | None) -> str | None:
    if not lang or lang in ("other", "und", "unknown"):
        return None
    lang = lang.lower()
    if lang in ("nb", "nn", "no"):
        return "no"
    return lang


def language_match(criticism_lang: str | None, reply_lang: str | None) -> tuple[float, str, bool]:
    """(value, evidence, applicable) for "written in the critic's language".

    nb and nn are one family (both written Norwegian): full credit. da↔nb 0.75: Danish and Bokmål are
    nearly the same in writing, and short texts are often misdetected between them. Any other pair of
    Scandinavian languages (da↔nn, sv↔no/da) 0.5: intelligible but not the critic's language. English
    to a Scandinavian critic, or the reverse: 0. An undetermined reply language: 0.5. An undetermined
    critic language: not applicable.
    """
    c, r = _family(criticism_lang), _family(reply_lang)
    if c is None:
        return 1.0, "critic's language undetermined", False
    if r is None:
        return 0.5, f"reply language undetermined (critic wrote {criticism_lang})", True
    if c == r:
        same = "same language" if criticism_lang == reply_lang else "same language family (nb/nn)"
        return 1.0, f"{same}: {criticism_lang} → {reply_lang}", True
    pair = {criticism_lang, reply_lang}
    if pair == {"da", "nb"}:
        return 0.75, "Danish ↔ Bokmål: near-identical in writing, partial credit", True
    scand = {"no", "sv", "da"}
    if c in scand and r in scand:
        return 0.5, f"neighbouring Scandinavian language: {criticism_lang} → {reply_lang}", True
    return 0.0, f"different language: critic wrote {criticism_lang}, reply is {reply_lang}", True


def length(reply: str) -> Component:
    w = WEIGHTS["length"]
    n = len(WORDS.findall(reply))
    if n < LENGTH_MIN:
        return Component(0.0, w, f"too short: {n} words")
    if n < LENGTH_IDEAL_LO:
        return Component((n - LENGTH_MIN) / (LENGTH_IDEAL_LO - LENGTH_MIN), w, f"short: {n} words")
    if n <= LENGTH_IDEAL_HI:
        return Component(1.0, w, f"{n} words")
    if n < LENGTH_MAX:
        return Component((LENGTH_MAX - n) / (LENGTH_MAX - LENGTH_IDEAL_HI), w, f"long: {n} words")
    return Component(0.0, w, f"too long: {n} words")
