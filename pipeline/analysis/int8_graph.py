"""The static int8 graph of the built-in model (`precision: int8`): ~1.6-1.8x the float32 graph's speed.

Why static: ONNX Runtime's dynamic quantization scales each batch by that batch's own min/max, so a
text's score depended on the texts batched with it ("kort": 0.68 in a batch, 0.86 alone; model card).
Here every activation scale is a constant calibrated once, so a text scores the same alone or in any
batch, which the prediction cache and idempotent re-scoring rely on. Recipe 2 scores run e1's
employer test set as float32 does (219/238; recipe 1 lost 1.2 points), but it is less faithful to
float32 than bf16 (15 of our 3,413 training texts change label, one of them a plain complaint), so
`auto` does not pick it; users who need the speed on CPUs without native bf16 opt in (MODEL_CARD.md).

Recipe `INT8_RECIPE` 2 (`backend.version_tag` puts it in the model version):
* every linear layer is quantized except attention's two activation-by-activation products and the
  `FLOAT32_NODES` (recipe 2: layer 4's FFN output, which alone carried half the int8 error — its
  one-at-a-time sensitivity on employer dev + pairs was twice any other of the 48 groups);
* weights int8 per output channel in 7 bits (`reduce_range`): the u8 x s8 products of AVX2's
  VPMADDUBSW then cannot saturate int16, so AVX2 and VNNI kernels compute the same products (the
  float32 operations between them differ in the last bits, which can move a value across a rounding
  step: with AVX2 kernels forced, employer dev + pairs moved by at most 0.043 and no label changed);
* activations uint8 per tensor, range = `RANGE_PERCENTILE` of the per-text extremes over the calibration texts
  (`model/int8_calibration.jsonl`: 400 employer texts and 100 replies with their parent, a fixed
  sample of our own training data, none of the measured sets);
* ONNX Runtime's MatMulInteger -> Cast -> Mul chain is written as one `MatMulIntegerToFloat` node
  (its own fusion does not fire once the scales are constants).

The graph is derived from the float32 export (`onnx_model.export_onnx`) and cached beside it as
`<fp32 stem>-int8r<recipe>.onnx`, written to a temporary file and renamed into place.
"""

from __future__ import annotations

import collections
import contextlib
import json
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.analysis.backend import INT8_RECIPE

CALIBRATION_FILE = Path(__file__).parent / "model" / "int8_calibration.jsonl"
# An activation's range: the 3rd/97th percentile of its per-text minima/maxima, about what the mean
# batch-of-32 extreme is, clipping the rare outlier rather than widening every step for it (chosen on
# employer dev + pairs among 90/97/99 and the plain min/max: MODEL_CARD.md)
RANGE_PERCENTILE = 97.0
# MatMuls kept in float32 (recipe 2): chosen by a rule written before measuring (MODEL_CARD.md, "int8
# recipe 2"): the fewest of the 48 groups, in order of sensitivity, that keep employer dev and the
# pairs set within 1 point of float32; layer 4's FFN output alone did (dev 0.956, pairs 0.831).
FLOAT32_NODES = ("/bert/encoder/layer.4/output/dense/MatMul",)

# A function that feeds every calibration window to `fn(input_ids, attention_mask, pool_mask)`.
Calibrate = Callable[[Callable[[Any, Any, Any], Any]], object]


def int8_path(fp32_path: Path) -> Path:
    """Where the int8 graph derived from the float32 graph `fp32_path` is cached."""
    return fp32_path.with_name(f"{fp32_path.stem}-int8r{INT8_RECIPE}.onnx")


def calibration_rows() -> list[tuple[str, str | None]]:
    """(text, context or None) of the calibration set."""
    rows = []
    with CALIBRATION_FILE.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                rows.append((str(row["text"]), row.get("context")))
    return rows


def build_int8_graph(fp32_path: Path, calibrate: Calibrate, *, force: bool = False) -> Path:
    """Derive (once) the static int8 graph from `fp32_path`; `calibrate` runs the calibration texts."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    target = int8_path(fp32_path)
    if target.is_file() and not force:
        return target
    graph = onnx.load(str(fp32_path), load_external_data=False)
    matmuls = [n.name for n in graph.graph.node if n.op_type == "MatMul"]
    kept = [n for n in matmuls if n.endswith(("self/MatMul", "self/MatMul_1")) or n in FLOAT32_NODES]
    if missing := sorted(set(FLOAT32_NODES) - set(matmuls)):  # the exporter renamed its nodes
        raise ValueError(f"{fp32_path}: int8 recipe {INT8_RECIPE} keeps {missing} in float32; no such MatMul")
    del graph
    fd, dyn_name = tempfile.mkstemp(prefix=".int8-dyn-", suffix=".onnx", dir=target.parent)
    os.close(fd)
    fd, tmp_name = tempfile.mkstemp(prefix=".int8-", suffix=".onnx", dir=target.parent)
    os.close(fd)
    dyn, tmp = Path(dyn_name), Path(tmp_name)
    root = logging.getLogger()
    root.addFilter(_no_preprocessing_advice)
    try:
        quantize_dynamic(str(fp32_path), str(dyn), per_channel=True, reduce_range=True,
                         weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul"],
                         nodes_to_exclude=kept, extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
        model = onnx.load(str(dyn))
        inputs = [n.input[0] for n in model.graph.node if n.op_type == "DynamicQuantizeLinear"]
        ranges = _activation_ranges(fp32_path, inputs, calibrate)
        _fix_scales(model, ranges)
        _fuse_matmuls(model)
        onnx.save(model, str(tmp))
        tmp.chmod(0o644)
        tmp.replace(target)
    finally:
        root.removeFilter(_no_preprocessing_advice)
        for path in (dyn, tmp):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
    return target


def _no_preprocessing_advice(record: logging.LogRecord) -> bool:
    """The quantizer logs advice to run its shape pre-processing on the root logger; it does not apply
    (only MatMul weights are quantized) and would reach the user's terminal."""
    return not str(record.msg).startswith("Please consider")


