"""How fast the sentiment encoder could possibly be on this CPU: its matrix products alone, timed.

    python bench/encoder_ceiling.py [--avx2-kernels] [--data ../shared/data/sentiment]

The speed goal of issue 20 (150 texts/s on 2 cores) is a question about arithmetic before it is one
about engineering: every text costs `tokens × layers × (4·h² + 2·h·f)` multiply-adds in the encoder's
six weight matrices per layer, whatever the runtime does around them. This bench times exactly those
products with ONNX Runtime's kernels, in the two forms the runtime uses (float32 `MatMul`; static int8
`QuantizeLinear` + `MatMulIntegerToFloat`, as `pipeline/analysis/int8_graph.py` writes them), at the
shapes of a real batch: 32 texts × the mean padded length of the speed texts `bench/sentiment.py`
uses (length-sorted batches of 32, as the runtime batches). It prints the multiply-add rate per shape
and the bound it implies: texts/s if the encoder did nothing but these products, for 12 layers and
for the shallower students of `training/distil.py`. A measured pipeline can only be slower; whatever
the gap is, is everything else (attention, GELU, layer norms, tokenising).

`--avx2-kernels` runs the timing with `bench/avx2_kernels.c` preloaded (see `bench/sentiment.py`), so
the kernels are those of a CPU without AVX-512, VNNI and AMX. The best of three rounds is kept (a busy
neighbour only makes a round slower). Figures go to `bench/results.json` under "encoder_ceiling" or
"encoder_ceiling_avx2_kernels".
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
BATCH = 32
THREADS = 2
LAYER_COUNTS = (12, 8, 6)


def padded_tokens_per_text(texts: list[str], tokenizer: Any, prefix: str, max_length: int = 256) -> float:
    """Mean tokens a text occupies in length-sorted batches of `BATCH` (padding included)."""
    lengths = sorted(len(tokenizer(prefix + t, truncation=True, max_length=max_length)["input_ids"]) for t in texts)
    batches = [lengths[i : i + BATCH] for i in range(0, len(lengths), BATCH)]
    return sum(max(b) * len(b) for b in batches) / len(lengths)


def _session(k: int, n: int, int8: bool, rows: int) -> Any:
    import numpy as np
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)
    if int8:
        consts = [numpy_helper.from_array(rng.integers(-127, 127, (k, n), dtype=np.int8), "W"),
                  numpy_helper.from_array(np.array(0.05, np.float32), "xs"),
                  numpy_helper.from_array(np.array(128, np.uint8), "xz"),
                  numpy_helper.from_array(np.full((n,), 0.01, np.float32), "ws"),
                  numpy_helper.from_array(np.zeros((n,), np.int8), "wz")]
        nodes = [helper.make_node("QuantizeLinear", ["X", "xs", "xz"], ["xq"]),
                 helper.make_node("MatMulIntegerToFloat", ["xq", "W", "xs", "ws", "xz", "wz"], ["Y"],
                                  domain="com.microsoft")]
    else:
        consts = [numpy_helper.from_array(rng.standard_normal((k, n), dtype=np.float32), "W")]
        nodes = [helper.make_node("MatMul", ["X", "W"], ["Y"])]
    graph = helper.make_graph(nodes, "gemm", [helper.make_tensor_value_info("X", TensorProto.FLOAT, [rows, k])],
                              [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [rows, n])], consts)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)])
    model.ir_version = 9  # what the installed onnxruntime reads
    so = ort.SessionOptions()
    so.intra_op_num_threads = THREADS
    so.inter_op_num_threads = 1
    return ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])


def layer_gemms(hidden: int, intermediate: int) -> list[tuple[int, int, int]]:
    """(k, n, count) of one BERT layer's weight products: Q, K, V, attention output; FFN in and out."""
    return [(hidden, hidden, 4), (hidden, intermediate, 1), (intermediate, hidden, 1)]


def layer_macs_per_token(hidden: int, intermediate: int) -> int:
    """Multiply-adds of one layer's weight products for one token: 4·h² + 2·h·f."""
    return sum(k * n * count for k, n, count in layer_gemms(hidden, intermediate))


