"""The entry point of a crawl process: tie its life to the service's, then run `scrapy crawl`.

    python -m pipeline.crawl.child <service-pid> crawl <type> -a job=... -s FEEDS=...

Why a wrapper: a crawl child used to outlive a killed service and keep writing into a staging file
the restarted service had already ingested and archived. Here, before Scrapy starts, the process
asks Linux to SIGKILL it when its parent dies (`prctl(PR_SET_PDEATHSIG)`), then checks that the
parent is still the service (it may have died between the fork and this line, in which case the
signal will never come). Doing it here, after exec, instead of in a `preexec_fn` keeps the
multi-threaded service free of code that runs between fork and exec.

Linux sends the signal when the *thread* that started the child ends; the runner waits for its
child on that same thread, so the thread outlives the child unless the whole service dies.
SIGKILL, not SIGTERM: with the service gone nobody will ingest what the crawl writes; its `.part`
file is cleaned up at the next start and, since the cursor was not stored, re-fetched then.

Scrapy is run by module name (`runpy`), so this module imports nothing of Scrapy itself.
"""

from __future__ import annotations

import ctypes
import os
import runpy
import signal
import sys

PR_SET_PDEATHSIG = 1
ORPHANED_EXIT = 75  # EX_TEMPFAIL: the service was gone before the crawl started


def die_with_parent(parent_pid: int) -> bool:
    """Ask for SIGKILL when the parent dies; False if it is already gone (or prctl is missing)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            return False
    return os.getppid() == parent_pid


def main(argv: list[str]) -> None:
    if len(argv) < 2 or not argv[0].isdigit():
        raise SystemExit("usage: python -m pipeline.crawl.child <service-pid> <scrapy arguments>")
    if not die_with_parent(int(argv[0])):
        os._exit(ORPHANED_EXIT)
    sys.argv = ["scrapy", *argv[1:]]
    runpy.run_module("scrapy", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
