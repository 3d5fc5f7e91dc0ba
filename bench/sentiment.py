"""Sentiment throughput, memory and quality: our pipeline vs the naive transformers `pipeline()`.

    python bench/sentiment.py [--data ../shared/data/sentiment] [--models-dir data/models]
                              [--only ours-onnx,fast,naive] [--fast-weights FILE]

Each variant runs in its own subprocess (so its peak RSS is its own) on all available cores:

* `ours`        — `load_model` as shipped: length-sorted batches of 32, max_length 256 with chunking,
                  precision and runtime `auto` (torch bfloat16 on CPUs with native bf16, else float32
                  on ONNX Runtime; the table says which).
* `ours-replies` — `ours` on replies read with the text they answer (the training and eval pairs,
                  `"context"` = the parent, whose first 64 tokens are appended): what threads cost.
* `ours-bf16`   — torch, forced bfloat16 (on a CPU without native bf16 it is emulated and slow, so it
                  then runs on a tenth of the texts).
* `ours-fp32`   — torch, forced float32, under `torch.inference_mode`.
* `ours-onnx`   — ONNX Runtime, float32 (the graph exported from the same weights).
* `int8`        — `precision: int8` (opt-in): the static int8 graph derived from that graph
                  (`pipeline/analysis/int8_graph.py`; built once, cached; its build is not timed).
* `fast`        — the distilled student (`weights/sentiment-fast.safetensors`, or `--fast-weights`;
                  fewer of the base's layers, `training/distil.py`), float32 on ONNX Runtime.
* `fast-int8`   — the same student's static int8 graph (as `int8` derives it).
* `naive`       — transformers `pipeline("feature-extraction")` over the same merged model, one text
                  at a time, float32, then the same mean pooling and head.

Speed is measured on social-media-length texts (TweetEval validation tweets when the shared data is
present, else our employer sentences), all distinct and with the prediction cache cleared, so repeated
texts do not flatter the figures. Quality: macro-F1 on NoReC_sentence dev (3-class) and accuracy on
our employer dev set. Figures go to `bench/results.json` under "sentiment" (other keys are kept).

`--avx2-kernels` measures an AVX2-only CPU's code paths on a newer Intel CPU: each variant runs with
`bench/avx2_kernels.c` preloaded (compiled with `cc` on first use), which hides AVX-512, VNNI, BF16 and
AMX from CPUID (needs the `cpuid_fault` flag), so ONNX Runtime and torch dispatch to their AVX2
kernels and `auto` resolves as on a CPU without native bf16. Clock, caches and memory stay this
machine's, so it measures the kernels, not an AVX2 part. Figures go under "sentiment_avx2_kernels".
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
FAST_WEIGHTS = REPO / "pipeline" / "analysis" / "weights" / "sentiment-fast.safetensors"
from bench.results import merge_results, read_results  # noqa: E402  (after the sys.path line)
from pipeline.analysis import evalsets  # noqa: E402

EMPLOYER_DEV = evalsets.path(evalsets.EMPLOYER_DEV)
EMPLOYER_TRAIN = REPO / "training" / "data" / "employer_train.jsonl"
PAIRS = [REPO / "training" / "data" / "pairs_train.jsonl", evalsets.path(evalsets.PAIRS_EVAL)]


def _rows(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _speed_texts(data: Path) -> tuple[str, list[str]]:
    tw = data / "tweeteval_val.jsonl"
    if tw.is_file():
        texts = list(dict.fromkeys(r["text"] for r in _rows(tw)))
        return "tweeteval_val tweets", texts
    texts = list(dict.fromkeys(r["text"] for r in _rows(EMPLOYER_TRAIN) + _rows(EMPLOYER_DEV)))
    return "employer sentences", texts


def _reply_texts() -> tuple[str, list[str], list[str | None]]:
    pairs = list(dict.fromkeys((r["text"], r["context"]) for p in PAIRS for r in _rows(p)))
    return "replies with their parents", [t for t, _ in pairs], [c for _, c in pairs]


class _Naive:
    """transformers pipeline() one text at a time over the merged builtin model, then pooling + head."""

    def __init__(self, ours: Any) -> None:
        from transformers import pipeline

        self.ours = ours
        self.pipe = pipeline("feature-extraction", model=ours.model.float(), tokenizer=ours.tokenizer,
                             framework="pt", device="cpu")
        self.w, self.b = ours.head_weight, ours.head_bias
        self.prefix = ours.prefix

    def predict(self, texts: list[str]) -> list[Any]:
        import torch

        from pipeline.analysis.batching import clean_text, empty_prediction, make_prediction

        out = []
        for t in texts:
            c = clean_text(t)
            if not c:
                out.append(empty_prediction())
                continue
            feats = self.pipe(self.prefix + c, truncation=True, max_length=256, return_tensors=True)
            with torch.inference_mode():
                pooled = feats[0].float().mean(0)
                probs = torch.softmax(pooled @ self.w.T + self.b, -1).tolist()
            out.append(make_prediction(probs))
        return out


def run_variant(variant: str, data: Path, models_dir: Path, n_speed: int,
                fast_weights: Path = FAST_WEIGHTS) -> dict[str, Any]:
    import torch

    from pipeline.analysis.model.evaluate import score
    from pipeline.analysis.sentiment import load_model
    from pipeline.analysis.torch_model import BuiltinSentimentModel
    from pipeline.config.model import AnalysisConfig

    precision, runtime = {"ours": ("auto", "auto"), "ours-replies": ("auto", "auto"), "ours-bf16": ("bf16", "torch"), "ours-onnx": ("fp32", "onnx"),
                          "int8": ("int8", "onnx")}.get(variant, ("fp32", "torch"))
    t0 = time.perf_counter()
    cfg = AnalysisConfig(model="builtin", batch_size=32, max_length=256, precision=precision, runtime=runtime)
    if variant in ("fast", "fast-int8"):
        from pipeline.analysis.onnx_model import OnnxSentimentModel

        ours: Any = OnnxSentimentModel(models_dir, fast_weights, batch_size=32, max_length=256,
                                       precision="int8" if variant == "fast-int8" else "fp32")
    else:
        ours = load_model(cfg, models_dir)
    if variant == "naive":
        ours = BuiltinSentimentModel(models_dir, precision="fp32")
    load_s = time.perf_counter() - t0
    model: Any = _Naive(ours) if variant == "naive" else ours
    source, texts = _speed_texts(data)
    contexts: list[str | None] = [None] * len(texts)
    if variant == "ours-replies":
        source, texts, contexts = _reply_texts()
    texts, contexts = texts[:n_speed], contexts[:n_speed]
    model.predict(texts[:8])  # warm-up
    if hasattr(model, "cache"):
        model.cache._d.clear()
    t0 = time.perf_counter()
    model.predict(texts, contexts) if variant == "ours-replies" else model.predict(texts)
    secs = time.perf_counter() - t0
    result: dict[str, Any] = {
        "variant": variant, "precision": f"{ours.runtime}-{ours.precision}",
        "threads": torch.get_num_threads(), "batch_size": ours.batch_size,
        "max_length": ours.max_length, "speed_texts": source, "n_texts": len(texts),
        "texts_per_s": round(len(texts) / secs, 1), "load_s": round(load_s, 1),
    }
    norec = data / "norec_sentence_dev.jsonl"
    if norec.is_file():
        rows = _rows(norec)
        preds = model.predict([r["text"] for r in rows])
        result["norec_dev_macro_f1"] = round(score([r["label"] for r in rows], preds).macro_f1, 4)
    rows = _rows(EMPLOYER_DEV)
    preds = model.predict([r["text"] for r in rows])
    s = score([r["label"] for r in rows], preds)
    result["employer_dev_accuracy"] = round(s.accuracy, 4)
    result["employer_dev_macro_f1"] = round(s.macro_f1, 4)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    result["version"] = ours.version
    return result


def add_data_args(ap: argparse.ArgumentParser) -> None:
    """`--data` (the shared labelled sets) and `--models-dir` (the installed base), as every model bench takes them."""
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "sentiment")
    ap.add_argument("--models-dir", type=Path,
                    default=Path(os.environ.get("RYKTE_DATA_DIR", REPO / "data")) / "models")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_data_args(ap)
    ap.add_argument("--variant", help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, default=2000, help="texts for the speed run (naive: a fifth)")
    ap.add_argument("--only", default="", help="comma-separated variants to run (default: all; 'fast' "
                    "when its weights exist)")
    ap.add_argument("--fast-weights", type=Path, default=FAST_WEIGHTS)
    ap.add_argument("--avx2-kernels", action="store_true", help="hide AVX-512/VNNI/BF16/AMX from CPUID "
                    "(bench/avx2_kernels.c) so the libraries run their AVX2 kernels")
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from pipeline.analysis import backend

    if args.avx2_kernels:
        setattr(backend, "native_bf16", lambda *a: False)  # noqa: B010 (what the kernels see, not /proc/cpuinfo)
    native_bf16 = backend.native_bf16
    if args.variant:
        slow = args.variant == "naive" or (args.variant == "ours-bf16" and not native_bf16())
        n = args.n // (5 if args.variant == "naive" else 10) if slow else args.n
        print(json.dumps(run_variant(args.variant, args.data, args.models_dir, n, args.fast_weights)))
        return

    from pipeline.analysis.model.convert import install_base_model

    install_base_model(args.models_dir)
    results: dict[str, Any] = {}
    from pipeline.analysis.backend import onnxruntime_available

    variants = ["ours", "ours-replies", "ours-bf16", "ours-fp32", *(["ours-onnx", "int8"] if onnxruntime_available() else []),
                *(["fast", "fast-int8"] if onnxruntime_available() and args.fast_weights.is_file() else []), "naive"]
    if args.only:
        variants = [v for v in args.only.split(",") if v]
    env = {**os.environ, "LD_PRELOAD": str(_avx2_shim())} if args.avx2_kernels else None
    for variant in variants:
        print(f"running {variant} …", file=sys.stderr, flush=True)
        p = subprocess.run([sys.executable, __file__, "--variant", variant, "--data", str(args.data),
                            "--models-dir", str(args.models_dir), "--n", str(args.n),
                            "--fast-weights", str(args.fast_weights),
                            *(["--avx2-kernels"] if args.avx2_kernels else [])],
                           capture_output=True, text=True, check=False, env=env)
        if p.returncode != 0:
            print(p.stderr, file=sys.stderr)
            raise SystemExit(f"variant {variant} failed")
        results[variant] = json.loads(p.stdout.strip().splitlines()[-1])

    naive = results["naive"]["texts_per_s"] if "naive" in results else float("nan")
    from bench.freshness import cpu as cpu_info

    machine = cpu_info()
    cpu, flags = machine["model"] or "unknown", machine["flags"]
    print(f"CPU: {cpu}; native bf16: {'yes' if native_bf16() else 'no'}; flags: {' '.join(flags) or '-'}")
    if args.avx2_kernels:
        print("kernels: AVX2 only (bench/avx2_kernels.c hides AVX-512, VNNI, BF16 and AMX from CPUID; "
              "auto resolves as without native bf16)")
    print(f"{'variant':<13}{'runtime':>13}{'texts/s':>9}{'× naive':>9}{'peak RSS MB':>13}"
          f"{'NoReC dev F1':>14}{'employer acc':>14}{'n':>6}")
    for v, r in results.items():
        r["speedup_vs_naive"] = round(r["texts_per_s"] / naive, 2)
        f1 = r.get("norec_dev_macro_f1")
        print(f"{v:<13}{r['precision']:>13}{r['texts_per_s']:>9.1f}{r['speedup_vs_naive']:>9.2f}"
              f"{r['peak_rss_mb']:>13.0f}{'-' if f1 is None else f'{f1:.4f}':>14}"
              f"{r['employer_dev_accuracy']:>14.4f}{r['n_texts']:>6}")
    first = next(iter(results.values()))
    replies = f"; ours-replies on {results['ours-replies']['speed_texts']}" if "ours-replies" in results else ""
    print(f"(speed on {first['speed_texts']}, {first['threads']} threads{replies})")
    if "fast" in results and "ours-onnx" in results:
        print(f"fast / ours-onnx: {results['fast']['texts_per_s'] / results['ours-onnx']['texts_per_s']:.2f}x")
    if "fast-int8" in results and "int8" in results:
        print(f"fast-int8 / int8: {results['fast-int8']['texts_per_s'] / results['int8']['texts_per_s']:.2f}x")
    key = "sentiment_avx2_kernels" if args.avx2_kernels else "sentiment"
    before = read_results().get(key, {})
    merge_results(key, {
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cpu": cpu,
        "native_bf16": native_bf16(),
        "flags": flags,
        "variants": {**before.get("variants", {}), **results},
        "speedup_ours_vs_naive": results["ours"]["speedup_vs_naive"] if "ours" in results else
        before.get("speedup_ours_vs_naive"),
    })


def _avx2_shim() -> Path:
    """Compile `avx2_kernels.c` once (into ~/.cache/rykte-bench) and check that torch then sees only AVX2."""
    cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    if "cpuid_fault" not in cpuinfo:
        raise SystemExit("--avx2-kernels needs CPUID faulting (the cpuid_fault flag), which this CPU or VM lacks")
    src = Path(__file__).with_name("avx2_kernels.c")
    out = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "rykte-bench" / "avx2_kernels.so"
    if not out.is_file() or out.stat().st_mtime < src.stat().st_mtime:
        out.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-o", str(out), str(src)], check=True)
    probe = subprocess.run([sys.executable, "-c", "import torch; print(torch.backends.cpu.get_cpu_capability())"],
                           capture_output=True, text=True, check=True, env={**os.environ, "LD_PRELOAD": str(out)})
    if probe.stdout.strip() != "AVX2":
        raise SystemExit(f"--avx2-kernels: torch still sees {probe.stdout.strip()!r} with the shim loaded")
    return out


if __name__ == "__main__":
    main()
