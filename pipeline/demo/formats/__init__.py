"""Wire formats: each platform's real API paths and response shapes over the demo content.

Every handler gets a :class:`Req` (path *below* the platform prefix, query, headers) and returns a
:class:`Resp`. Routes are registered per platform with :func:`route` when a platform module is
imported; ``world.py`` dispatches on the first path segment (the source type) and then on
:data:`ROUTES`.

The platform modules are imported here explicitly, so importing this package registers every
route. Each platform's routes live in exactly one module and are tried in definition order (the
first match wins), so the match order is fixed whatever order the modules are imported in.
The names re-exported below are what ``world.py`` uses.
"""

from __future__ import annotations

from pipeline.demo.formats import (
    bluesky,
    graph_api,  # Facebook and Instagram
    hackernews,
    linkedin,
    mastodon,
    news,
    reddit,
    trustpilot,
    web,
)
from pipeline.demo.formats.bluesky import BSKY_SESSION_HANDLE
from pipeline.demo.formats.graph_api import graph_error
from pipeline.demo.formats.routing import ROUTES, Handler, Req, Resp, hresp, jresp, route

PLATFORM_MODULES = (reddit, hackernews, mastodon, bluesky, trustpilot, news, web, linkedin, graph_api)

__all__ = ["BSKY_SESSION_HANDLE", "PLATFORM_MODULES", "ROUTES", "Handler", "Req", "Resp", "graph_error", "hresp",
           "jresp", "route"]
