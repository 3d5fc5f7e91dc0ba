"""Rykte's pipeline: store, ingest, analysis, responses, alerts, reports, scheduler and CLI.

Library first: the CLI (`pipeline.cli`) and the service (`pipeline.service`) are thin layers over
these modules. Nothing here runs at import time.
"""

__version__ = "0.1.0"
