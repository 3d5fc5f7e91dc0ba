"""The shipped weights of the built-in model: which builds there are, where their files are, their
checked metadata, the model version.

Why apart: both runtimes of the built-in model (torch in `torch_model.py`, ONNX Runtime in
`onnx_model.py`) read the same weights file and must store the same version string, so that switching
the runtime does not re-score every mention. The weights (LoRA matrices and head, see
`weights/MODEL_CARD.md`) fit only the installed base; their header names it.

Two builds are shipped, chosen by `analysis.model` (`BUILDS`):
* `builtin` (the default, `weights/sentiment.safetensors`): trained only on data a company may use
  (our employer set and the CC BY Danish LCC set); commercial use allowed.
* `builtin-noncommercial` (`weights/sentiment-noncommercial.safetensors`): also trained on NoReC
  (CC BY-NC 4.0), TweetEval (research use) and swe-sentiment (no licence stated), so **non-commercial
  use only**; better on reviews and tweets.
Their files differ, so their version strings differ and switching re-scores every mention.
"""

from __future__ import annotations

import functools
from pathlib import Path

from pipeline.analysis.contract import ModelLoadError
from pipeline.analysis.model.convert import base_checksum
from pipeline.analysis.model.e5_image import file_sha256

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
BUILDS: dict[str, Path] = {
    "builtin": WEIGHTS_DIR / "sentiment.safetensors",
    "builtin-noncommercial": WEIGHTS_DIR / "sentiment-noncommercial.safetensors",
}
DEFAULT_BUILD = "builtin"
WEIGHTS_PATH = BUILDS[DEFAULT_BUILD]


def is_builtin(model: str) -> bool:
    """True when `analysis.model` names one of the shipped builds (anything else is a Hugging Face model)."""
    return model in BUILDS


def read_weights_meta(models_dir: Path, weights_path: Path) -> dict[str, str]:
    """The metadata of a trained weights file, checked against the installed base."""
    from safetensors import safe_open

    if not weights_path.is_file():
        raise ModelLoadError(f"{weights_path}: trained sentiment weights missing (run `rykte model train`)")
    with safe_open(str(weights_path), framework="pt") as f:
        meta = dict(f.metadata() or {})
    base_id = base_checksum(models_dir)
    if meta.get("base") and meta["base"] != base_id:
        raise ModelLoadError(f"{weights_path}: trained for base {meta['base']}, installed base is {base_id}")
    return meta


@functools.lru_cache(maxsize=16)
def _file_sha(path: Path, mtime_ns: int, size: int) -> str:
    """First 12 hex digits of the file's SHA-256, computed once per (path, mtime, size)."""
    return file_sha256(path)[:12]


def builtin_version(models_dir: Path, weights_path: Path, precision: str) -> str:
    """Model version stored with each prediction: base, weights file and precision (not the runtime:
    torch and ONNX Runtime float32 give the same probabilities)."""
    st = weights_path.stat()
    return f"e5small-{base_checksum(models_dir)}-w{_file_sha(weights_path.resolve(), st.st_mtime_ns, st.st_size)}-{precision}"


@functools.lru_cache(maxsize=16)
def _encoder_sha(path: Path, mtime_ns: int, size: int) -> str:
    import hashlib

    from safetensors import safe_open

    h = hashlib.sha256()
    with safe_open(str(path), framework="pt") as f:
        meta = f.metadata() or {}
        for key in ("lora_r", "lora_alpha", "layers"):
            h.update(f"{key}={meta.get(key, '')};".encode())
        for name in sorted(k for k in f.keys() if not k.startswith("head.")):  # noqa: SIM118
            h.update(name.encode())
            h.update(f.get_tensor(name).float().numpy().tobytes())
    return h.hexdigest()[:12]


def encoder_id(weights_path: Path) -> str:
    """Identity of the encoder a weights file makes of the base: everything but the head (12 hex).

    A retrained head (`retrain.py`) keeps its parent's encoder, so it shares the parent's exported
    ONNX graph and cached features instead of exporting ~470 MB again."""
    st = Path(weights_path).stat()
    return _encoder_sha(Path(weights_path).resolve(), st.st_mtime_ns, st.st_size)

