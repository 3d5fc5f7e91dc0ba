"""Alert channels: one apprise notifier per configured URL, and apprise's failures put into words.

Apprise is the boundary to every channel (mailto://, slack://, workflows:// for Teams, json://, …).
Its errors are translated here: an invalid URL becomes an `InputError` naming the config key
`alerts.channels[i].url` (never the URL, which may hold a password), and a failed send becomes the
useful lines of apprise's own log with anything that looks like a secret replaced by `***`, so that
`alert_outbox.last_error` tells the user why without leaking credentials.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl, unquote, urlsplit

import apprise

from pipeline.config.model import AlertsConfig
from pipeline.errors import InputError

ERROR_LIMIT = 1000


def _apprise_asset() -> apprise.AppriseAsset:
    # memory: apprise keeps no state files in the user's home directory
    return apprise.AppriseAsset(app_id="Rykte", storage_mode="memory")


def _scheme(url: str) -> str:
    m = re.match(r"^\s*([A-Za-z][A-Za-z0-9+.-]*)://", url)
    return f"{m.group(1)}://" if m else "(no scheme)"


def build_notifiers(cfg: AlertsConfig) -> dict[str, apprise.Apprise]:
    """channel name → its own `apprise.Apprise` holding exactly its one URL.

    Raises InputError naming `alerts.channels[i].url` for a URL apprise does not accept.
    """
    notifiers: dict[str, apprise.Apprise] = {}
    for i, channel in enumerate(cfg.channels):
        where = f"alerts.channels[{i}].url (channel {channel.name!r})"
        if channel.name in notifiers:
            raise InputError(f"alerts.channels[{i}].name: duplicate channel name {channel.name!r}")
        ap = apprise.Apprise(asset=_apprise_asset())
        try:
            added = ap.add(channel.url)
        except Exception as exc:  # apprise normally returns False; be safe at the boundary
            raise InputError(f"{where}: not a valid apprise URL ({type(exc).__name__})") from None
        if not added or len(ap) == 0:
            raise InputError(
                f"{where}: not a valid apprise URL (scheme {_scheme(channel.url)}; "
                "e.g. mailto://user:pass@smtp.example.no?to=hr@example.no, json://host/path)"
            )
        if len(ap) != 1:
            raise InputError(
                f"{where}: holds {len(ap)} apprise URLs; use one channel per URL so a retry "
                "never repeats a delivery that already succeeded"
            )
        notifiers[channel.name] = ap
    return notifiers


def validate_channels(cfg: AlertsConfig) -> None:
    """Check every channel URL (for start-up and `rykte run`); raises InputError."""
    build_notifiers(cfg)


def _secrets(url: str) -> list[str]:
    """Parts of an apprise URL that may be secret, to keep them out of `last_error`."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return []
    found = []
    if parts.password:
        found.append(unquote(parts.password))
    found += [unquote(seg) for seg in parts.path.split("/") if len(seg) >= 8]
    for key, value in parse_qsl(parts.query):
        if re.search(r"pass|token|key|secret|sig|auth", key, re.I) and value:
            found.append(value)
    return sorted(set(found), key=len, reverse=True)


def failure_reason(log_text: str, url: str) -> str:
    """The useful lines of apprise's captured log (warnings, errors, exceptions, responses)."""
    keep: list[str] = []
    lines = log_text.splitlines()
    for i, line in enumerate(lines):
        level, _, message = line.partition(" ")
        if level in ("WARNING", "ERROR", "CRITICAL"):
            keep.append(message.strip())
        elif level == "DEBUG" and re.match(r"(Socket Exception|.*Exception:|Response Details)", message):
            text = message.strip()
            if text.startswith("Response Details") and i + 1 < len(lines):
                text += " " + lines[i + 1].strip()
            keep.append(text)
    reason = " | ".join(dict.fromkeys(k for k in keep if k)) or "apprise reported a failure without a reason"
    for secret in _secrets(url):
        reason = reason.replace(secret, "***")
    return reason[:ERROR_LIMIT]


def notify(ap: apprise.Apprise, title: str, body: str, url: str) -> tuple[bool, str]:
    """Send one message; (success, failure reason with secrets masked)."""
    with apprise.LogCapture(level=logging.DEBUG, fmt="%(levelname)s %(message)s") as captured:
        try:
            result = ap.notify(body=body, title=title, body_format=apprise.NotifyFormat.TEXT)
        except Exception as exc:  # apprise catches I/O errors itself; anything else is a bug there
            return False, f"apprise raised {type(exc).__name__}: {exc}"[:ERROR_LIMIT]
        ok = bool(result)  # a result object whose truth is success; never compare with True
        log_text = captured.getvalue()
    return ok, "" if ok else failure_reason(log_text, url)
