"""Aspects of employer criticism, found by explainable multilingual term lists.

`detect_aspects(text, lang)` returns one `AspectHit(aspect, term)` per aspect whose terms occur in the
text, where `term` is the text as it appeared (the first match), so a user can see why. Aspects:
pay, management, work_environment, workload, recruitment, layoffs (layoffs and restructuring) and
other (employer topics outside those six: pensions are pay; office, equipment, commute, ethics and
whistleblowing are other). A text matching nothing gets `[]`; the analysis stage decides whether a
criticism without a hit is filed under "other".

Terms are matched case-insensitively on word boundaries. A term ending in `*` is a stem and also
matches longer words ("lønn*" matches "lønna", "lønnsøkning"); a term without `*` must match whole.
Terms are used for the text's language plus English (mixed-language posts are common); for "other"
or an unknown language every list is used. Compound words are handled by listing the common
compounds' stems (e.g. "nedbemann*", "omorganiser*").
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

ASPECTS = ("pay", "management", "work_environment", "workload", "recruitment", "layoffs", "other")
LANGS = ("nb", "nn", "sv", "da", "en")


class AspectHit(NamedTuple):
    aspect: str
    term: str


_SCANDI_PAY = ["lønn*", "løn", "lønsauk*", "lønstillegg*", "lønnsøk*", "bonus*", "overtidsbetal*",
               "tillegg*", "pensjon*", "betalt", "ubetalt*", "underbetal*", "timelønn*", "timeløn*",
               "feriepeng*", "lønnsoppgjør*", "lønsoppgjer*", "gasje*", "provisjon*"]

TERMS: dict[str, dict[str, list[str]]] = {
    "pay": {
        "nb": _SCANDI_PAY,
        "nn": [*_SCANDI_PAY, "løna", "lønene", "lønsnivå*"],
        "sv": ["lön", "lönen", "löner*", "löneökning*", "lönehöj*", "lönerevision*", "lönesättning*",
               "lönesamtal*", "bonus*", "obetald*", "underbetal*", "pension*", "timlön*", "ersättning*",
               "övertidsersättning*", "tillägg*", "provision*", "semesterersättning*", "avtalsenlig*"],
        "da": ["løn", "lønnen", "lønnin*", "lønstigning*", "lønforhandling*", "lønregulering*", "bonus*",
               "ulønnet*", "underbetal*", "pension*", "timeløn*", "tillæg*", "feriepenge*", "provision*"],
        "en": ["pay", "paid", "unpaid", "underpaid", "salary*", "salaries", "wage*", "raise", "raises",
               "pay rise*", "bonus*", "pension*", "compensation", "overtime pay", "payroll", "benefits"],
    },
    "management": {
        "nb": ["ledels*", "leder*", "sjef*", "mellomleder*", "direktør*", "toppsjef*", "styret", "konsernledels*",
               "nærmeste leder", "ledere", "administrasjon*", "hr", "hr-avdeling*", "personalavdeling*"],
        "nn": ["leiing*", "leiar*", "sjef*", "mellomleiar*", "direktør*", "toppsjef*", "styret",
               "administrasjon*", "hr", "dagleg leiar"],
        "sv": ["ledning*", "ledare", "chef*", "mellanchef*", "vd", "vd:n", "direktör*", "styrelse*",
               "närmaste chef", "hr", "företagsledning*", "arbetsledare*"],
        "da": ["ledelse*", "leder*", "chef*", "mellemleder*", "direktør*", "topchef*", "bestyrelse*",
               "nærmeste leder", "hr", "administration*"],
        "en": ["management", "manager*", "boss*", "leadership", "executive*", "ceo", "director*", "hr",
               "supervisor*", "line manager*", "the board", "middle manager*", "higher-ups"],
    },
    "work_environment": {
        "nb": ["arbeidsmiljø*", "kultur*", "stemning*", "trakasser*", "mobbing*", "mobbe*", "giftig*",
               "fryktkultur*", "kolleg*", "trives", "trivsel*", "sykefravær*", "diskriminer*", "varsl*",
               "toxic", "utbrent*", "psykisk*"],
        "nn": ["arbeidsmiljø*", "kultur*", "stemning*", "trakasser*", "mobbing*", "giftig*", "kolleg*",
               "trivst", "trivsel*", "sjukefråvær*", "diskriminer*", "varsl*", "utbrend*", "utbrent*"],
        "sv": ["arbetsmiljö*", "kultur*", "stämning*", "trakasser*", "mobbning*", "giftig*", "kolleg*",
               "trivs", "trivsel*", "sjukfrånvaro*", "diskriminer*", "visselblås*", "utbränd*", "härskartekni*"],
        "da": ["arbejdsmiljø*", "kultur*", "stemning*", "chikane*", "mobning*", "giftig*", "kolleg*",
               "trives", "trivsel*", "sygefravær*", "diskrimin*", "whistleblow*", "udbrændt*", "frygtkultur*"],
        "en": ["work environment", "culture", "toxic", "harass*", "bully*", "bullied", "morale",
               "colleague*", "coworker*", "co-worker*", "discriminat*", "atmosphere", "burnout", "burned out",
               "burning out", "hostile"],
    },
    "workload": {
        "nb": ["arbeidsmengde*", "arbeidsbelastning*", "overtid*", "underbemann*", "travel*", "stress*",
               "arbeidspress*", "turnus*", "vaktlist*", "går på veggen", "for mye å gjøre", "lange dager"],
        "nn": ["arbeidsmengd*", "arbeidsbelastning*", "overtid*", "underbemann*", "travel*", "stress*",
               "arbeidspress*", "turnus*", "vaktlist*", "går på veggen", "lange dagar"],
        "sv": ["arbetsbelastning*", "arbetsbörda*", "övertid*", "underbemann*", "stress*", "arbetstakt*",
               "schema*", "går in i väggen", "för mycket att göra", "långa dagar"],
        "da": ["arbejdsbyrde*", "arbejdspres*", "overarbejde*", "underbemand*", "travlhed*", "stress*",
               "vagtplan*", "går ned med stress", "for meget at lave", "lange dage"],
        "en": ["workload", "overtime", "understaffed", "overworked", "overwork*", "stress*", "long hours",
               "long days", "shift*", "rota*", "burnout", "too much work", "work of ten", "do more with less"],
    },
    "recruitment": {
        "nb": ["rekrutter*", "søknad*", "søker*", "intervju*", "ansettelsesprosess*", "jobbintervju*",
               "avslag*", "kandidat*", "stillingsannonse*", "utlysning*", "rekrutterer*", "headhunter*",
               "prøvetid*", "referans*", "case-oppgave*"],
        "nn": ["rekrutter*", "søknad*", "søkjar*", "søkjer*", "intervju*", "tilsetjingsprosess*", "avslag*",
               "kandidat*", "utlysing*", "prøvetid*", "caseoppgåve*"],
        "sv": ["rekryter*", "ansökan*", "ansökning*", "sökande", "intervju*", "anställningsprocess*",
               "avslag*", "kandidat*", "platsannons*", "rekryterare*", "provanställning*", "referens*"],
        "da": ["rekrutter*", "ansøgning*", "ansøger*", "samtale*", "jobsamtale*", "ansættelsesforløb*",
               "afslag*", "kandidat*", "stillingsopslag*", "prøvetid*", "reference*"],
        "en": ["recruit*", "hiring", "hired", "application*", "applicant*", "applied", "applying",
               "interview*", "ghosted", "rejection*", "candidate*", "job ad*", "job posting*", "onboarding",
               "probation*", "recruiter*"],
    },
    "layoffs": {
        "nb": ["nedbemann*", "oppsigels*", "sagt opp", "sa opp", "permitter*", "omorganiser*",
               "omstilling*", "restrukturer*", "kutt*", "nedlegg*", "legges ned", "lagt ned", "sparken",
               "masseoppsigels*", "sluttpakke*", "outsourc*"],
        "nn": ["nedbemann*", "oppseiing*", "sagt opp", "sa opp", "permitter*", "omorganiser*",
               "omstilling*", "kutt*", "nedlegging*", "blir lagd ned", "lagt ned", "sparken", "sluttpakk*"],
        "sv": ["varsel", "varsla*", "varslet", "uppsägning*", "sagt upp", "sa upp", "permitter*",
               "omorganisation*", "omorganiser*", "omstrukturer*", "nedskärning*", "läggs ner",
               "lagt ner", "neddragning*", "avveckl*", "sparken", "outsourc*"],
        "da": ["fyring*", "fyret", "fyrede", "afskedig*", "opsigelse*", "sagt op", "omstrukturer*",
               "omorganiser*", "nedskæring*", "lukker", "lukket", "nedlæg*", "besparels*", "fyringsrund*",
               "outsourc*"],
        "en": ["layoff*", "laid off", "lay off", "redundanc*", "fired", "restructur*", "reorg*",
               "downsiz*", "job cuts", "cuts", "closing", "closure", "furlough*", "outsourc*", "let go"],
    },
    "other": {
        "nb": ["kontor*", "lokal*", "hjemmekontor*", "kantin*", "parkering*", "utstyr*", "etikk*", "pendl*"],
        "nn": ["kontor*", "lokal*", "heimekontor*", "kantin*", "parkering*", "utstyr*", "etikk*", "pendl*"],
        "sv": ["kontor*", "lokal*", "distansarbete*", "hemarbete*", "matsal*", "parkering*", "utrustning*",
               "etik*", "pendl*"],
        "da": ["kontor*", "lokal*", "hjemmearbejde*", "kantine*", "parkering*", "udstyr*", "etik*", "pendl*"],
        "en": ["office*", "premises", "remote work", "work from home", "canteen", "parking", "equipment",
               "ethic*", "commut*"],
    },
}


def _term_regex(term: str) -> str:
    stem = term.endswith("*")
    core = term[:-1] if stem else term
    body = r"\s+".join(re.escape(part) for part in core.split())
    tail = r"[\w-]*" if stem else ""
    return rf"(?<![\w-]){body}{tail}(?![\w])"


@lru_cache(maxsize=16)
def _patterns(lang: str) -> list[tuple[str, re.Pattern[str]]]:
    langs = (lang, "en") if lang in LANGS and lang != "en" else ("en",) if lang == "en" else LANGS
    out = []
    for aspect in ASPECTS:
        terms: list[str] = []
        for lg in langs:
            terms.extend(t for t in TERMS[aspect][lg] if t not in terms)
        # longest terms first, so a phrase wins over its first word
        terms.sort(key=lambda t: -len(t))
        rx = re.compile("|".join(_term_regex(t) for t in terms), re.IGNORECASE)
        out.append((aspect, rx))
    return out


def detect_aspects(text: str, lang: str) -> list[AspectHit]:
    """Aspects whose terms occur in `text` (in `ASPECTS` order), each with the first matched term."""
    if not text:
        return []
    hits: list[AspectHit] = []
    for aspect, rx in _patterns(lang if lang in LANGS else "other"):
        m = rx.search(text)
        if m:
            hits.append(AspectHit(aspect, m.group(0)))
    return hits
