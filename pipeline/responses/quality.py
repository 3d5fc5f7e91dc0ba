"""Explainable reply-quality score (0-100) for a company's reply to a criticism.

The rubric, the sources and the known weaknesses are in ``docs/response-quality.md``. In short:
eleven components, each a value in 0..1 with a fixed weight (the weights sum to 100) and an
``evidence`` string naming the phrase that fired or why nothing did. The score is
``sum(weight * value)``. Components that do not apply to a reply (no personal details in the
criticism, nothing to compare against for template detection, unknown critic language) get full
credit and ``applicable=False``, so the same reply text never loses points for something it could
not have done.

Everything is pure Python (``re`` + sets). Phrase lists exist for nb, nn, sv, da and en; they are
matched as one union whatever the detected language, because language detection on short
Scandinavian text is unreliable (nb/da especially) and the phrases barely collide across languages.
Matching is case-insensitive on NFC-normalised text with Unicode word boundaries
(``(?<!\\w)`` / ``(?!\\w)``, which treat æøåäö as letters).

Batches: call :func:`mark_templates` once over all of a company's replies (MinHash + LSH over word
bigrams, linear time) and pass ``template=`` to :func:`score_reply`; passing ``other_replies``
instead compares the reply against every other reply (fine for tens, not for 100k).
"""

from __future__ import annotations

import functools
import itertools
import random
import re
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

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


# --------------------------------------------------------------------------------------------
# Lexicon. Entries are regular-expression fragments; a space matches any run of whitespace.
# Each category is compiled once into a single alternation with Unicode word boundaries.
# --------------------------------------------------------------------------------------------

# up to two filler words, but never a negation ("vi har ikke endret" is not an action)
_W = r"(?:(?!(?:ikke|ikkje|inte|not|never|aldri|aldrig|ingen)(?!\w))\w+ ){0,2}"
_WEEKDAYS = (
    r"(?:mandag|tirsdag|tysdag|onsdag|torsdag|fredag|måndag|tisdag|monday|tuesday|wednesday|thursday|friday)"
)
_MONTHS = (
    r"(?:januar|februar|mars|marts|april|mai|maj|juni|juli|august|augusti|september|oktober|november"
    r"|desember|december|january|february|march|may|june|july|october)"
)