def time_layer(rows: int, hidden: int, intermediate: int, int8: bool, reps: int = 100) -> dict[str, Any]:
    """Seconds for one layer's products on `rows` token rows (best of 3 rounds per shape), and GMAC/s."""
    import numpy as np

    shapes: dict[str, float] = {}
    seconds = 0.0
    for k, n, count in layer_gemms(hidden, intermediate):
        s = _session(k, n, int8, rows)
        x = np.random.default_rng(1).standard_normal((rows, k), dtype=np.float32)
        for _ in range(5):
            s.run(None, {"X": x})
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            for _ in range(reps):
                s.run(None, {"X": x})
            best = min(best, (time.perf_counter() - t0) / reps)
        shapes[f"{k}x{n}"] = round(rows * k * n / best / 1e9, 1)
        seconds += count * best
    macs = rows * layer_macs_per_token(hidden, intermediate)
    return {"gmac_per_s": shapes, "layer_seconds": seconds, "layer_gmac_per_s": round(macs / seconds / 1e9, 1)}


def measure(data: Path, models_dir: Path) -> dict[str, Any]:
    from transformers import AutoTokenizer

    from bench.sentiment import _speed_texts
    from pipeline.analysis.model.convert import base_dir, install_base_model
    from training.train import PREFIX

    install_base_model(models_dir)
    tokenizer = AutoTokenizer.from_pretrained(base_dir(models_dir))
    config = json.loads((base_dir(models_dir) / "config.json").read_text(encoding="utf-8"))
    source, texts = _speed_texts(data)
    tokens = padded_tokens_per_text(texts[:1000], tokenizer, PREFIX)
    rows = round(BATCH * tokens)
    h, f, layers = config["hidden_size"], config["intermediate_size"], config["num_hidden_layers"]
    out: dict[str, Any] = {"speed_texts": source, "padded_tokens_per_text": round(tokens, 1), "rows": rows,
                           "hidden": h, "intermediate": f, "layers": layers, "threads": THREADS,
                           "macs_per_text_millions": round(tokens * layers * layer_macs_per_token(h, f) / 1e6)}
    for name, int8 in (("int8", True), ("fp32", False)):
        t = time_layer(rows, h, f, int8)
        t["texts_per_s_bound"] = {str(n): round(BATCH / (n * t["layer_seconds"])) for n in LAYER_COUNTS}
        del t["layer_seconds"]
        out[name] = t
    return out


def main() -> None:
    from bench.sentiment import add_data_args

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_data_args(ap)
    ap.add_argument("--avx2-kernels", action="store_true", help="time the AVX2 kernels (bench/avx2_kernels.c)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.child:
        print(json.dumps(measure(args.data, args.models_dir)))
        return
    from bench.freshness import cpu as cpu_info
    from bench.results import merge_results
    from bench.sentiment import _avx2_shim

    env = {**os.environ, "LD_PRELOAD": str(_avx2_shim())} if args.avx2_kernels else None
    p = subprocess.run([sys.executable, __file__, "--child", "--data", str(args.data), "--models-dir",
                        str(args.models_dir)], capture_output=True, text=True, check=False, env=env)
    if p.returncode != 0:
        print(p.stderr, file=sys.stderr)
        raise SystemExit("the timing run failed")
    result = json.loads(p.stdout.strip().splitlines()[-1])
    machine = cpu_info()
    cpu, flags = machine["model"] or "unknown", machine["flags"]
    print(f"CPU: {cpu}; flags: {' '.join(flags) or '-'}")
    if args.avx2_kernels:
        print("kernels: AVX2 only (bench/avx2_kernels.c hides AVX-512, VNNI, BF16 and AMX from CPUID)")
    print(f"speed texts: {result['speed_texts']}, {result['padded_tokens_per_text']} padded tokens a text; "
          f"{result['layers']} layers of {result['hidden']}/{result['intermediate']}: "
          f"{result['macs_per_text_millions']} M multiply-adds a text; {THREADS} threads")
    for name in ("int8", "fp32"):
        r = result[name]
        shapes = ", ".join(f"{k} {v}" for k, v in r["gmac_per_s"].items())
        bounds = ", ".join(f"{n} layers {v}" for n, v in r["texts_per_s_bound"].items())
        print(f"{name}: GMAC/s {shapes} (layer {r['layer_gmac_per_s']}); texts/s if only these ran: {bounds}")
    key = "encoder_ceiling_avx2_kernels" if args.avx2_kernels else "encoder_ceiling"
    merge_results(key, {"measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "cpu": cpu,
                        "flags": flags, **result})


if __name__ == "__main__":
    main()
