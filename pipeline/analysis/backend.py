"""Which precision and runtime the built-in sentiment model runs with, from config and the CPU.

Why: the fastest way to run the model *as float32 scores it* depends on the machine. With native
bfloat16 (AVX-512 BF16 or AMX) torch in bf16 is ~2.6x faster than float32 ONNX and practically
identical (mean KL 1e-5 to float32 over our 3,413 training texts, 2 labels changed); without it bf16
is emulated and ~10x *slower*, and float32 is the choice, where ONNX Runtime beats eager torch at
identical outputs. `precision: int8` (the static int8 graph, `int8_graph.py`, recipe 2) is ~1.6-1.8x
float32 at the same employer test accuracy, but it changes 15 of those 3,413 labels (KL 3e-3), so
`auto` leaves it to users who need the speed. Measurements: `weights/MODEL_CARD.md`, `bench/sentiment.py`.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path


def onnxruntime_available() -> bool:
    return importlib.util.find_spec("onnxruntime") is not None


PRECISIONS = ("auto", "bf16", "fp32", "int8")
INT8_RECIPE = 2  # bump when the int8 graph's recipe changes its numbers: predictions are re-scored
BF16_CPU_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})


@functools.lru_cache(maxsize=8)
def native_bf16(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """True when the CPU executes bfloat16 natively (AVX-512 BF16 or AMX); False if unknown.

    Read once per path: `load_model` resolves the precision on every call, before its cache lookup."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    for line in text.splitlines():
        if line.startswith("flags"):
            return bool(BF16_CPU_FLAGS & set(line.partition(":")[2].split()))
    return False


def version_tag(precision: str) -> str:
    """The precision part of a built-in model's version string (`builtin_weights.builtin_version`)."""
    return f"int8r{INT8_RECIPE}" if precision == "int8" else precision


def resolve_precision(precision: str) -> str:
    """The torch precision: `auto` → `bf16` on CPUs with native bf16, else `fp32`; `bf16`/`fp32` are
    kept (int8 runs on ONNX Runtime only: `resolve_backend`)."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, not {precision!r}")
    if precision == "auto":
        return "bf16" if native_bf16() else "fp32"
    return precision


RUNTIMES = ("auto", "torch", "onnx")


def resolve_backend(precision: str, runtime: str = "auto") -> tuple[str, str]:
    """(precision, runtime) to run the built-in model with.

    `precision: auto` → bf16 where the CPU has native bf16, else fp32. `runtime: auto` picks ONNX
    Runtime whenever the precision is float32 and onnxruntime is installed (same numbers, faster),
    torch otherwise; bf16 runs on torch only, int8 on ONNX Runtime only. `runtime: onnx` with
    `precision: auto` means float32; with `precision: bf16` it is refused."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, not {precision!r}")
    if runtime not in RUNTIMES:
        raise ValueError(f"runtime must be one of {', '.join(RUNTIMES)}, not {runtime!r}")
    if precision == "int8":
        if runtime == "torch":
            raise ValueError("analysis.precision int8 runs on ONNX Runtime only; use runtime onnx or auto")
        return "int8", "onnx"
    if runtime == "onnx":
        if precision == "bf16":
            raise ValueError("analysis.runtime onnx runs float32 or int8; use precision fp32, int8 or auto "
                             "(or runtime torch)")
        return "fp32", "onnx"
    precision = resolve_precision(precision)
    if runtime == "auto":
        runtime = "onnx" if precision == "fp32" and onnxruntime_available() else "torch"
    return precision, runtime