LEXICON: dict[str, dict[str, tuple[str, ...]]] = {
    "thanks": {
        "nb": (
            r"takk for",
            r"tusen takk",
            r"mange takk",
            r"takk skal du ha",
            r"vi setter (stor )?pris på",
            r"takk for at du",
        ),
        "nn": (r"takk for", r"tusen takk", r"mange takk", r"vi set (stor )?pris på", r"takk for at du"),
        "sv": (r"tack för", r"tack så mycket", r"stort tack", r"tusen tack", r"vi uppskattar"),
        "da": (r"tak for", r"mange tak", r"tusind tak", r"vi sætter (stor )?pris på", r"tak fordi"),
        "en": (
            r"thanks? (you )?for",
            r"thank you",
            r"many thanks",
            r"we (really )?appreciate",
            r"i (really )?appreciate",
        ),
    },
    "acknowledge": {
        "nb": (
            r"(vi|jeg) forstår",
            r"(vi|jeg) skjønner",
            r"du har (helt )?rett",
            r"det stemmer at",
            r"(vi|jeg) ser at",
            r"vi erkjenner",
            r"det er (helt )?riktig at",
            r"det(te)? er ikke (greit|godt nok|akseptabelt|slik det skal være|bra)",
            r"(det|dette) skulle ikke (ha )?skjedd",
            r"vi har ikke vært gode nok",
            r"du peker på",
            r"det du beskriver",
            r"det du tar opp",
        ),
        "nn": (
            r"(vi|eg) forstår",
            r"(vi|eg) skjønar",
            r"du har (heilt )?rett",
            r"det stemmer at",
            r"(vi|eg) ser at",
            r"det(te)? er ikkje (greitt|godt nok|akseptabelt|slik det skal vere)",
            r"(det|dette) skulle ikkje (ha )?skjedd",
            r"vi har ikkje vore gode nok",
            r"det du skildrar",
            r"det du tek opp",
        ),
        "sv": (
            r"(vi|jag) förstår",
            r"du har (helt )?rätt",
            r"det stämmer att",
            r"(vi|jag) ser att",
            r"det(ta)? är inte (okej|ok|acceptabelt|bra nog|godtagbart|som det ska vara)",
            r"det borde inte ha hänt",
            r"vi har inte varit tillräckligt bra",
            r"det du beskriver",
            r"det du tar upp",
        ),
        "da": (
            r"(vi|jeg) forstår",
            r"du har (helt )?ret",
            r"det er rigtigt at",
            r"(vi|jeg) kan se at",
            r"det(te)? er ikke (i orden|godt nok|acceptabelt|sådan det skal være)",
            r"det burde ikke (være sket|ske)",
            r"vi har ikke været gode nok",
            r"det du beskriver",
            r"det du tager op",
        ),
        "en": (
            r"(we|i) (fully |completely )?understand",
            r"you('re| are) (absolutely |quite )?right",
            r"(that's|that is) a fair point",
            r"we hear you",
            r"we (recogni[sz]e|acknowledge)",
            r"(this|that) (is|was) not (ok|okay|acceptable|good enough)",
            r"(this|that|it) should(n't| not) have happened",
            r"we (have )?fell short",
            r"what you describe",
        ),
    },
    "apology": {
        "nb": (
            r"(vi|jeg) beklager",
            r"beklager (at|det|dette|så|virkelig|sterkt|på det sterkeste)",
            r"unnskyld",
            r"vi ber om unnskyldning",
            r"(vi|jeg) er (veldig |svært )?lei (oss|meg) for",
        ),
        "nn": (
            r"(vi|eg) beklagar",
            r"beklagar (at|det|dette|så)",
            r"orsak(a)? (for|at)",
            r"(vi|eg) er (veldig )?lei (oss|meg) for",
            r"vi bed om orsak",
        ),
        "sv": (
            r"(vi|jag) ber om ursäkt",
            r"förlåt",
            r"(vi|jag) beklagar",
            r"(vi är|jag är) ledsna? (för|över)",
        ),
        "da": (
            r"(vi|jeg) beklager",
            r"undskyld",
            r"vi (giver|siger) undskyld",
            r"vi er (meget )?kede af",
            r"jeg er (meget )?ked af",
        ),
        "en": (
            r"(we|i) apologi[sz]e",
            r"(our|my) apologies",
            r"(we're|we are|i'm|i am) (so |very |truly )?sorry",
            r"sorry (for|about|that)",
        ),
    },
    # Conditional "non-apologies": blanked out before looking for an apology.
    "fauxpology": {
        "nb": (
            r"beklager (at|om|hvis|dersom) du (har )?(opplev|føl|oppfatt|syn)\w*",
            r"beklager (at|om|hvis|dersom) (dette|det) (har )?(blitt )?oppfatt\w*",
            r"beklager (hvis|om|dersom) noen",
        ),
        "nn": (r"beklagar (at|om|viss|dersom) du (har )?(opplev|kjenn|oppfatt|syn)\w*",),
        "sv": (
            r"(beklagar|ber om ursäkt) (att|om) du (har )?(upplev|känn|uppfatt|tyck)\w*",
            r"ledsna? (att|om) du (har )?(upplev|känn|tyck)\w*",
        ),
        "da": (r"(beklager|undskyld),? (at|hvis|om) du (har )?(oplev|føl|opfatt|syn)\w*",),
        "en": (
            r"sorry (if |that )?you (feel|felt|see it|perceive\w*|think)",
            r"apologi[sz]e if",
            r"sorry if (anyone|you|this)",
            r"sorry for any (inconvenience|misunderstanding)",
        ),
    },
    "empathy": {
        "nb": (
            r"det må ha vært",
            r"(leit|trist|kjedelig|vondt) å (høre|lese)",
            r"frustrerende",
            r"forstår (godt )?(at du|frustrasjonen|skuffelsen|at dette)",
            r"det er forståelig",
            r"vi skjønner at dette",
            r"det høres (ut )?(tungt|vanskelig|frustrerende|krevende)",
        ),
        "nn": (
            r"det må ha vore",
            r"(leitt|trist|vondt) å (høyre|lese)",
            r"frustrerande",
            r"forstår (godt )?(at du|frustrasjonen|skuffinga|at dette)",
            r"det er forståeleg",
        ),
        "sv": (
            r"det måste ha varit",
            r"(tråkigt|tråkig|ledsamt|tungt) att (höra|läsa)",
            r"frustrerande",
            r"förstår (verkligen )?(att du|din frustration|besvikelsen|att detta)",
            r"det är förståeligt",
        ),
        "da": (
            r"det må have været",
            r"(ked af|trist|kedeligt) at (høre|læse)",
            r"frustrerende",
            r"forstår (godt )?(at du|din frustration|skuffelsen|at dette)",
            r"det er forståeligt",
        ),
        "en": (
            r"that must have been",
            r"(sorry|sad|sorry) to (hear|read)",
            r"frustrating",
            r"understand (your|the|how) (frustration|disappointment|frustrating|difficult)",
            r"(that's|that is|it's|it is) understandable",
            r"(we|i) can imagine",
        ),
    },
    "explain": {
        "nb": (
            r"fordi",
            r"på grunn av",
            r"pga",
            r"årsaken",
            r"grunnen (til|er|var)",
            r"skyld(e|te)s",
            r"bakgrunnen",
            r"det som skjedde",
            r"dette skjedde",
            r"(en|ei) feil (i|hos|med|på)",
            r"systemfeil",
            r"forklaringen",
            r"(vil|kan) forklare",
            r"derfor",
            r"det (var|er) (vår|vårt) (feil|ansvar)",
        ),
        "nn": (
            r"fordi",
            r"på grunn av",
            r"årsaka",
            r"grunnen (til|er|var)",
            r"skuldast",
            r"bakgrunnen",
            r"det som skjedde",
            r"ein feil (i|hos|med|på)",
            r"systemfeil",
            r"forklaringa",
            r"difor",
            r"det (var|er) (vår|vårt) (feil|ansvar)",
        ),
        "sv": (
            r"eftersom",
            r"på grund av",
            r"pga",
            r"anledningen",
            r"orsaken",
            r"ber(or|odde) på",
            r"det som hände",
            r"ett fel (i|hos|med|på)",
            r"systemfel",
            r"förklaringen",
            r"berodde",
            r"därför",
            r"det (var|är) vårt (fel|ansvar)",
        ),
        "da": (
            r"fordi",
            r"på grund af",
            r"pga",
            r"årsagen",
            r"grunden (til|er|var)",
            r"skyld(e|te)s",
            r"det der skete",
            r"en fejl (i|hos|med|på)",
            r"systemfejl",
            r"forklaringen",
            r"derfor",
            r"det (var|er) (vores|vor) (fejl|skyld|ansvar)",
        ),
        "en": (
            r"because",
            r"due to",
            r"the reason",
            r"caused by",
            r"what happened",
            r"this happened",
            r"as a result of",
            r"(a|an) (system |payroll )?(error|mistake) (in|on|with|that)",
            r"to explain",
            r"that's why",
            r"our (mistake|fault|error|responsibility)",
        ),
    },
    "blame": {
        "nb": (
            r"du (burde|skulle) (ha |jo |selv )?(lest|sjekket|spurt|fulgt|visst|tenkt|sagt ifra|levert)",
            r"(hvis|om|dersom) du hadde (lest|sjekket|fulgt|spurt|sagt)",
            r"hadde du (lest|sjekket|fulgt|spurt)",
            r"din egen (feil|skyld)",
            r"ditt (eget )?ansvar",
            r"du valgte selv",
            r"du har (selv )?misforstått",
            r"du misforsto",
            r"som (det )?(står|sto|stod) (tydelig |klart )?i (kontrakten|avtalen|stillingsannonsen)",
            r"du (signerte|skrev under)",
            r"les kontrakten",
        ),
        "nn": (
            r"du (burde|skulle) (ha |jo |sjølv )?(lese|lest|sjekka|spurt|følgt|visst)",
            r"(viss|om|dersom) du hadde (lese|lest|sjekka|følgt)",
            r"di eiga (feil|skuld)",
            r"ditt (eige )?ansvar",
            r"du valde sjølv",
            r"du har misforstått",
            r"som (det )?står (tydeleg )?i (kontrakten|avtalen)",
        ),
        "sv": (
            r"du (borde|skulle) (ha |ju )?(läst|kollat|kontrollerat|frågat|följt|vetat)",
            r"om du hade (läst|kollat|följt|frågat)",
            r"ditt eget fel",
            r"ditt (eget )?ansvar",
            r"du valde själv",
            r"du (har )?missförst(od|ått)",
            r"som (det )?(står|stod) (tydligt )?i (avtalet|kontraktet|annonsen)",
            r"du skrev under",
        ),
        "da": (
            r"du (burde|skulle) (have |jo )?(læst|tjekket|spurgt|fulgt|vidst)",
            r"hvis du havde (læst|tjekket|fulgt|spurgt)",
            r"din egen (fejl|skyld)",
            r"dit (eget )?ansvar",
            r"du valgte selv",
            r"du har misforstået",
            r"som (det )?(står|stod) (tydeligt )?i (kontrakten|aftalen)",
            r"du skrev under",
        ),
        "en": (
            r"you should have (read|checked|asked|known|followed|told)",
            r"(if|had) you (had )?(read|checked|followed|asked)",
            r"your (own )?fault",
            r"your (own )?responsibility",
            r"you (chose|signed|misunderstood|failed to)",
            r"as (clearly )?stated in (your|the) (contract|agreement|job ad)",
            r"read your contract",
        ),
    },
    # Vague promises: blanked out before looking for a concrete action.
    "vague_action": {
        "nb": (
            r"(vi|jeg) (skal|vil|kommer til å) (se (nærmere )?på|vurdere|titte på)",
            r"(tar|tatt) (det|dette|tilbakemeldingen|innspillet|kritikken) med (oss|meg)( videre)?",
            r"tar (det|dette) til etterretning",
            r"vi noterer oss",
            r"sendt (det )?videre",
        ),
        "nn": (
            r"(vi|eg) (skal|vil|kjem til å) (sjå (nærare )?på|vurdere)",
            r"(tek|teke) (det|dette|tilbakemeldinga|innspelet) med (oss|meg)( vidare)?",
            r"tek (det|dette) til etterretning",
        ),
        "sv": (
            r"(vi|jag) (ska|kommer att) (se över|titta på|fundera på|överväga)",
            r"tar (det|detta) till oss",
            r"tar till oss",
            r"tar med oss (det|detta|synpunkterna)",
            r"noterat",
        ),
        "da": (
            r"(vi|jeg) (vil|skal|kommer til at) (se på|kigge på|overveje)",
            r"tager (det|dette|feedbacken|kritikken) med (os|mig)( videre)?",
            r"tager (det|dette) til efterretning",
        ),
        "en": (
            r"(we|i) (will|shall) (look into|look at|consider|review your feedback)",
            r"(we|i)'ll (look into|look at|consider|review your feedback)",
            r"take (this|it|that|your feedback|your comments) on board",
            r"(duly )?noted",
            r"(we have|we've) passed (this|it) on",
            r"keep (this|it) in mind",
        ),
    },
    "action": {
        "nb": (
            rf"(vi|jeg) (har|skal|vil|kommer til å) (nå )?{_W}(endre|innføre|justere|rette|oppdatere|korrigere"
            r"|utbetale|betale|fikse|gjennomgå|gå (i)?gjennom|følge opp|kontakte|ringe|sende|innkalle|ansette"
            r"|starte|sette i gang|etterbetale|gått (i)?gjennom|ta (dette|det|saken) opp)\w*",
            r"(nå (er|blir)|(er|blir) nå) (utbetalt|rettet|endret|korrigert|etterbetalt|innført)",
            r"(vi|jeg) (ringer|kontakter|sender|betaler|etterbetaler) (deg|dere|beløpet|pengene)",
            r"har tatt (dette|det|saken) opp med",
        ),
        "nn": (
            rf"(vi|eg) (har|skal|vil|kjem til å) (no )?{_W}(endr|innfør|juster|rett|oppdater|korriger|utbetal"
            r"|betal|gå gjennom|følgj\w* opp|kontakt|ring|send|kall inn|tilset|start|ta (dette|det|saka) opp)\w*",
            r"(no (er|blir|vert)|(er|blir|vert) no) (utbetalt|retta|endra|korrigert|etterbetalt|innført)",
            r"(vi|eg) (ringjer|kontaktar|sender|betaler) (deg|dykk)",
        ),
        "sv": (
            rf"(vi|jag) (har|ska|kommer att) (nu )?{_W}(ändr|inför|juster|rätt|uppdater|korriger|betal"
            r"|gå igenom|följ\w* upp|kontakt|ring|skick|kalla|anställ|start|ta upp)\w*",
            r"(nu (är|blir)|(är|blir) nu) (utbetald|utbetalt|rättad|rättat|ändrad|ändrat|korrigerad|korrigerat|införd)",
            r"(vi|jag) (ringer|kontaktar|skickar|betalar) (dig|er|ut)",
        ),
        "da": (
            rf"(vi|jeg) (har|skal|vil|kommer til at) (nu )?{_W}(ændr|indfør|juster|ret|opdater|korriger|udbetal"
            r"|betal|gennemgå|gå igennem|følg\w* op|kontakt|ring|send|indkald|ansæt|ansat|start|tage det op)\w*",
            r"(nu (er|bliver)|(er|bliver) nu) (udbetalt|rettet|ændret|korrigeret|efterbetalt|indført)",
            r"(vi|jeg) (ringer|kontakter|sender|udbetaler|betaler) (dig|jer|beløbet|pengene)",
        ),
        "en": (
            rf"(we|i)('ll|'ve| will| have| are going to| am going to) (now )?{_W}(chang|introduc|fix|correct"
            r"|updat|pay|review|go through|follow\w* up|contact|call|reimburs|refund|launch|hir|train|set up"
            r"|rais|start|schedul|invit|adjust)\w*",
            r"(has|have) now been (paid|corrected|fixed|changed|updated|introduced)",
            r"(we|i)('re| are) (now )?(hiring|recruiting|introducing|changing|reviewing|adding|fixing|paying)",
        ),
    },
    "timebound": {
        "nb": (
            r"innen",
            r"i løpet av",
            rf"(neste|kommende|førstkommende) (uke|uka|måned|lønnskjøring|{_WEEKDAYS})",
            r"fra (og med )?(neste|1\.)",
            r"i morgen",
            r"i dag",
            r"denne (uka|uken)",
            _WEEKDAYS,
            rf"\d{{1,2}}\. {_MONTHS}",
            r"\d+ (timer|dager|virkedager|arbeidsdager)",
        ),
        "nn": (
            r"innan",
            r"i løpet av",
            r"(neste|komande|denne) (veke|veka|månad)",
            r"i morgon",
            r"i dag",
            r"frå (og med )?(neste|1\.|januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember)",
            rf"\d{{1,2}}\. {_MONTHS}",
            r"\d+ (timar|dagar|arbeidsdagar)",
        ),
        "sv": (
            r"inom",
            r"senast",
            r"(nästa|kommande) (vecka|månad|lönekörning)",
            r"från och med",
            r"i morgon",
            r"idag",
            r"i dag",
            r"denna vecka",
            rf"(den )?\d{{1,2}}(:e)? {_MONTHS}",
            r"\d+ (timmar|dagar|arbetsdagar)",
            r"på (måndag|tisdag|onsdag|torsdag|fredag)",
        ),
        "da": (
            r"inden",
            r"senest",
            r"(næste|kommende) (uge|måned|lønkørsel)",
            r"fra og med",
            r"i morgen",
            r"i dag",
            r"denne uge",
            _WEEKDAYS,
            rf"\d{{1,2}}\. {_MONTHS}",
            r"\d+ (timer|dage|hverdage|arbejdsdage)",
        ),
        "en": (
            r"within",
            r"by (the end of|next|monday|tuesday|wednesday|thursday|friday)",
            r"next (week|month|payroll|pay run)",
            r"this week",
            rf"in {_MONTHS}",
            r"from (next|1 |the 1st)",
            r"tomorrow",
            r"today",
            r"\d+ (hours|days|working days|business days)",
        ),
    },
    "channel": {
        "nb": (
            r"send (oss|meg) (gjerne )?(en |ei )?(privat |direkte )?(melding|e-post|epost|mail|dm|pm)",
            r"ta (gjerne )?kontakt",
            r"kontakt (meg|oss) (direkte|på|gjerne)",
            r"ring (meg|oss)",
            r"direktemelding",
            r"privat melding",
            r"innboks",
            r"ringer deg",
            r"på telefon",
            r"ringe deg",
            r"kontakte deg",
            r"en prat",
            r"et møte",
        ),
        "nn": (
            r"send (oss|meg) (gjerne )?(ei |ein )?(privat )?(melding|e-post|epost|dm)",
            r"ta (gjerne )?kontakt",
            r"tak kontakt",
            r"ring (meg|oss)",
            r"ringj(e|a) (meg|oss)",
            r"ringjer deg",
            r"ringe deg",
            r"kontakte deg",
            r"ein prat",
        ),
        "sv": (
            r"skicka (gärna )?(ett |ett privat )?(mejl|mail|dm|pm|meddelande)",
            r"hör (gärna )?av dig",
            r"kontakta (mig|oss)",
            r"ring (mig|oss)",
            r"ringa dig",
            r"ringer dig",
            r"kontakta dig",
            r"ett samtal",
            r"ett möte",
            r"privat meddelande",
        ),
        "da": (
            r"send (os|mig) (gerne |blot |bare )?(en )?(privat )?(besked|mail|e-mail|dm|pm)",
            r"ringer dig",
            r"kontakt (mig|os)",
            r"ring (til )?(mig|os)",
            r"ringe (til )?dig",
            r"kontakte dig",
            r"tage en snak",
            r"et møde",
            r"privat besked",
        ),
        "en": (
            r"(send|drop) (us|me) (an? )?(email|e-mail|dm|direct message|private message|pm|message|line)",
            r"(reach out|get in touch|contact me|contact us|email me|call me|reach me)",
            r"(call|contact) you",
            r"direct message",
            r"private message",
            r"(a|have a) (chat|call|conversation|meeting)",
        ),
    },
    "self_intro": {
        "nb": (r"jeg heter", r"mitt navn er", r"jeg er (hr|personal)\w*"),
        "nn": (r"eg heiter", r"namnet mitt er"),
        "sv": (r"jag heter", r"mitt namn är"),
        "da": (r"jeg hedder", r"mit navn er"),
        "en": (r"my name is", r"i'm the (hr|people)\w*"),
    },
    "personal_details": {
        "nb": (
            r"(min|mitt|mine|mi) (egen |egne )?(søknad|lønn|kontrakt|arbeidskontrakt|sykemelding|oppsigelse"
            r"|sluttavtale|leder|sjef|attest|attesten|feriepenger|timeliste|lønnsslipp|intervju|stilling|vakt)\w*",
            r"(søknaden|lønna|lønnen|kontrakten|sykemeldingen|oppsigelsen|sjefen|lederen|attesten|lønnsslippen"
            r"|timelista|feriepengene) (min|mi|mitt|mine)",
            r"jeg (ble|fikk) (sagt opp|oppsagt|avskjediget|sparken)",
            r"jeg var på intervju",
            r"(jeg|eg) har (ikke|ikkje) fått (lønn|betalt|svar)",
        ),
        "nn": (
            r"(søknaden|løna|lønna|kontrakten|sjukmeldinga|oppseiinga|sjefen|leiaren|attesten) (mi|min|mitt)",
            r"eg (vart|blei|fekk) (sagt opp|oppsagt|sparken)",
            r"eg var på intervju",
        ),
        "sv": (
            r"(min|mitt|mina) (egen |egna )?(ansökan|lön|kontrakt|anställning|sjukskrivning|uppsägning|chef"
            r"|intervju|lönebesked|tjänst)\w*",
            r"jag (blev|fick) (uppsagd|sparken|avskedad)",
            r"jag var på intervju",
            r"jag har inte fått (lön|svar)",
        ),
        "da": (
            r"(min|mit|mine) (egen |egne )?(ansøgning|løn|kontrakt|ansættelse|sygemelding|opsigelse|chef|leder"
            r"|samtale|lønseddel|stilling)\w*",
            r"jeg (blev|fik) (fyret|opsagt|afskediget)",
            r"var til (jobs)?samtale",
            r"jeg har ikke fået (løn|svar)",
        ),
        "en": (
            r"my (own )?(application|salary|pay|wages|contract|sick leave|dismissal|manager|boss|payslip"
            r"|timesheet|reference|interview|position|shift)s?",
            r"i was (fired|dismissed|let go|laid off)",
            r"i (had|did) an interview",
            r"i (haven't|have not|never) (been paid|received my|got my|heard back)",
        ),
    },
    "fault": {  # the criticism describes something the company failed to do
        "nb": (
            r"aldri (fått|fikk|hørt|svar\w*|fått svar)",
            r"(ikke|ingen) (fått )?(svar|tilbakemelding|respons)",
            r"ikke fått (lønn|betalt|pengene)",
            r"ikke (blitt )?betalt",
            r"(for|altfor) sent",
            r"forsinket",
            r"feil (i|på) lønn\w*",
            r"glemt",
            r"aldri (blitt )?(utbetalt|betalt)",
            r"svarer ikke",
            r"ikke hørt (noe|fra)",
            r"uten svar",
            r"hørte aldri",
            r"(lovet|lovte)",
            r"ghost\w*",
            r"ignor\w*",
            r"brøt",
            r"brudd på",
        ),
        "nn": (
            r"aldri (fått|fekk|høyrt|svar\w*)",
            r"(ikkje|inga) (fått )?(svar|tilbakemelding)",
            r"ikkje fått (løn|lønn|betalt)",
            r"ikkje (blitt )?betalt",
            r"forseinka",
            r"feil (i|på) løn\w*",
            r"gløymt",
            r"lova",
            r"ignorert",
            r"aldri (blitt )?(utbetalt|betalt)",
            r"svarar ikkje",
        ),
        "sv": (
            r"aldrig (fått|fick|hört|svar\w*)",
            r"(inte|inget) (fått )?(svar|återkoppling)",
            r"inte fått (lön|betalt)",
            r"inte (blivit )?betald",
            r"(för|alldeles för) sent",
            r"försenad\w*",
            r"fel (i|på) lön\w*",
            r"glömt",
            r"lovade",
            r"lovades",
            r"inte hört (något|av)",
            r"aldrig (blivit )?(utbetald|betald)",
            r"svarar inte",
            r"hörde aldrig",
            r"ghost\w*",
            r"ignorer\w*",
            r"bröt",
        ),
        "da": (
            r"aldrig (fået|fik|hørt|svar\w*)",
            r"(ikke|intet|ingen) (fået )?(svar|tilbagemelding)",
            r"ikke fået (løn|betaling)",
            r"ikke (blevet )?betalt",
            r"(for|alt for) sent",
            r"forsinket",
            r"fejl (i|på) løn\w*",
            r"glemt",
            r"lovede",
            r"hørte aldrig",
            r"hørte ikke",
            r"aldrig (blevet )?(udbetalt|betalt)",
            r"svarer ikke",
            r"ghost\w*",
            r"ignorer\w*",
            r"brød",
        ),
        "en": (
            r"never (got|heard|received|been paid|paid|answer\w*|repl\w*)",
            r"no (reply|response|answer|feedback)",
            r"(not|wasn't|weren't|haven't been) paid",
            r"unpaid",
            r"too late",
            r"delayed",
            r"wrong (pay|salary)",
            r"forgot",
            r"promised",
            r"(doesn't|does not|don't|do not) (answer|reply|respond)",
            r"ghost\w*",
            r"ignor\w*",
            r"broke (the|their|your)",
        ),
    },
    "defensive": {
        "nb": (
            r"det er ikke riktig",
            r"det stemmer ikke",
            r"du tar feil",
            r"som alle andre",
            r"vi kjenner oss ikke igjen",
            r"(grunnløse|usanne|feilaktige) påstander",
            r"tull",
            r"sutr\w*",
            r"ingen tvang deg",
            r"liker du det ikke",
            r"du står fritt til å (slutte|gå)",
            r"vi står (fast )?ved",
            r"det er ikke vårt problem",
            r"det får du leve med",
            r"det er ikke vår feil",
            r"slik er det bare",
        ),
        "nn": (
            r"det er ikkje rett",
            r"det stemmer ikkje",
            r"du tek feil",
            r"som alle andre",
            r"vi kjenner oss ikkje att",
            r"grunnlause påstandar",
            r"det er ikkje vår feil",
            r"slik er det berre",
        ),
        "sv": (
            r"det stämmer inte",
            r"det är inte sant",
            r"du har fel",
            r"som alla andra",
            r"vi känner inte igen oss",
            r"(grundlösa|osanna) påståenden",
            r"gnäll\w*",
            r"ingen tvingade dig",
            r"det är inte vårt problem",
            r"det är inte vårt fel",
            r"så är det bara",
        ),
        "da": (
            r"det er ikke rigtigt",
            r"det passer ikke",
            r"du tager fejl",
            r"som alle andre",
            r"vi genkender ikke",
            r"(grundløse|usande) påstande",
            r"brok\w*",
            r"ingen tvang dig",
            r"det er ikke vores problem",
            r"det er ikke vores skyld",
            r"sådan er det bare",
        ),
        "en": (
            r"(that's|that is|this is) (simply |just )?(not true|untrue|false)",
            r"you('re| are) wrong",
            r"like everyone else",
            r"(baseless|unfounded|false) (claims|allegations)",
            r"nonsense",
            r"whin\w*",
            r"nobody forced you",
            r"if you don't like it",
            r"feel free to leave",
            r"we stand by",
            r"not our problem",
            r"not our fault",
            r"that's just how it is",
            r"we do not recogni[sz]e",
        ),
    },
    "superlative": {
        "nb": (
            r"(verdens|bransjens|markedets|landets|norges) (aller )?beste",
            r"beste arbeidsgiver\w*",
            r"fantastisk\w*",
            r"enestående",
            r"eksepsjonell\w*",
            r"suveren\w*",
            r"(helt )?unik\w*",
            r"drømme(jobb|arbeidsplass)\w*",
            r"i verdensklasse",
            r"fremragende",
            r"kjempe(bra|god\w*)",
            r"utmerket\w*",
            r"perfekt\w*",
        ),
        "nn": (r"verdas (aller )?beste", r"framifrå", r"strålande", r"kjempegod\w*", r"(heilt )?unik\w*"),
        "sv": (
            r"(världens|marknadens|branschens|sveriges) (allra )?bästa",
            r"bästa arbetsgivar\w*",
            r"fantastisk\w*",
            r"enastående",
            r"exceptionell\w*",
            r"i världsklass",
            r"jättebra",
            r"superbra",
            r"utmärkt\w*",
            r"fenomenal\w*",
        ),
        "da": (
            r"(verdens|markedets|branchens|danmarks) (aller )?bedste",
            r"bedste arbejdsplads\w*",
            r"exceptionel\w*",
            r"fænomenal\w*",
            r"kæmpe-?god\w*",
            r"kæmpe god\w*",
            r"super-?god\w*",
            r"super god\w*",
        ),
        "en": (
            r"world[- ]class",
            r"best[- ]in[- ]class",
            r"(industry|market)[- ]leading",
            r"best employer",
            r"amazing",
            r"outstanding",
            r"exceptional",
            r"fantastic",
            r"incredible",
            r"phenomenal",
            r"unparalleled",
            r"second to none",
            r"unbeatable",
            r"dream (job|employer|workplace)",
            r"perfect",
        ),
    },
}

