"""Benchmark: `rykte import` of a 100,000-mention file and `rykte metrics --json` over it.

Generates a synthetic export (threads of criticism, praise and company replies over a year, several
sources, ratings on review sources), then times the real CLI in subprocesses:
1. import with `--no-analyze` (parse, validate, upsert, thread roots, linking, reply quality),
2. the same import again (idempotent: nothing changes),
3. `metrics --json` over the whole store and over one month.
Prints the figures and merges them into bench/results.json under "import_metrics".
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
N = 100_000
CRITICISM = ["Lønna er for lav for nattskift", "Ledelsen lytter ikke til de ansatte", "Ingen svar etter intervjuet",
             "Turnusen er umulig", "Dårlig opplæring på lageret", "Nedbemanningen ble håndtert elendig"]
PRAISE = ["Gode kolleger og god stemning", "Fin arbeidsplass med fleksibel tid", "Bra opplæring første uke"]
REPLIES = ["Takk for at du sier fra. Vi beklager og tar kontakt på e-post.",
           "Hei! Dette tar vi på alvor. Send oss en melding, så følger vi opp.",
           "Tusen takk for tilbakemeldingen!"]


def generate(path: Path, n: int = N, seed: int = 7) -> None:
    rng = random.Random(seed)
    # a year of posts ending two weeks ago: the import refuses times in the future, so a fixed start
    # date would make this bench fail once the calendar reached its last weeks
    today = datetime.now(UTC).replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)
    start = today - timedelta(days=380)
    sources = ["trustpilot", "reddit", "glassdoor", "playstore", "mastodon"]
    written = 0
    with path.open("w", encoding="utf-8") as fh:
        thread = 0
        while written < n:
            thread += 1
            src = rng.choice(sources)
            t0 = start + timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
            critical = rng.random() < 0.4
            root = {"source": src, "external_id": f"m{thread}", "author": f"user{rng.randrange(20000)}",
                    "published_at": t0.isoformat() + "Z",
                    "text": f"{rng.choice(CRITICISM if critical else PRAISE)} ({thread})"}
            if src in ("trustpilot", "glassdoor", "playstore"):
                root["rating"] = rng.choice([1, 2]) if critical else rng.choice([3, 4, 5])
            fh.write(json.dumps(root, ensure_ascii=False) + "\n")
            written += 1
            parent = root["external_id"]
            for k in range(rng.choice([0, 0, 1, 2, 3])):
                official = rng.random() < 0.5
                reply = {"source": src, "external_id": f"m{thread}-{k}", "parent_id": parent,
                         "author": "Nordlys Logistikk AS" if official else f"user{rng.randrange(20000)}",
                         "is_official": official,
                         "published_at": (t0 + timedelta(hours=rng.expovariate(1 / 20))).isoformat() + "Z",
                         "text": rng.choice(REPLIES) if official else "Enig, samme erfaring her."}
                fh.write(json.dumps(reply, ensure_ascii=False) + "\n")
                written += 1
                parent = reply["external_id"]
                if written >= n:
                    break


def timed(args: list[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True,
                         cwd=ROOT, check=False)
    if out.returncode not in (0,):
        raise SystemExit(f"{args}: exit {out.returncode}\n{out.stderr}")
    return time.perf_counter() - t, out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "export.jsonl"
        generate(src)
        data = str(Path(tmp) / "data")
        first, out1 = timed(["--data-dir", data, "import", str(src), "--no-analyze"])
        second, out2 = timed(["--data-dir", data, "import", str(src), "--no-analyze"])
        whole, out3 = timed(["--data-dir", data, "metrics", "--json"])
        month, _ = timed(["--data-dir", data, "metrics", "--json", "--since", "2026-03-01", "--until", "2026-04-01"])
        m = json.loads(out3.stdout)
    figures = {
        "mentions_in_file": N,
        "import_seconds": round(first, 2),
        "reimport_seconds": round(second, 2),
        "metrics_seconds": round(whole, 2),
        "metrics_one_month_seconds": round(month, 2),
        "criticisms": m["criticisms"],
        "criticisms_responded": m["criticisms_responded"],
    }
    print(out1.stdout.strip())
    print(out2.stdout.strip())
    for k, v in figures.items():
        print(f"{k:28s} {v}")
    sys.path.insert(0, str(ROOT))
    from bench.results import merge_results

    merge_results("import_metrics", figures)


if __name__ == "__main__":
    main()
