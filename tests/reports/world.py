"""The report tests' world: six ISO weeks (2026-W42 to W47) of mentions around one company.

Built so every section of the weekly report for 2026-W47 has something to show and each number can
be counted by hand: Reddit steady, Trustpilot up from 1 to 6 mentions (the biggest change, +500 %),
five languages, aspects by id, scored replies with components, criticism answered the Monday
after the week, criticism from W45 never answered, and reach figures for the quarter.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tests.factories import m

WEEK = "2026-W47"
MONDAY = datetime(2026, 11, 16)
NOW = datetime(2026, 11, 25, 9, 30)  # Wednesday of W48: W47 is the last complete week
COMPANY = "Bølgeøy Kraftverk AS"
OFFICIAL = {"trustpilot": {"acme as"}, "reddit": {"acme_no"}}
QUARTERLY = [("2026-Q3", "Reddit", "daily_use_share", 0.08), ("2026-Q3", "Trustpilot", "daily_use_share", 0.02)]

FULL = {"empathy": {"value": 1.0, "weight": 30, "evidence": "beklager"},
        "specific": {"value": 1.0, "weight": 40, "evidence": "lønn"},
        "personal": {"value": 1.0, "weight": 30, "evidence": None}}
WEAK = {"empathy": {"value": 0.0, "weight": 30, "evidence": None},
        "specific": {"value": 0.5, "weight": 40, "evidence": "turnus"},
        "personal": {"value": 0.0, "weight": 30, "evidence": "standardsvar"}}


def _at(week: int, day: int, hour: int) -> datetime:
    """A time in ISO week `week` of 2026: day 0 = Monday."""
    return MONDAY + timedelta(weeks=week - 47, days=day, hours=hour)


def _history() -> list[dict[str, Any]]:
    """W43–W46: Reddit chatter with some criticism (answered within a day), one Trustpilot review in W46."""
    rows: list[dict[str, Any]] = []
    plan = {43: (3, 1), 44: (4, 2), 45: (4, 1), 46: (4, 1)}  # week: (mentions, of which criticism)
    for week, (n, crit) in plan.items():
        for i in range(n):
            critical = i < crit
            ext = f"h{week}-{i}"
            rows.append(m(ext, at=_at(week, i, 10), p_negative=0.9 if critical else 0.1,
                          aspects=["pay"] if critical and week == 46 else None,
                          text=f"Innlegg {ext} om arbeidsplassen"))
            if critical:
                rows.append(m(f"{ext}-r", parent=ext, author="acme_no", at=_at(week, i, 14),
                              text=f"Takk for innspillet om {ext}.", p_negative=0.1))
    rows.append(m("h46-t", source="trustpilot", author="Lise", at=_at(46, 2, 9), rating=2,
                  text="Lite oppfølging av nyansatte.", aspects=["recruitment"], p_negative=0.6))
    rows.append(m("h46-tr", source="trustpilot", parent="h46-t", author="Acme AS", official=True,
                  at=_at(46, 2, 15), text="Takk, vi ser på oppfølgingen."))
    # W45 criticism never answered: overdue at the end of W47
    rows.append(m("h45-open", author="trond", at=_at(45, 3, 8), p_negative=0.88, aspects=["management"],
                  text="Ledelsen har ikke svart på varselet vårt på flere uker."))
    return rows


def _week47() -> list[dict[str, Any]]:
    return [
        # Reddit: 5 mentions, 2 criticism
        m("c1", at=_at(47, 0, 9), p_negative=0.92, aspects=["pay", "management"], quality=95.0, components=FULL,
          text="Lønna kommer alltid for sent, og ledelsen svarer ikke på e-post."),
        m("c1r", parent="c1", author="acme_no", at=_at(47, 0, 11), p_negative=0.1,
          text="Hei! Vi beklager at lønna kom sent. Vi har rettet feilen i lønnssystemet, og Kari i HR tar kontakt."),
        m("c2", author="kari", at=_at(47, 1, 8), p_negative=0.85, aspects=["workload"], language="nn",
          quality=20.0, components=WEAK, text="Turnusen er heilt umogleg å planleggje livet rundt."),
        m("c2r", parent="c2", author="acme_no", at=_at(47, 2, 14), text="Takk for tilbakemeldingen.",
          p_negative=0.2),
        m("p1", author="siri", at=_at(47, 2, 12), p_negative=0.02, language="sv",
          text="Fantastiska kollegor och bra stämning på kontoret!"),
        m("n1", author="anne", at=_at(47, 3, 12), p_negative=0.3, text="Noen som vet når de åpner i Bergen?"),
        m("n2", author="joe", at=_at(47, 4, 12), p_negative=0.3, language="en", text="Anyone working there?"),
        # Trustpilot: 6 mentions, 4 criticism (by rating), one answered after the week, one open
        m("t1", source="trustpilot", author="Gunnar", at=_at(47, 2, 9), rating=1, p_negative=0.9,
          aspects=["pay"], quality=60.0, text="Elendig arbeidsgiver, lønna er for lav."),
        m("t1r", source="trustpilot", parent="t1", author="Acme AS", at=_at(47, 2, 13),
          text="Takk for tilbakemeldingen. Send oss en melding."),
        m("t2", source="trustpilot", author="Mona", at=_at(47, 2, 10), rating=2, p_negative=0.7,
          aspects=["pay"], language="da", text="Lønnen er under niveau for branchen."),
        m("t2r", source="trustpilot", parent="t2", author="Acme AS", at=_at(47, 7, 3),  # Mon 23 Nov 03:00
          text="Tak, vi kigger på lønnen."),
        m("t3", source="trustpilot", author="Stig", at=_at(47, 2, 11), rating=2, p_negative=0.55,
          aspects=["recruitment"], text="Dårlig opplæring, men fine folk."),
        m("t3r", source="trustpilot", parent="t3", author="Acme AS", at=_at(47, 2, 12),
          text="Vi jobber med opplæringen, takk for at du sier ifra."),
        m("t4", source="trustpilot", author="Eva", at=_at(47, 6, 20), rating=1, p_negative=0.9,
          aspects=["management"], text="Sjefen min er grusom og ingen bryr seg."),  # Sunday 20:00, open
        m("t5", source="trustpilot", author="Ola", at=_at(47, 4, 9), rating=5, p_negative=0.05,
          sentiment="positive", text="Flott sted å jobbe."),
        m("t6", source="trustpilot", author="Per", at=_at(47, 5, 9), rating=4, p_negative=0.2,
          sentiment="positive", text="Greit nok."),
    ]


def world() -> list[dict[str, Any]]:
    return _history() + _week47()