# Degree adverb + positive adjective ("svært attraktiv", "veldig god lønn", "extremely competitive").
_DEGREE = (
    r"veldig|svært|særdeles|særs|ekstremt|utrolig|utruleg|meget|enormt|virkelig|mycket|väldigt|extremt"
    r"|otroligt|oerhört|synnerligen|riktigt|utroligt|rigtig|vildt|very|extremely|incredibly|highly|truly"
    r"|really|exceptionally|remarkably|super"
)
_POSITIVE = (
    r"god|gode|bra|attraktiv\w*|konkurranse\w*|konkurrens\w*|konkurrence\w*|spennende|spanande|spännande"
    r"|spændende|fleksib\w*|flexib\w*|generøs\w*|generös\w*|raus\w*|inkluder\w*|trivelig\w*|trevlig\w*"
    r"|hyggelig\w*|fornøyd\w*|nøgd\w*|nöjd\w*|tilfreds\w*|sterk\w*|stark\w*|stærk\w*|solid\w*|flott\w*|flot"
    r"|good|great|attractive|competitive|exciting|flexible|generous|inclusive|positive|satisfied|strong"
    r"|excellent|well[- ]paid|rewarding|supportive|fair|high"
)


def _close_paren(f: str, i: int) -> int:
    """Index of the ``)`` closing the group opened at ``f[i]``."""
    depth, j, in_class = 0, i, False
    while j < len(f):
        ch = f[j]
        if ch == "\\":
            j += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return j
        j += 1
    raise ValueError(f"unbalanced group in {f!r}")


