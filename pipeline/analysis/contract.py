"""What every sentiment backend and its callers share: the labels, the prediction, the model protocol,
the load error and the default sizes.

Why a module of its own: the backends (`torch_model.py`, `onnx_model.py`, `hf_model.py`), the shared
scoring loop (`batching.py`), the loader (`sentiment.py`), the analysis stage and the CLI all need
these names. Kept here, at the bottom of `pipeline.analysis` with no imports from it, none of those
modules has to import another backend just to name a type, so the backends cannot form a circle.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, Protocol

from pipeline.errors import RykteError

LABELS: tuple[str, str, str] = ("negative", "neutral", "positive")
EMPTY_PREDICTION_PROBS = {"negative": 0.0, "neutral": 1.0, "positive": 0.0}

# Batch size and max length, measured on 2 quiet cores (bench/sentiment.py, bf16, tweet-length texts):
# batches of 16 and 32 are within the run-to-run noise of each other (148–263 texts/s for 16, 200–261
# for 32 over several runs), 64 and 8 were not faster; max_length 128 was not faster than 256 on such
# texts (they rarely exceed 128 tokens), so 32 and 256 stay (also `AnalysisConfig`'s defaults).
DEFAULT_BATCH_SIZE = 32
DEFAULT_MAX_LENGTH = 256


class Prediction(NamedTuple):
    label: str
    score: float
    probs: dict[str, float]


def empty_prediction() -> Prediction:
    """What a text without content (empty after cleaning) gets: neutral, with certainty."""
    return Prediction("neutral", 1.0, dict(EMPTY_PREDICTION_PROBS))


class SentimentModel(Protocol):
    """Any loaded sentiment model: `version` is stored with each prediction, so a new model re-scores.
    `contexts[i]`, if given, is the text `texts[i]` answers (its parent); models not trained on such
    pairs ignore it."""

    version: str

    def predict(self, texts: Sequence[str], contexts: Sequence[str | None] | None = None) -> list[Prediction]: ...


class ModelLoadError(RykteError):
    """The configured model cannot be loaded (message names the model or file); the CLI exits 1."""
