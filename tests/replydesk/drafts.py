"""Drafts for the advice tests, written by us: per language a criticism (pay, company at fault,
personal details) and the sentences of a good reply, which the poor drafts leave out or spoil."""

from __future__ import annotations

CRITICISM = {
    "nb": "Overtiden min ble aldri utbetalt, og lederen min har ikke svart på spørsmålet om lønnsslippen.",
    "nn": "Overtida mi vart aldri utbetalt, og leiaren min har ikkje svart på spørsmålet om lønsslippen.",
    "sv": "Min övertid har aldrig blivit utbetald, och min chef har inte svarat på frågan om lönebeskedet.",
    "da": "Mit overarbejde blev aldrig udbetalt, og min leder har ikke svaret på spørgsmålet om lønsedlen.",
    "en": "My overtime was never paid, and my manager has not answered my question about the payslip.",
}

# thanks, acknowledge, apology, explanation, action with a time frame, a named private contact
PARTS = {
    "nb": {"thanks": "Takk for at du sier ifra.",
           "ack": "Du har rett i at overtiden skulle vært utbetalt, og at lederen din skulle ha svart deg.",
           "apology": "Vi beklager.",
           "explain": "Feilen skyldes at timene ble registrert i feil system.",
           "action": "Vi har nå rettet registreringen, og overtiden blir etterbetalt innen fredag.",
           "contact": "Send meg gjerne en e-post på kari.nordmann@fjordlys.no. Hilsen Kari Nordmann"},
    "nn": {"thanks": "Takk for at du tek dette opp.",
           "ack": "Du har rett i at overtida skulle vore utbetalt, og at leiaren din skulle ha svart deg.",
           "apology": "Vi beklagar.",
           "explain": "Feilen kom fordi timane vart registrerte i feil system.",
           "action": "Vi har no retta registreringa, og overtida vert etterbetalt innan fredag.",
           "contact": "Send meg gjerne ein e-post på ingrid.haugland@fjordlys.no. Helsing Ingrid Haugland"},
    "sv": {"thanks": "Tack för att du hör av dig.",
           "ack": "Du har rätt i att övertiden skulle ha betalats ut och att din chef borde ha svarat dig.",
           "apology": "Vi ber om ursäkt.",
           "explain": "Felet berodde på att timmarna registrerades i fel system, eftersom rutinen var otydlig.",
           "action": "Vi har nu rättat registreringen, och övertiden betalas ut senast fredag.",
           "contact": "Skicka gärna ett mejl till anna.lindqvist@fjordlys.se. Hälsningar Anna Lindqvist"},
    "da": {"thanks": "Tak for din henvendelse.",
           "ack": "Du har ret i, at overarbejdet skulle have været udbetalt, og at din leder burde have svaret dig.",
           "apology": "Vi beklager.",
           "explain": "Fejlen skyldes, at timerne blev registreret i det forkerte system.",
           "action": "Vi har nu rettet registreringen, og overarbejdet bliver udbetalt senest fredag.",
           "contact": "Send mig gerne en mail på mette.jensen@fjordlys.dk. Venlig hilsen Mette Jensen"},
    "en": {"thanks": "Thank you for raising this.",
           "ack": "You're right that your overtime should have been paid and that your manager should have answered you.",
           "apology": "We apologise.",
           "explain": "This happened because the hours were recorded in the wrong system.",
           "action": "We have corrected the records and will pay the overtime by Friday.",
           "contact": "Please email me at sarah.collins@fjordlys.com. Kind regards, Sarah Collins"},
}

# what spoils a part, per language
SPOIL = {
    "nb": {"no_time_frame": "Vi har nå rettet registreringen av overtiden.",
           "vague": "Vi tar det med oss videre når det gjelder overtiden.",
           "generic_contact": "Send oss en melding på hr@fjordlys.no.",
           "oversell": "Vi er verdens beste arbeidsgiver med fantastiske betingelser.",
           "blame": "Hadde du lest kontrakten, ville du visst hvordan overtid føres.",
           "defensive": "Men det er ikke riktig at lederen ikke svarer."},
    "nn": {"no_time_frame": "Vi har no retta registreringa av overtida.",
           "vague": "Vi tek det med oss vidare når det gjeld overtida.",
           "generic_contact": "Send oss ei melding på hr@fjordlys.no.",
           "oversell": "Vi er verdas beste arbeidsgjevar med framifrå vilkår.",
           "blame": "Viss du hadde lese kontrakten, ville du visst korleis overtid vert ført.",
           "defensive": "Men det er ikkje rett at leiaren ikkje svarar."},
    "sv": {"no_time_frame": "Vi har nu rättat registreringen av övertiden.",
           "vague": "Vi tar det till oss när det gäller övertiden.",
           "generic_contact": "Skicka ett mejl till hr@fjordlys.se.",
           "oversell": "Vi är marknadens bästa arbetsgivare med fantastiska villkor.",
           "blame": "Om du hade läst avtalet skulle du veta hur övertid registreras.",
           "defensive": "Men det stämmer inte att chefen inte svarar."},
    "da": {"no_time_frame": "Vi har nu rettet registreringen af overarbejdet.",
           "vague": "Vi tager det med os videre, når det gælder overarbejdet.",
           "generic_contact": "Send os en mail på hr@fjordlys.dk.",
           "oversell": "Vi er markedets bedste arbejdsplads med fænomenale vilkår.",
           "blame": "Hvis du havde læst kontrakten, ville du vide, hvordan overarbejde registreres.",
           "defensive": "Men det passer ikke, at lederen ikke svarer."},
    "en": {"no_time_frame": "We have corrected the way your overtime is recorded.",
           "vague": "We will look into it as far as the overtime goes.",
           "generic_contact": "Send us a message at hr@fjordlys.com.",
           "oversell": "We are a world-class, industry-leading employer.",
           "blame": "If you had read your contract you would know how overtime is recorded.",
           "defensive": "But that's simply not true about your manager."},
}

# a reply the company has sent many times (a template), per language
TEMPLATE = {
    "nb": "Hei {name}, takk for tilbakemeldingen. Vi tar alle henvendelser på alvor og ser på saken. Ta gjerne kontakt med oss på hr@fjordlys.no for en prat.",
    "nn": "Hei {name}, takk for tilbakemeldinga. Vi tek alle førespurnader på alvor og ser på saka. Ta gjerne kontakt med oss på hr@fjordlys.no for ein prat.",
    "sv": "Hej {name}, tack för din återkoppling. Vi tar alla synpunkter på allvar och ser över ärendet. Hör gärna av dig till oss på hr@fjordlys.se för ett samtal.",
    "da": "Hej {name}, tak for din feedback. Vi tager alle henvendelser alvorligt og ser på sagen. Kontakt os gerne på hr@fjordlys.dk for en snak.",
    "en": "Hi {name}, thank you for your feedback. We take every comment seriously and are looking into the matter. Feel free to contact us at hr@fjordlys.com for a chat.",
}


def good(lang: str) -> str:
    return " ".join(PARTS[lang].values())


def without(lang: str, *names: str, extra: str = "", replace: dict[str, str] | None = None) -> str:
    parts = {k: (replace or {}).get(k, v) for k, v in PARTS[lang].items() if k not in names}
    return " ".join([*parts.values(), extra]).strip()