def _split_top(inner: str) -> list[str]:
    parts, depth, cur, j, in_class = [], 0, [], 0, False
    while j < len(inner):
        ch = inner[j]
        if ch == "\\":
            cur.append(inner[j : j + 2])
            j += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append("".join(cur))
            cur = []
            j += 1
            continue
        cur.append(ch)
        j += 1
    parts.append("".join(cur))
    return parts


def _expand_lead(f: str) -> list[str]:
    """Expand leading groups so that every fragment starts with a literal: "(vi|jeg) har" → two."""
    if not f.startswith("("):
        return [f]
    j = _close_paren(f, 0)
    inner = f[3:j] if f.startswith("(?:") else f[1:j]
    rest = f[j + 1 :]
    out: list[str] = []
    if rest[:1] in ("?", "*"):
        rest = rest[1:]
        out.extend(_expand_lead(rest.lstrip(" ")))
    for alt in _split_top(inner):
        out.extend(_expand_lead(alt + rest))
    return out


_LEAD = re.compile(r"[^\W\d_]+")


def _lead_key(f: str) -> str | None:
    """The token key a fragment can start at: first 3 letters, a whole short word, "#" for digits."""
    if f.startswith("\\d"):
        return "#"
    m = _LEAD.match(f)
    if not m:
        return None
    lit, nxt = m.group(0), f[m.end() : m.end() + 1]
    if nxt in ("?", "*", "{"):
        lit = lit[:-1]
    if len(lit) >= 3:
        return lit[:3]
    if lit and (nxt in ("", " ", ",", "'", "-", ".", ":", "!") or f[m.end() : m.end() + 2] in ("('", "( ")):
        return lit  # a whole short word ("vi", "we" in "we('ll| will)")
    return None