def _activation_ranges(fp32_path: Path, names: list[str], calibrate: Calibrate) -> dict[str, tuple[float, float]]:
    """(low, high) of each named float32 activation over the real (unpadded) tokens of the calibration
    texts: percentiles of the per-text extremes, so the batch size of the calibration run does not matter."""
    import numpy as np
    import onnx
    import onnxruntime as ort
    import torch

    model = onnx.load(str(fp32_path))
    for name in names:
        model.graph.output.append(onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None))
    fd, probe_name = tempfile.mkstemp(prefix=".int8-probe-", suffix=".onnx", dir=fp32_path.parent)
    os.close(fd)
    probe = Path(probe_name)
    try:
        onnx.save(model, str(probe))
        del model
        so = ort.SessionOptions()
        so.log_severity_level = 3
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL  # keep every named tensor
        session = ort.InferenceSession(str(probe), so, providers=["CPUExecutionProvider"])
    finally:
        probe.unlink(missing_ok=True)
    lo: dict[str, list[float]] = {n: [] for n in names}
    hi: dict[str, list[float]] = {n: [] for n in names}

    def record(input_ids: Any, attention_mask: Any, pool_mask: Any) -> Any:
        mask = attention_mask.numpy().astype(bool)
        out = session.run(["pooled", *names], {"input_ids": input_ids.numpy(),
                                               "attention_mask": attention_mask.numpy(),
                                               "pool_mask": pool_mask.numpy()})
        for name, value in zip(names, out[1:], strict=True):
            for row, real in zip(value, mask, strict=True):  # per text, so the batch size does not matter
                lo[name].append(float(np.min(row[real])))
                hi[name].append(float(np.max(row[real])))
        return torch.from_numpy(out[0])

    calibrate(record)
    return {n: (float(np.percentile(lo[n], 100 - RANGE_PERCENTILE)), float(np.percentile(hi[n], RANGE_PERCENTILE)))
            for n in names}


def _fix_scales(model: Any, ranges: dict[str, tuple[float, float]]) -> None:
    """Each DynamicQuantizeLinear becomes a QuantizeLinear with a constant uint8 scale and zero point."""
    import numpy as np
    from onnx import helper, numpy_helper

    nodes = []
    for node in model.graph.node:
        if node.op_type != "DynamicQuantizeLinear":
            nodes.append(node)
            continue
        lo, hi = ranges[node.input[0]]
        lo, hi = min(lo, 0.0), max(hi, 0.0)  # 0 must be representable, and the zero point within uint8
        scale = max(hi - lo, 1e-8) / 255.0
        zero = round(-lo / scale)
        _, scale_name, zero_name = node.output
        model.graph.initializer.append(numpy_helper.from_array(np.array(scale, dtype=np.float32), scale_name))
        model.graph.initializer.append(numpy_helper.from_array(np.array(zero, dtype=np.uint8), zero_name))
        nodes.append(helper.make_node("QuantizeLinear", [node.input[0], scale_name, zero_name], [node.output[0]],
                                      name=node.name + "_static"))
    del model.graph.node[:]
    model.graph.node.extend(nodes)


def _fuse_matmuls(model: Any) -> None:
    """MatMulInteger -> Cast -> Mul(a_scale * b_scale) becomes one com.microsoft MatMulIntegerToFloat."""
    from onnx import helper

    consumers: dict[str, list[Any]] = collections.defaultdict(list)
    producer: dict[str, Any] = {}
    for node in model.graph.node:
        for name in node.input:
            consumers[name].append(node)
        for name in node.output:
            producer[name] = node
    replaced: dict[int, Any] = {}
    dropped: set[int] = set()
    for node in model.graph.node:
        if node.op_type != "MatMulInteger":
            continue
        (cast,) = consumers[node.output[0]]
        (mul,) = consumers[cast.output[0]]
        scales = producer[mul.input[1]]
        a_q, b_q, a_zero, b_zero = node.input
        a_scale, b_scale = scales.input
        replaced[id(node)] = helper.make_node(
            "MatMulIntegerToFloat", [a_q, b_q, a_scale, b_scale, a_zero, b_zero], [mul.output[0]],
            name=node.name + "_to_float", domain="com.microsoft")
        dropped |= {id(cast), id(mul), id(scales)}
    nodes = [replaced.get(id(n), n) for n in model.graph.node if id(n) not in dropped]
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    if not any(o.domain == "com.microsoft" for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
