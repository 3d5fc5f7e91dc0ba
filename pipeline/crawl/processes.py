"""The crawl processes a service (or one `rykte crawl`) has running, and ending them.

Why: a crawl child must never outlive the process that will ingest its output. Each child runs
in its own process group (`start_new_session=True`, so a Ctrl-C on the terminal reaches only the
service, which then decides), dies with its parent (`pipeline.crawl.child`), and is ended as a
group: SIGTERM first (Scrapy then closes the spider and its feed), SIGKILL after a grace period.

`CrawlProcesses` is shared by every thread that runs a crawl. `stop(grace)` is the shutdown: no new
crawl starts, running ones get SIGTERM, and whatever is left after `grace` seconds is killed. The
threads waiting on those children then see them exit and go on to ingest what was written.

The group is signalled while its leader is a zombie (`waitid(..., WNOWAIT)`), never after it was
reaped, so a reused pid can never make us signal somebody else's process group.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

log = logging.getLogger(__name__)
POLL_SECONDS = 0.1
TERM_GRACE_SECONDS = 10.0  # after SIGTERM (timeout of one crawl), before SIGKILL


class ShuttingDown(RuntimeError):
    """A crawl was asked to start while the service is stopping."""


def _exited(proc: subprocess.Popen[bytes]) -> bool:
    """True once the child has exited, without reaping it (its pid, the group id, stays taken)."""
    if proc.returncode is not None:
        return True
    try:
        info = os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:  # already reaped by someone else
        return True
    return info is not None and info.si_pid == proc.pid


def signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    """Send `sig` to the child's process group while the child is not yet reaped."""
    if proc.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


class CrawlProcesses:
    """Starts crawl children in their own process groups and ends them all on shutdown."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: set[subprocess.Popen[bytes]] = set()
        self.stopping = threading.Event()

    @property
    def running(self) -> list[int]:
        with self._lock:
            return sorted(p.pid for p in self._running)

    def start(self, args: Sequence[str], *, env: dict[str, str], cwd: Path, stderr: Path) -> subprocess.Popen[bytes]:
        """Start `python -m pipeline.crawl.child <our pid> <args>`; raises ShuttingDown when stopping."""
        cmd = [sys.executable, "-m", "pipeline.crawl.child", str(os.getpid()), *args]
        with self._lock:
            if self.stopping.is_set():
                raise ShuttingDown("the service is stopping: no new crawl")
            with stderr.open("wb") as err:
                proc = subprocess.Popen(cmd, env=env, cwd=str(cwd), stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
            self._running.add(proc)
        return proc

    def wait(self, proc: subprocess.Popen[bytes], timeout: float) -> tuple[int, bool]:
        """Wait for the child; after `timeout` s, end its group. Returns (exit code, timed out).

        Whatever the way out (exit, timeout, KeyboardInterrupt in this thread), the group is
        signalled once more with SIGKILL before the child is reaped, so nothing of it is left.
        """
        deadline = time.monotonic() + timeout
        timed_out = False
        try:
            while not _exited(proc):
                if time.monotonic() >= deadline and not timed_out:
                    timed_out = True
                    self._end(proc, TERM_GRACE_SECONDS)
                time.sleep(POLL_SECONDS)
        except BaseException:
            self._end(proc, 0)
            raise
        finally:
            with self._lock:  # `stop` signals under the same lock, so never a reaped (reusable) pid
                signal_group(proc, signal.SIGKILL)  # leftovers of the group (the leader has exited)
                proc.wait()
                self._running.discard(proc)
        return int(proc.returncode), timed_out

    def _end(self, proc: subprocess.Popen[bytes], grace: float) -> None:
        signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while not _exited(proc) and time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
        if not _exited(proc):
            signal_group(proc, signal.SIGKILL)

    def stop(self, grace: float) -> int:
        """No new crawls; SIGTERM every running group, SIGKILL what is left after `grace` s.

        Returns how many crawls were running. The threads that wait on them reap them."""
        self.stopping.set()
        procs = self._signal_all(signal.SIGTERM)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and any(not _exited(p) for p in procs):
            time.sleep(POLL_SECONDS)
        left = [p.pid for p in procs if not _exited(p)]
        if left:
            log.warning("crawl process(es) %s did not stop within %.0f s: killed", left, grace)
            self._signal_all(signal.SIGKILL)
        return len(procs)

    def _signal_all(self, sig: int) -> list[subprocess.Popen[bytes]]:
        with self._lock:
            procs = list(self._running)
            for proc in procs:
                signal_group(proc, sig)
        return procs

    def kill_all(self) -> None:
        """A second stop signal: kill every running group at once."""
        self.stopping.set()
        self._signal_all(signal.SIGKILL)
