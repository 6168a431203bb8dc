"""A tiny, real sentence-transformers model built in-process, for tests that need an embedder.

The Hub is unreachable here and the built-in model takes ~15 s to convert and seconds per
batch, so tests that only need *a* working model use this one: a randomly initialised
2-layer BERT (hidden 32) with a WordPiece tokenizer trained on a few sentences, saved as an
ordinary ST folder (Transformer + mean pooling + Normalize). The weights are deterministic for a
given seed; the trained WordPiece vocabulary is not (the trainer breaks ties in hash order, so
its 400 pieces differ between processes). ``fixed_vocab=True`` builds the vocabulary from the
corpus's words and characters instead, so the whole folder is the same in every run: use it
where a test's outcome depends on what the model ranks (``tests/test_learn.py``).

    from support.tiny_model import make_tiny_model
    path = make_tiny_model(tmp_path / "tiny-model")
    Settings(model=str(path), embed_quantize=False)
"""

from __future__ import annotations

from pathlib import Path

TINY_CORPUS: tuple[str, ...] = (
    "Vi söker en erfaren sjuksköterska till vår mottagning i Katrineholm.",
    "Undersköterska till hemtjänsten, dagtid och varannan helg.",
    "Lagerarbetare med truckkort sökes till lager i Jönköping.",
    "Backend developer with Python, PostgreSQL and Kubernetes experience.",
    "Senior data engineer for our analytics platform in Gothenburg.",
    "Kock sökes till restaurang i Umeå, kvällar och helger.",
    "Elektriker med behörighet, service och installation i Malmö.",
    "Lärare i matematik och fysik till gymnasieskola i Uppsala.",
    "Bussförare till kollektivtrafiken, yrkeskompetensbevis krävs.",
    "Ekonomiassistent: leverantörsreskontra, fakturering och bokslut.",
    "Erfaren projektledare inom bygg och anläggning, Stockholm.",
    "Customer support agent, fluent in Swedish and English.",
    "query: passage: sjuksköterska psykiatri lager truck utvecklare python",
)
SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


EXTRA_CHARS = "abcdefghijklmnopqrstuvwxyzåäöéü0123456789"
"""Characters in the fixed vocabulary besides the corpus's, so most Swedish words split into known pieces."""


def corpus_vocab() -> dict[str, int]:
    """Special tokens, characters (as word starts and ``##`` continuations) and the corpus's words, sorted."""
    from tokenizers import normalizers, pre_tokenizers

    norm = normalizers.BertNormalizer(lowercase=True, strip_accents=False)
    pre = pre_tokenizers.BertPreTokenizer()
    words = {w for text in TINY_CORPUS for w, _ in pre.pre_tokenize_str(norm.normalize_str(text))}
    chars = {c for w in words for c in w} | set(EXTRA_CHARS)
    tokens = [*SPECIAL_TOKENS, *sorted(chars), *sorted("##" + c for c in chars), *sorted(words - chars)]
    return {t: i for i, t in enumerate(dict.fromkeys(tokens))}


def _tokenizer(max_seq_length: int, fixed: bool = False):  # -> PreTrainedTokenizerFast
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    wordpiece = models.WordPiece(corpus_vocab(), unk_token="[UNK]") if fixed else models.WordPiece(unk_token="[UNK]")
    tok = Tokenizer(wordpiece)
    tok.normalizer = normalizers.BertNormalizer(lowercase=True, strip_accents=False)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece()
    if not fixed:
        trainer = trainers.WordPieceTrainer(vocab_size=400, special_tokens=list(SPECIAL_TOKENS), show_progress=False)
        tok.train_from_iterator(TINY_CORPUS, trainer=trainer)
    cls_id, sep_id = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)],
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        model_max_length=max_seq_length,
    )


def make_tiny_model(directory: Path, *, seed: int = 0, max_seq_length: int = 128, fixed_vocab: bool = False) -> Path:
    """Write a tiny ST model into ``directory`` (created if needed) and return its path.

    A different ``seed`` gives different weights with the same shapes (same file sizes).
    ``fixed_vocab``: the same vocabulary in every run (see the module docstring).
    """
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    from transformers import BertConfig, BertModel

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    tokenizer = _tokenizer(max_seq_length, fixed=fixed_vocab)
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=max(max_seq_length, 128),
        pad_token_id=tokenizer.pad_token_id,
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        BertModel(config).eval().save_pretrained(directory)
    tokenizer.save_pretrained(directory)

    transformer = Transformer(str(directory), max_seq_length=max_seq_length)
    pooling = Pooling(transformer.get_embedding_dimension(), pooling_mode="mean")
    SentenceTransformer(modules=[transformer, pooling, Normalize()], device="cpu").save(str(directory))
    return directory