_WORD = re.compile(r"\w+")
_WORD3 = re.compile(r"(?<!\w)\w{1,3}")  # the key of every word: its first three characters


@functools.lru_cache(maxsize=256)
def _index(text: str) -> dict[str, list[int]]:
    """Token key → word-start positions, once per text."""
    idx: dict[str, list[int]] = {}
    for m in _WORD3.finditer(text):
        key = m.group(0)
        if key[0] in "0123456789":
            key = "#"
        if key in idx:
            idx[key].append(m.start())
        else:
            idx[key] = [m.start()]
    return idx


class _Matcher:
    r"""A phrase list compiled for speed: one small alternation per leading-token key, tried only at
    word starts whose first letters match (Python's ``re`` has no trie for big alternations, and a
    single union of a few hundred phrases costs ~100 µs per text; this costs a few µs).

    Texts must already be lower-cased (``_norm``). Semantics = ``(?<!\w)(?:alts)(?!\w)``,
    leftmost match first, non-overlapping.
    """

    def __init__(self, fragments: Iterable[str], *, suffix: str = r"(?!\w)") -> None:
        groups: dict[str | None, set[str]] = {}
        for frag in fragments:
            for e in _expand_lead(frag):
                groups.setdefault(_lead_key(e), set()).add(e.replace(" ", r",?\s+"))
        self._by_key: dict[str, re.Pattern[str]] = {}
        self._always: re.Pattern[str] | None = None
        for key, alts in groups.items():
            body = "(?:" + "|".join(sorted(alts, key=len, reverse=True)) + ")" + suffix
            if key is None:
                self._always = re.compile(r"(?<!\w)" + body)
            else:
                self._by_key[key] = re.compile(body)
        self._keys = frozenset(self._by_key)

    def finditer(self, text: str) -> list[re.Match[str]]:
        idx = _index(text)
        found: list[re.Match[str]] = []
        for key in self._keys.intersection(idx):
            rx = self._by_key[key]
            for pos in idx[key]:
                if (m := rx.match(text, pos)) is not None:
                    found.append(m)
        if self._always is not None:
            found.extend(self._always.finditer(text))
        if len(found) < 2:
            return found
        out, end = [], -1
        for m in sorted(found, key=lambda m: (m.start(), -m.end())):
            if m.start() >= end:
                out.append(m)
                end = m.end()
        return out

    def search(self, text: str) -> re.Match[str] | None:
        idx = _index(text)
        best: re.Match[str] | None = None
        for key in self._keys.intersection(idx):
            rx = self._by_key[key]
            for pos in idx[key]:
                if best is not None and pos >= best.start():
                    break
                if (m := rx.match(text, pos)) is not None:
                    best = m
                    break
        if (
            self._always is not None
            and (m := self._always.search(text)) is not None
            and (best is None or m.start() < best.start())
        ):
            best = m
        return best

    def sub(self, repl: Callable[[re.Match[str]], str], text: str) -> str:
        parts, last = [], 0
        for m in self.finditer(text):
            parts.append(text[last : m.start()])
            parts.append(repl(m))
            last = m.end()
        parts.append(text[last:])
        return "".join(parts)


