"""The encoder-ceiling bench's arithmetic: the padding it assumes and the products it times are the
runtime's, so its bound is a bound (bench/encoder_ceiling.py; the timing itself is a benchmark, not a test)."""

from __future__ import annotations

from bench.encoder_ceiling import BATCH, layer_macs_per_token, padded_tokens_per_text, time_layer


class _WordTokenizer:
    def __call__(self, text: str, truncation: bool = True, max_length: int = 256) -> dict[str, list[int]]:
        return {"input_ids": list(range(min(len(text.split()), max_length)))}


def test_padding_follows_length_sorted_batches() -> None:
    texts = ["a " * 3] * BATCH + ["a " * 10] * (BATCH - 1) + ["a " * 40]
    # sorted: a batch of 3-token texts, then a batch padded to the one 40-token text
    assert padded_tokens_per_text(texts, _WordTokenizer(), "") == (3 * BATCH + 40 * BATCH) / (2 * BATCH)


def test_a_layer_is_the_six_weight_products_of_bert() -> None:
    h, f = 384, 1536
    assert layer_macs_per_token(h, f) == 4 * h * h + 2 * h * f


def test_both_kernels_time_every_shape() -> None:
    for int8 in (True, False):
        r = time_layer(rows=8, hidden=16, intermediate=32, int8=int8, reps=2)
        assert set(r["gmac_per_s"]) == {"16x16", "16x32", "32x16"}
        assert r["layer_seconds"] > 0 and r["layer_gmac_per_s"] > 0
