"""The one message catalogue: every text a person reads (dashboard, alerts, report), in nb and en.

Why one catalogue: the dashboard, the alert messages and the weekly report name the same things
(aspects, sentiments, outcomes, KPIs); written in three places they drift. Code uses English ids
(`aspect.pay`, `sentiment.negative`); `t(key, lang)` turns them into the reader's words.
The texts live in this package's YAML files (`common.yaml`, and one file per surface or taxonomy:
`aspects.yaml`, `dashboard.yaml`, `report.yaml`, `alerts.yaml`), one entry per key with an `nb` and
an `en` text; a key defined twice is an error, and a test checks that every entry has both languages
and that their `{placeholders}` agree. Numbers and dates are formatted with
Babel's CLDR data (`fmt_number`, `fmt_percent`), so a Norwegian page shows "10 000" and "12,5 %".

Why YAML and not gettext: two languages, keys rather than English source strings as ids, and no
compile step; Babel still does the locale-specific formatting where hand-written code goes wrong.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from importlib.resources import files
from typing import Literal

import yaml

Lang = Literal["nb", "en"]
LANGS: tuple[Lang, ...] = ("nb", "en")
_LOCALES = {"nb": "nb_NO", "en": "en_GB"}


class MissingMessage(KeyError):
    """A key that the catalogue does not hold (a programming error, caught by the tests)."""


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    """Flattened `{"aspect.pay": {"nb": ..., "en": ...}}` read once from the package's YAML files."""
    flat: dict[str, dict[str, str]] = {}
    sources = sorted((f for f in files(__package__).iterdir() if f.name.endswith(".yaml")), key=lambda f: f.name)
    for source in sources:
        raw = yaml.safe_load(source.read_text(encoding="utf-8")) or {}

        def walk(prefix: str, node: object, fname: str = source.name) -> None:
            if isinstance(node, dict) and node and set(node) <= set(LANGS):
                if prefix in flat:
                    raise ValueError(f"{fname}: {prefix}: defined twice in the catalogue")
                flat[prefix] = {k: str(v) for k, v in node.items()}
                return
            if not isinstance(node, dict):
                raise ValueError(f"{fname}: {prefix}: expected nb/en texts or a group")
            for k, v in node.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)

        walk("", raw)
    return flat


def language(lang: str | None) -> Lang:
    """`nb` for Norwegian (nn reads bokmål UI text), `en` for everything else we do not translate."""
    return "nb" if lang in ("nb", "nn", "no", None) else "en"


def t(key: str, lang: str | None = "nb", /, **values: object) -> str:
    """The text of `key` in `lang`, with `{placeholders}` filled from `values`."""
    entry = catalogue().get(key)
    if entry is None:
        raise MissingMessage(key)
    text = entry[language(lang)]
    return text.format(**values) if values else text


def has(key: str) -> bool:
    return key in catalogue()


def name(kind: str, ident: str | None, lang: str | None = "nb") -> str:
    """Display name of an id of a kind (`name("aspect", "pay", "en")` → "Pay"); unknown ids as given."""
    if ident is None:
        return t("common.none", lang)
    key = f"{kind}.{ident}"
    return t(key, lang) if key in catalogue() else str(ident)


def names(kind: str, lang: str | None = "nb") -> dict[str, str]:
    """Every id of a kind with its display name, in catalogue order."""
    prefix = f"{kind}."
    return {k[len(prefix):]: v[language(lang)] for k, v in catalogue().items()
            if k.startswith(prefix) and "." not in k[len(prefix):]}


def fmt_number(value: float | int | None, lang: str | None = "nb", digits: int = 0) -> str:
    """A number in the reader's locale ("10 000" in nb, "10,000" in en); "–" for none."""
    from babel.numbers import format_decimal

    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return str(format_decimal(value, format=pattern, locale=_LOCALES[language(lang)]))


def fmt_percent(value: float | None, lang: str | None = "nb", digits: int = 0) -> str:
    """A share 0..1 as a percentage in the reader's locale ("12 %" in nb, "12%" in en)."""
    from babel import Locale
    from babel.numbers import format_percent

    if value is None:
        return "–"
    locale = Locale.parse(_LOCALES[language(lang)])
    pattern = str(locale.percent_formats[None].pattern)  # the locale's own, e.g. "#,##0 %" in nb
    if digits:
        pattern = pattern.replace("0", "0." + "0" * digits, 1) if "0." not in pattern else pattern
    return str(format_percent(value, format=pattern, locale=locale))


def fmt_duration(hours: float | None, lang: str | None = "nb") -> str:
    """Hours in human units: "45 min", "5 h", "2 d 4 h" (nb: "2 d 4 t"); "–" for none."""
    if hours is None:
        return "–"
    minutes = round(abs(hours) * 60)
    if minutes < 60:
        return t("duration.minutes", lang, n=minutes)
    h = round(abs(hours))
    if h < 48:
        return t("duration.hours", lang, n=h)
    days, rest = divmod(h, 24)
    return t("duration.days_hours", lang, d=days, h=rest) if rest else t("duration.days", lang, d=days)


def fmt_date(value: date | datetime | None, lang: str | None = "nb", skeleton: str = "yMMMd") -> str:
    """A date in the reader's locale from a CLDR date skeleton: "yMMMd" → "22. nov. 2026" /
    "22 Nov 2026"; "MMMd" → "22. nov." / "22 Nov"; "–" for none."""
    from babel.dates import format_skeleton

    if value is None:
        return "–"
    return str(format_skeleton(skeleton, value, locale=_LOCALES[language(lang)]))


def fmt_period(first: date, last: date, lang: str | None = "nb") -> str:
    """An inclusive date range, shared parts written once: "16.–22. nov. 2026" / "16 – 22 Nov 2026"."""
    from babel.dates import format_interval

    return str(format_interval(first, last, "yMMMd", locale=_LOCALES[language(lang)]))
