"""Request, response and the per-platform route registry every handler module plugs into.

Kept apart from the platforms so that ``world.py`` (which builds a :class:`Req` and dispatches on
:data:`ROUTES`) and every platform module share one small, dependency-free vocabulary. Routes are
registered by the :func:`route` decorator when a platform module is imported; the package
``__init__`` imports them in a fixed order so each platform's route list is deterministic.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from pipeline.demo.posts import Content


@dataclass
class Req:
    method: str
    path: str  # below the platform prefix, always starting with "/"
    query: dict[str, list[str]]
    headers: Message
    body: bytes
    origin: str  # http://127.0.0.1:PORT
    prefix: str  # "/reddit"
    content: Content
    tokens: dict[str, str]

    @property
    def base(self) -> str:
        return self.origin + self.prefix

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def int_arg(self, name: str, default: int, lo: int = 0, hi: int = 10**9) -> int:
        try:
            value = int(self.arg(name) or default)
        except ValueError:
            value = default
        return max(lo, min(hi, value))


@dataclass
class Resp:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def jresp(obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> Resp:
    return Resp(status, json.dumps(obj, ensure_ascii=False).encode(), headers=headers or {})


def hresp(text: str, status: int = 200, ctype: str = "text/html; charset=utf-8") -> Resp:
    return Resp(status, text.encode(), content_type=ctype)


Handler = Callable[[Req, "re.Match[str]"], Resp]
ROUTES: dict[str, list[tuple[str, re.Pattern[str], Handler]]] = {}


def route(platform: str, pattern: str, method: str = "GET") -> Callable[[Handler], Handler]:
    def deco(fn: Handler) -> Handler:
        ROUTES.setdefault(platform, []).append((method, re.compile(pattern + r"\Z"), fn))
        return fn

    return deco