_RX: dict[str, _Matcher] = {
    cat: _Matcher(p for phrases in by_lang.values() for p in phrases) for cat, by_lang in LEXICON.items()
}
_RX["degree_positive"] = _Matcher([rf"(?:{_DEGREE}) (?:\w+ )?(?:{_POSITIVE})"])
_EMAIL = re.compile(r"(?<![\w.])([\w.+-]+)@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\w)(?:\+\d{2} ?)?\d{2} ?\d{2} ?\d{2} ?\d{2}(?!\w)")
_GENERIC_MAILBOX = frozenset(
    "post hr kontakt contact info jobb jobs job careers career karriere rekruttering recruitment kundeservice "
    "support noreply no-reply personal personell hello hei hej mail people talent ansatt team office".split()
)
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
_NOT_NAMES = frozenset(
    "oss os vi us we hr team teamet the alle all hilsen regards kundeservice personalavdelingen hr-avdelingen "
    "ledelsen ledningen ledelsen company firma selskapet bedriften meg mig me deg dig you gjerne gärna gerne "
    "direkte directly".split()
)

_TOKEN = re.compile(r"[^\W\d_]+", re.UNICODE)
_SHINGLE_TOKEN = re.compile(r"\w+", re.UNICODE)
_STOP = frozenset(
    # nb / nn
    "og i det som en et er på til av for med har de ikke jeg vi du at den å seg var men om så kan man hun han "
    "deg dem meg min mitt mine din ditt dine sin sitt sine vår vårt våre deres hans hennes oss dere fra ut "
    "opp når nå også bare etter før over under mot hos hvor hva hvem hvorfor hvordan denne dette disse her "
    "der da eller enn skal vil kunne må ville skulle ble blir blitt være vært hadde få fått får gjør gjøre "
    "gjort noe noen ingen alle hele mye mange mer mest litt veldig svært helt ganske jo nok sånn slik "
    "eg ikkje ein eit ei me dei kva kven korleis kvifor berre òg vere vore hjå frå mykje noko nokon "
    # sv
    "och att det som en ett är på till av för med har de inte jag vi du den sig var men om så kan man hon "
    "han dig dem mig min mitt mina din ditt dina sin sitt sina vår vårt våra deras hans hennes oss er från "
    "ut upp när nu också bara efter före över under mot hos var vad vem varför hur denna detta dessa här "
    "där då eller än ska vill kunna måste skulle blev blir blivit vara varit hade få fått får gör göra "
    "gjort något några ingen alla hela mycket många mer mest lite väldigt helt ganska ju nog sådan "
    # da
    "og i det som en et er på til af for med har de ikke jeg vi du at den sig var men om så kan man hun "
    "han dig dem mig min mit mine din dit dine sin sit sine vores deres hans hendes os jer fra ud op når "
    "nu også bare efter før over under mod hos hvor hvad hvem hvorfor hvordan denne dette disse her der da "
    "eller end skal vil kunne må ville skulle blev bliver blevet være været havde få fået får gør gøre "
    "gjort noget nogen ingen alle hele meget mange mere mest lidt helt ret jo nok sådan "
    # en
    "the a an and or but of to in on at for with from by about as is are was were be been being have has "
    "had do does did not no it its this that these those there here i me my we us our you your he him his "
    "she her they them their what which who whom why how when where all any both each more most other some "
    "such only own same so than too very can will just should now also get got would could one"
    # generic employer/complaint/reply words that do not show a specific point was addressed
    " arbeidsgiver arbeidsgjevar arbetsgivare arbejdsgiver employer firma firmaet selskap selskapet bedrift "
    "bedriften company företag företaget virksomhed jobb job jobbe jobber work arbeid arbete arbejde "
    "takk tack tak thanks thank tilbakemelding tilbakemeldingen tilbakemeldinga feedback återkoppling "
    "beklager beklagar sorry hilsen hälsningar regards hei hej hello dear kjære".split()
)
_SUFFIXES = tuple(
    sorted(
        set(
            "erne erna arna orna ene ane heten heter ande ende ingen inga ingar inger ing ene ens ets het ert "
            "ede est ers er en et ar or na ne te de s e a ly ed es".split()
        ),
        key=len,
        reverse=True,
    )
)
_FOLD = str.maketrans({"æ": "e", "ä": "e", "ø": "o", "ö": "o", "å": "a", "é": "e", "ü": "u"})
_DOUBLE = re.compile(r"(\w)\1+")


@functools.lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    """Light cross-Scandinavian/English stem: strip one inflectional suffix, fold æøåäö, undouble."""
    for suf in _SUFFIXES:
        if word.endswith(suf) and len(word) - len(suf) >= 3:
            word = word[: -len(suf)]
            break
    return _DOUBLE.sub(r"\1", word.translate(_FOLD))


