"""The components decided by what the reply says: phrase lists fire or do not.

acknowledge, empathy, account, action, tone and modesty each look for phrases of the lexicon in
the (normalised) reply — empathy also in the criticism, to know whether an apology is owed — and
report the phrase that fired as evidence. Kept together because they share one shape and one
failure mode (a missing or over-eager phrase), which is where rubric changes usually land.
"""

from __future__ import annotations

from pipeline.responses.quality.phrase_matching import blank, find, find_all
from pipeline.responses.quality.rubric import NEGATIVE_BOUND, WEIGHTS, Component
from pipeline.responses.quality.text import quote


def acknowledge(reply: str) -> Component:
    thanks, ack = find("thanks", reply), find("acknowledge", reply)
    value = 0.5 * (thanks is not None) + 0.5 * (ack is not None)
    parts = [
        f"thanks {quote(thanks)}" if thanks else "no thanks",
        f"acknowledges {quote(ack)}" if ack else "does not acknowledge the problem",
    ]
    return Component(value, WEIGHTS["acknowledge"], "; ".join(parts))


def empathy(criticism: str, reply: str) -> Component:
    fault = find("fault", criticism)
    rest, faux = blank("fauxpology", reply)
    apology, empathic = find("apology", rest), find("empathy", rest)
    w = WEIGHTS["empathy"]
    need = f"company at fault ({quote(fault)} in the criticism)" if fault else "no company fault signalled"
    if apology:
        return Component(1.0, w, f"apology {quote(apology)}; {need}")
    if empathic:
        v = 0.6 if fault else 1.0
        return Component(
            v,
            w,
            f"empathy {quote(empathic)} but no apology; {need}" if fault else f"empathy {quote(empathic)}",
        )
    if faux:
        return Component(0.3, w, f"conditional apology {quote(faux)} (apologises for the critic's feelings)")
    return Component(0.0, w, f"no empathy or apology; {need}")


def account(reply: str) -> Component:
    w = WEIGHTS["account"]
    blame = find("blame", reply)
    if blame:
        return Component(0.0, w, f"blames the critic: {quote(blame)}")
    expl = find("explain", reply)
    if expl:
        return Component(1.0, w, f"explains: {quote(expl)}")
    return Component(0.0, w, "no explanation of what happened")


def action(reply: str) -> Component:
    w = WEIGHTS["action"]
    rest, vague = blank("vague_action", reply)
    act, when = find("action", rest), find("timebound", rest)
    if act and when:
        return Component(1.0, w, f"concrete action {quote(act)} with a time frame {quote(when)}")
    if act:
        return Component(0.8, w, f"concrete action {quote(act)} (no time frame)")
    if when:
        return Component(0.5, w, f"a time frame {quote(when)} but no concrete action verb")
    if vague:
        return Component(0.35, w, f"only a vague promise {quote(vague)}")
    return Component(0.0, w, "no next step or corrective action")


def tone(reply: str, reply_negative_prob: float | None) -> Component:
    w = WEIGHTS["tone"]
    bad = find("defensive", reply)
    if bad:
        return Component(0.0, w, f"defensive/dismissive: {quote(bad)}")
    if reply_negative_prob is not None and reply_negative_prob >= NEGATIVE_BOUND:
        return Component(
            0.3, w, f"reply reads as negative (p_negative {reply_negative_prob:.2f} ≥ {NEGATIVE_BOUND})"
        )
    if reply_negative_prob is None:
        return Component(1.0, w, "no defensive phrasing (sentiment not given)")
    return Component(1.0, w, f"no defensive phrasing; p_negative {reply_negative_prob:.2f}")


def modesty(reply: str) -> Component:
    w = WEIGHTS["modesty"]
    hits = find_all("superlative", reply) + find_all("degree_positive", reply)
    n = len(hits)
    value = (1.0, 0.6, 0.25)[n] if n < 3 else 0.0
    if not n:
        return Component(value, w, "no overselling")
    return Component(value, w, f"overselling ({n}): " + ", ".join(quote(h) for h in hits[:5]))
