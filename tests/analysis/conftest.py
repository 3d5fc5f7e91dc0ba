"""Shared fixtures of the analysis tests: one installed base and one loaded model per session."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from pipeline.analysis import evalsets


@pytest.fixture(scope="session")
def analysis_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir whose `models/` holds the converted base (RYKTE_TEST_MODELS_DIR reuses one)."""
    reuse = os.environ.get("RYKTE_TEST_MODELS_DIR")
    data_dir = tmp_path_factory.mktemp("rykte-data")
    if reuse:
        Path(reuse).mkdir(parents=True, exist_ok=True)
        (data_dir / "models").symlink_to(Path(reuse).resolve(), target_is_directory=True)
    return data_dir


@pytest.fixture(scope="session")
def models_dir(analysis_data_dir: Path) -> Path:
    from pipeline.analysis.model.convert import install_base_model

    d = analysis_data_dir / "models"
    install_base_model(d)
    return d


@pytest.fixture(scope="session")
def sentiment_model(models_dir: Path) -> Any:
    from pipeline.analysis.sentiment import load_model
    from pipeline.config.model import AnalysisConfig

    return load_model(AnalysisConfig(), models_dir)


@pytest.fixture(scope="session")
def employer_dev() -> list[dict[str, Any]]:
    with evalsets.path(evalsets.EMPLOYER_DEV).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="session")
def employer_test() -> list[dict[str, Any]]:
    """Held-out employer sentences: only the acceptance test reads them (never training or selection)."""
    with evalsets.path(evalsets.EMPLOYER_TEST).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="session")
def tiny_hf_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random BERT text classifier with "1 star".."5 stars" labels, saved locally."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import BertConfig, BertForSequenceClassification, PreTrainedTokenizerFast

    d = tmp_path_factory.mktemp("tiny-hf")
    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "good", "bad", "job", "boss", "pay"]
    tok = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]",
                                                       special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="[PAD]", unk_token="[UNK]",
                                   cls_token="[CLS]", sep_token="[SEP]")
    fast.save_pretrained(d)
    torch.manual_seed(0)
    labels = {i: f"{i + 1} star{'s' if i else ''}" for i in range(5)}
    cfg = BertConfig(vocab_size=len(words), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                     intermediate_size=32, max_position_embeddings=64, num_labels=5, id2label=labels,
                     label2id={v: k for k, v in labels.items()}, pad_token_id=0)
    BertForSequenceClassification(cfg).save_pretrained(d)
    return d