# Cross-language aspects for "addresses the specific points". Stems are prefixes (\w* appended).
ASPECTS: dict[str, tuple[str, ...]] = {
    "pay": (
        "lønn",
        "løn",
        "lön",
        "salar",
        "pay",
        "wage",
        "betal",
        "utbetal",
        "udbetal",
        "bonus",
        "pensjon",
        "pension",
        "overtidsbetal",
        "feriepeng",
        "semesterersättning",
        "lønseddel",
        "lønnsslipp",
        "payslip",
        "ob-tillegg",
        "tillegg",
        "tillägg",
    ),
    "hours": (
        "overtid",
        "övertid",
        "overtime",
        "arbeidstid",
        "arbetstid",
        "arbejdstid",
        "working hours",
        "turnus",
        "vakt",
        "skift",
        "shift",
        "schema",
        "vaktplan",
        "arbeidsmengd",
        "arbetsbelastning",
        "workload",
        "stress",
        "bemanning",
        "underbeman",
        "understaff",
        "travelt",
        "press",
    ),
    "management": (
        "ledelse",
        "ledels",
        "leder",
        "leiar",
        "leiing",
        "sjef",
        "chef",
        "ledning",
        "mellomleder",
        "management",
        "manager",
        "boss",
        "supervisor",
    ),
    "recruitment": (
        "søknad",
        "ansøgning",
        "ansökan",
        "application",
        "intervju",
        "interview",
        "samtale",
        "rekrutter",
        "rekryter",
        "recruit",
        "kandidat",
        "candidate",
        "stillingsannonse",
        "job ad",
        "ghost",
        "applicant",
        "søker",
    ),
    "environment": (
        "arbeidsmiljø",
        "arbetsmiljö",
        "arbejdsmiljø",
        "environment",
        "kultur",
        "culture",
        "kollega",
        "colleague",
        "mobbing",
        "mobbning",
        "bullying",
        "trakasser",
        "harass",
        "trivsel",
    ),
    "safety": (
        "hms",
        "sikkerhet",
        "säkerhet",
        "sikkerhed",
        "safety",
        "verneutstyr",
        "skyddsutrustning",
        "ulykke",
        "olycka",
        "ulykke",
        "accident",
        "injur",
        "skade",
    ),
    "training": (
        "opplæring",
        "opplæring",
        "oplæring",
        "upplärning",
        "utbildning",
        "onboarding",
        "training",
        "introduksjon",
        "introduktion",
        "mentor",
    ),
    "contract": (
        "kontrakt",
        "contract",
        "oppsigelse",
        "oppseiing",
        "uppsägning",
        "opsigelse",
        "dismiss",
        "fired",
        "layoff",
        "laid off",
        "nedbemanning",
        "permitter",
        "midlertidig",
        "temporary",
        "vikar",
        "ansettelse",
        "anställning",
        "ansættelse",
        "fast stilling",
        "fast ansett",
    ),
    "flexibility": (
        "hjemmekontor",
        "remote",
        "distansarbete",
        "hjemmearbejde",
        "fleksib",
        "flexib",
        "hybrid",
        "work from home",
    ),
    "wellbeing": (
        "sykemeld",
        "sjukmeld",
        "sjukskriv",
        "sygemeld",
        "sick leave",
        "utbrent",
        "utbränd",
        "burnout",
        "burn-out",
        "helse",
        "hälsa",
        "health",
    ),
}
_ASPECT_OF: dict[str, str] = {stem: a for a, stems in ASPECTS.items() for stem in stems}
_ASPECT_MATCHER = _Matcher((re.escape(x).replace(r"\ ", " ") for x in _ASPECT_OF), suffix="")


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _norm(text: str) -> str:
    t = unicodedata.normalize("NFC", text)
    return t.translate({0x2019: "'", 0x2018: "'", 0x00B4: "'", 0x0060: "'"}).lower()


def _find(cat: str, text: str) -> str | None:
    m = _RX[cat].search(text)
    return m.group(0) if m else None


def _blank(cat: str, text: str) -> tuple[str, str | None]:
    """Remove every match of ``cat`` from ``text`` (so a longer, weaker phrase hides its sub-phrase)."""
    first: str | None = None

    def repl(m: re.Match[str]) -> str:
        nonlocal first
        if first is None:
            first = m.group(0)
        return " " * len(m.group(0))

    return _RX[cat].sub(repl, text), first


def _q(s: str) -> str:
    return "'" + " ".join(s.split()) + "'"


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


def _content_stems(norm_text: str) -> set[str]:
    stems = {_stem(w) for w in set(_TOKEN.findall(norm_text)) - _STOP if len(w) >= 3}
    return {s for s in stems if len(s) >= 3}


def _aspects(norm_text: str) -> set[str]:
    return {_ASPECT_OF[" ".join(m.group(0).split())] for m in _ASPECT_MATCHER.finditer(norm_text)}


# --------------------------------------------------------------------------------------------
# Templates: word-bigram shingles, exact Jaccard, MinHash + LSH for batches
# --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=131072)
def shingles(text: str) -> frozenset[str]:
    """Word-bigram shingles of a normalised reply (digits folded to 0, so dates/ids do not matter)."""
    toks = [re.sub(r"\d", "0", t) for t in _SHINGLE_TOKEN.findall(_norm(text))]
    if len(toks) < 2:
        return frozenset(toks)
    return frozenset(f"{a} {b}" for a, b in itertools.pairwise(toks))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


_BANDS, _ROWS = 8, 3
_MASKS = [random.Random(17052024 + i).getrandbits(32) for i in range(_BANDS * _ROWS)]
_REPS_PER_BUCKET = 16


def _h32(s: str) -> int:
    return (zlib.crc32(s.encode("utf-8")) * 0x9E3779B1) & 0xFFFFFFFF


def mark_templates(
    replies: Sequence[str], *, threshold: float = TEMPLATE_THRESHOLD, min_copies: int = TEMPLATE_MIN_COPIES
) -> list[bool]:
    """True for each reply that belongs to a group of >= ``min_copies`` near-identical replies.

    Near-identical = Jaccard similarity of word-bigram sets >= ``threshold`` (greeting names, dates
    and case numbers change a few bigrams only). Candidates come from MinHash LSH (8 bands × 3 rows;
    a pair at Jaccard 0.6 becomes a candidate with p ≈ 0.86 per pair, at 0.8 with p ≈ 0.996), each
    candidate is verified exactly against up to 16 representatives per bucket, and groups are closed
    transitively (union-find). Linear in the number of replies.
    """
    n = len(replies)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)

    sets = [shingles(r) for r in replies]
    exact: dict[frozenset[str], int] = {}
    buckets: dict[tuple[int, ...], list[int]] = {}
    for i, s in enumerate(sets):
        if not s:
            continue
        first = exact.setdefault(s, i)
        if first != i:
            union(i, first)
            continue
        hs = [_h32(x) for x in s]
        sig = [min(map(m.__xor__, hs)) for m in _MASKS]
        for b in range(_BANDS):
            key = (b, *sig[b * _ROWS : (b + 1) * _ROWS])
            reps = buckets.setdefault(key, [])
            for r in reps:
                if jaccard(s, sets[r]) >= threshold:
                    union(i, r)
                    break
            else:
                if len(reps) < _REPS_PER_BUCKET:
                    reps.append(i)
    size: dict[int, int] = {}
    roots = [find(i) for i in range(n)]
    for r in roots:
        size[r] = size.get(r, 0) + 1
    return [bool(sets[i]) and size[roots[i]] >= min_copies for i in range(n)]


# --------------------------------------------------------------------------------------------
# Components
# --------------------------------------------------------------------------------------------


def _acknowledge(reply: str) -> Component:
    thanks, ack = _find("thanks", reply), _find("acknowledge", reply)
    value = 0.5 * (thanks is not None) + 0.5 * (ack is not None)
    parts = [
        f"thanks {_q(thanks)}" if thanks else "no thanks",
        f"acknowledges {_q(ack)}" if ack else "does not acknowledge the problem",
    ]
    return Component(value, WEIGHTS["acknowledge"], "; ".join(parts))


