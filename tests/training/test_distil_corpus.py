"""The distillation corpus: commercial-safe texts only, never a measured one, replies with their parent."""

from __future__ import annotations

import json

import pytest

from training.distil_corpus import SHARED, build_corpus, measured_texts

NONCOMMERCIAL = ("norec_sentence_train.jsonl", "tweeteval_val.jsonl", "swe_sentiment_train.jsonl")


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


@pytest.fixture(scope="module")
def corpus() -> list:
    return build_corpus(augment=True, with_context=True)


def test_no_measured_text_is_in_the_corpus(corpus: list) -> None:
    banned = measured_texts()
    assert len(banned) > 700  # employer dev + test + pairs eval
    assert not [it.text for it in corpus if _norm(it.text) in banned]


def test_no_noncommercial_text_is_in_the_corpus(corpus: list) -> None:
    texts = {_norm(it.text) for it in corpus}
    for name in NONCOMMERCIAL:
        path = SHARED / name
        if not path.is_file():
            continue
        with path.open(encoding="utf-8") as f:
            theirs = {_norm(json.loads(line)["text"]) for line in f if line.strip()}
        assert not texts & {t for t in theirs if len(t) > 25}, name


def test_corpus_holds_demo_posts_pairs_with_context_and_variations(corpus: list) -> None:
    groups = {it.group for it in corpus}
    assert {"employer", "candidates", "pairs", "demo", "split", "join"} <= groups
    assert any(it.group == "pairs" and it.context for it in corpus)
    assert any(it.group == "demo" and it.context for it in corpus)  # replies keep their parent
    alone = build_corpus(augment=False, with_context=False)
    assert all(it.context is None for it in alone)
    assert not any(it.group == "pairs" and it.label for it in alone)  # a pair's label needs its context
    assert len(alone) < len(corpus)


def test_corpus_is_deterministic() -> None:
    a = [(it.text, it.context) for it in build_corpus(seed=3)]
    assert a == [(it.text, it.context) for it in build_corpus(seed=3)]


def test_thread_pairs_come_with_their_parent_and_alone_and_never_a_measured_text(corpus: list) -> None:
    assert not any(it.group.startswith("threads") for it in corpus)  # off unless asked for
    more = build_corpus(augment=False, with_context=True, thread_pairs=True)
    threads = [it for it in more if it.group == "threads"]
    assert len(threads) > 800 and all(it.context and it.label for it in threads)
    alone = {_norm(it.text) for it in more if it.group == "threads-alone"}
    assert alone and alone <= {_norm(it.text) for it in threads}
    assert not {_norm(it.text) for it in threads} & measured_texts()
    no_context = build_corpus(augment=False, with_context=False, thread_pairs=True)
    assert not any(it.group == "threads" and it.label for it in no_context)  # their label needs the parent