def _empathy(criticism: str, reply: str) -> Component:
    fault = _find("fault", criticism)
    rest, faux = _blank("fauxpology", reply)
    apology, empathy = _find("apology", rest), _find("empathy", rest)
    w = WEIGHTS["empathy"]
    need = f"company at fault ({_q(fault)} in the criticism)" if fault else "no company fault signalled"
    if apology:
        return Component(1.0, w, f"apology {_q(apology)}; {need}")
    if empathy:
        v = 0.6 if fault else 1.0
        return Component(
            v, w, f"empathy {_q(empathy)} but no apology; {need}" if fault else f"empathy {_q(empathy)}"
        )
    if faux:
        return Component(0.3, w, f"conditional apology {_q(faux)} (apologises for the critic's feelings)")
    return Component(0.0, w, f"no empathy or apology; {need}")


def _account(reply: str) -> Component:
    w = WEIGHTS["account"]
    blame = _find("blame", reply)
    if blame:
        return Component(0.0, w, f"blames the critic: {_q(blame)}")
    expl = _find("explain", reply)
    if expl:
        return Component(1.0, w, f"explains: {_q(expl)}")
    return Component(0.0, w, "no explanation of what happened")


def _action(reply: str) -> Component:
    w = WEIGHTS["action"]
    rest, vague = _blank("vague_action", reply)
    act, when = _find("action", rest), _find("timebound", rest)
    if act and when:
        return Component(1.0, w, f"concrete action {_q(act)} with a time frame {_q(when)}")
    if act:
        return Component(0.8, w, f"concrete action {_q(act)} (no time frame)")
    if when:
        return Component(0.5, w, f"a time frame {_q(when)} but no concrete action verb")
    if vague:
        return Component(0.35, w, f"only a vague promise {_q(vague)}")
    return Component(0.0, w, "no next step or corrective action")


def _named_contact(original: str, norm: str) -> str | None:
    for m in _EMAIL.finditer(norm):
        local = m.group(1)
        if local not in _GENERIC_MAILBOX and local.split(".")[0] not in _GENERIC_MAILBOX:
            return m.group(0)
    if (intro := _find("self_intro", norm)) is not None:
        return intro
    for rx in (_SIGNOFF, _CONTACT_NAME):
        for m in rx.finditer(original):
            name = next(g for g in m.groups() if g)
            if name.split()[0].lower() not in _NOT_NAMES and not name.lower().endswith(("team", "teamet")):
                return name
    return None


def _private_channel(criticism: str, original_reply: str, reply: str) -> Component:
    w = WEIGHTS["private_channel"]
    personal = _find("personal_details", criticism)
    channel = _find("channel", reply)
    if channel is None:
        m = _EMAIL.search(reply) or _PHONE.search(reply)
        channel = m.group(0) if m else None
    contact = _named_contact(original_reply, reply) if channel else None
    if not personal:
        ev = "no personal details in the criticism"
        if channel:
            ev += f"; offers {_q(channel)}" + (f" with {_q(contact)}" if contact else "")
        return Component(1.0, w, ev, applicable=False)
    why = f"personal details in the criticism ({_q(personal)})"
    if channel and contact:
        return Component(1.0, w, f"{why}; private channel {_q(channel)} with a named contact {_q(contact)}")
    if channel:
        return Component(0.5, w, f"{why}; private channel {_q(channel)} but no named contact")
    return Component(0.0, w, f"{why}; not moved to a private channel")


def _personal(reply: str, other_replies: Sequence[str], template: bool | None) -> Component:
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


def _specific(criticism: str, reply: str) -> Component:
    w = WEIGHTS["specific"]
    c_stems = _content_stems(criticism)
    if not c_stems:
        return Component(1.0, w, "criticism has no content words to address", applicable=False)
    shared = sorted(c_stems & _content_stems(reply))
    term = min(1.0, len(shared) / min(3, len(c_stems)))
    c_asp = _aspects(criticism)
    ev_terms = f"shared terms {shared[:6]}" if shared else "no shared content words"
    if c_asp:
        covered = sorted(c_asp & _aspects(reply))
        asp = len(covered) / len(c_asp)
        value = 0.5 * asp + 0.5 * term
        return Component(value, w, f"aspects {covered or 'none'} of {sorted(c_asp)}; {ev_terms}")
    return Component(term, w, ev_terms)


def _tone(reply: str, reply_negative_prob: float | None) -> Component:
    w = WEIGHTS["tone"]
    bad = _find("defensive", reply)
    if bad:
        return Component(0.0, w, f"defensive/dismissive: {_q(bad)}")
    if reply_negative_prob is not None and reply_negative_prob >= NEGATIVE_BOUND:
        return Component(
            0.3, w, f"reply reads as negative (p_negative {reply_negative_prob:.2f} ≥ {NEGATIVE_BOUND})"
        )
    if reply_negative_prob is None:
        return Component(1.0, w, "no defensive phrasing (sentiment not given)")
    return Component(1.0, w, f"no defensive phrasing; p_negative {reply_negative_prob:.2f}")


def _modesty(reply: str) -> Component:
    w = WEIGHTS["modesty"]
    hits = [m.group(0) for m in _RX["superlative"].finditer(reply)]
    hits += [m.group(0) for m in _RX["degree_positive"].finditer(reply)]
    n = len(hits)
    value = (1.0, 0.6, 0.25)[n] if n < 3 else 0.0
    if not n:
        return Component(value, w, "no overselling")
    return Component(value, w, f"overselling ({n}): " + ", ".join(_q(h) for h in hits[:5]))


def _length(reply: str) -> Component:
    w = WEIGHTS["length"]
    n = len(_SHINGLE_TOKEN.findall(reply))
    if n < LENGTH_MIN:
        return Component(0.0, w, f"too short: {n} words")
    if n < LENGTH_IDEAL_LO:
        return Component((n - LENGTH_MIN) / (LENGTH_IDEAL_LO - LENGTH_MIN), w, f"short: {n} words")
    if n <= LENGTH_IDEAL_HI:
        return Component(1.0, w, f"{n} words")
    if n < LENGTH_MAX:
        return Component((LENGTH_MAX - n) / (LENGTH_MAX - LENGTH_IDEAL_HI), w, f"long: {n} words")
    return Component(0.0, w, f"too long: {n} words")


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
    """Score one reply to one criticism. See the module docstring and docs/response-quality.md.

    ``other_replies``: the company's other replies (excluding this one) for template detection, or
    pass ``template`` from :func:`mark_templates` instead (it wins when given).
    ``reply_negative_prob``: the reply's own negative-class probability from the sentiment model.
    """
    c, r = _norm(criticism), _norm(reply)
    lv, lev, lapp = language_match(criticism_lang, reply_lang)
    comps: dict[str, Component] = {
        "acknowledge": _acknowledge(r),
        "empathy": _empathy(c, r),
        "account": _account(r),
        "action": _action(r),
        "private_channel": _private_channel(c, reply, r),
        "personal": _personal(reply, other_replies, template),
        "specific": _specific(c, r),
        "language": Component(lv, WEIGHTS["language"], lev, lapp),
        "tone": _tone(r, reply_negative_prob),
        "modesty": _modesty(r),
        "length": _length(reply),
    }
    score = round(sum(x.points for x in comps.values()), 1)
    return QualityResult(score=max(0.0, min(100.0, score)), components=comps)


def component_table(result: QualityResult) -> Mapping[str, float]:
    """Points per component (for reports)."""
    return {k: round(v.points, 2) for k, v in result.components.items()}
