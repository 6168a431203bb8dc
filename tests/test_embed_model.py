"""Embedder behaviour on a tiny in-process model: shapes, order, prefixes, fingerprints, errors."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import numpy as np
import pytest

from jobsai.config import Settings
from jobsai.embed.model import (
    E5_PREFIXES,
    FINGERPRINT_CACHE_FILE,
    NO_PREFIXES,
    Embedder,
    Prefixes,
    _state_dict_sha256,
    length_batches,
    resolve_device,
    weights_sha256,
)
from jobsai.errors import ModelError

from support.tiny_model import make_tiny_model

TEXTS = [
    "Sjuksköterska till psykiatrisk mottagning i Katrineholm, heltid, tillsvidare.",
    "Lager",
    "Backend developer with Python and PostgreSQL, hybrid work in Stockholm, three days a week.",
    "Kock",
    "Undersköterska till hemtjänsten, dagtid och varannan helg, körkort krävs.",
    "Elektriker i Malmö",
    "",
]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_model(tmp_path_factory.mktemp("models") / "tiny-bert")


@pytest.fixture(scope="module")
def tiny_e5(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_model(tmp_path_factory.mktemp("models") / "tiny-e5-small")


def settings_for(model: Path, data_dir: Path, **kw: object) -> Settings:
    values: dict[str, object] = {"data_dir": data_dir, "model": str(model), "embed_quantize": False,
                                 "embed_precision": "fp32"}  # compared with plain ST encode, to 1e-5
    values.update(kw)
    return Settings(**values)


def test_shapes_dtype_and_normalisation(tiny: Path, data_dir: Path) -> None:
    emb = Embedder.load(settings_for(tiny, data_dir))
    p = emb.encode_passages(TEXTS)
    q = emb.encode_queries(TEXTS[:2])
    assert p.shape == (len(TEXTS), 32) and q.shape == (2, 32)
    assert p.dtype == np.float32 and q.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-5)
    assert emb.encode_passages([]).shape == (0, 32)
    assert emb.dim == emb.fingerprint.dim == 32
    assert emb.max_tokens == 128
    assert emb.prefixes == NO_PREFIXES
    assert emb.device == "cpu"


def test_length_sorting_restores_input_order(tiny: Path, data_dir: Path) -> None:
    emb = Embedder.load(settings_for(tiny, data_dir, embed_batch_size=2))
    batched = emb.encode_passages(TEXTS)
    one_by_one = np.vstack([emb.encode_passages([t]) for t in TEXTS])
    np.testing.assert_allclose(batched, one_by_one, atol=1e-5)
    # and equal to plain sentence-transformers (no prefixes for this model)
    ref = emb.sentence_transformer.encode(TEXTS, normalize_embeddings=True)
    np.testing.assert_allclose(batched, ref, atol=1e-5)


def test_batches_split_where_padding_would_double_the_work() -> None:
    lengths = np.array([100, 20, 90, 95, 10, 60, 55])
    order = np.argsort(-lengths, kind="stable")
    as_lengths = [lengths[b].tolist() for b in length_batches(order, lengths, 32)]
    assert as_lengths == [[100, 95, 90, 60, 55], [20, 10]]
    assert [lengths[b].tolist() for b in length_batches(order, lengths, 2)] == [[100, 95], [90, 60], [55], [20, 10]]
    assert sorted(np.concatenate(length_batches(order, lengths, 3)).tolist()) == list(range(len(lengths)))


def test_batches_hold_at_most_the_token_budget() -> None:
    lengths = np.array([100, 20, 90, 95, 10, 60, 55])
    order = np.argsort(-lengths, kind="stable")
    got = [lengths[b].tolist() for b in length_batches(order, lengths, 32, max_tokens=200)]
    assert got == [[100, 95], [90, 60], [55], [20, 10]]
    for batch in length_batches(order, lengths, 32, max_tokens=200):
        assert len(batch) * lengths[batch].max() <= 200 or len(batch) == 1
    # a text longer than the budget still gets a batch of its own
    assert [lengths[b].tolist() for b in length_batches(order, lengths, 32, max_tokens=50)][:2] == [[100], [95]]


def test_a_token_budget_does_not_change_the_vectors(tiny: Path, data_dir: Path) -> None:
    wide = Embedder.load(settings_for(tiny, data_dir))
    narrow = Embedder.load(settings_for(tiny, data_dir, embed_batch_tokens=40))
    assert narrow.batch_tokens == 40 and wide.batch_tokens == 2048
    np.testing.assert_allclose(narrow.encode_passages(TEXTS), wide.encode_passages(TEXTS), atol=1e-5)


def test_device_auto_is_the_cpu_here_and_a_missing_gpu_is_a_clear_error() -> None:
    import torch

    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device(None) == resolve_device("auto") == resolve_device(" AUTO ") == expected
    assert resolve_device("cpu") == "cpu"
    if not torch.cuda.is_available():
        with pytest.raises(ModelError, match="sees no CUDA GPU"):
            resolve_device("cuda")


def test_a_single_string_is_refused(tiny: Path, data_dir: Path) -> None:
    emb = Embedder.load(settings_for(tiny, data_dir))
    with pytest.raises(TypeError):
        emb.encode_passages("one text")  # type: ignore[arg-type]


def test_e5_prefixes_detected_from_name_and_applied(tiny_e5: Path, data_dir: Path) -> None:
    emb = Embedder.load(settings_for(tiny_e5, data_dir))
    assert emb.prefixes == E5_PREFIXES
    st = emb.sentence_transformer
    q = emb.encode_queries(["sjuksköterska"])
    p = emb.encode_passages(["sjuksköterska"])
    np.testing.assert_allclose(q, st.encode(["query: sjuksköterska"], normalize_embeddings=True), atol=1e-5)
    np.testing.assert_allclose(p, st.encode(["passage: sjuksköterska"], normalize_embeddings=True), atol=1e-5)
    assert not np.allclose(q, p)


def test_prefixes_from_marker_file_and_explicit_override(tmp_path: Path, data_dir: Path) -> None:
    model = make_tiny_model(tmp_path / "plain")
    (model / "jobsai-model.json").write_text(json.dumps({"prefixes": {"query": "Q: ", "passage": "P: "}}))
    assert Embedder.load(settings_for(model, data_dir)).prefixes == Prefixes("Q: ", "P: ")
    forced = Embedder.load(settings_for(model, data_dir), prefixes=Prefixes("", "doc: "))
    assert forced.prefixes == Prefixes("", "doc: ")
    np.testing.assert_allclose(
        forced.encode_passages(["lager"]),
        forced.sentence_transformer.encode(["doc: lager"], normalize_embeddings=True),
        atol=1e-5,
    )


def test_count_tokens_includes_prefix_and_specials(tiny_e5: Path, data_dir: Path) -> None:
    emb = Embedder.load(settings_for(tiny_e5, data_dir))
    tok = emb.tokenizer
    assert emb.count_tokens("lager i malmö") == len(tok("passage: lager i malmö")["input_ids"])
    assert emb.count_tokens("lager i malmö", "query") == len(tok("query: lager i malmö")["input_ids"])
    long = " ".join(["sjuksköterska"] * 300)
    assert emb.count_tokens(long) > emb.max_tokens  # counted, not truncated


def test_truncation_is_logged(tiny: Path, data_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    emb = Embedder.load(settings_for(tiny, data_dir))
    with caplog.at_level(logging.WARNING, logger="jobsai.embed.model"):
        emb.encode_passages(["kort text", " ".join(["lager"] * 400)])
    assert "1 of 2 passage texts are longer than 128 tokens" in caplog.text


def test_fingerprint_stable_cached_and_changes_with_weights(tmp_path: Path, data_dir: Path) -> None:
    model = make_tiny_model(tmp_path / "fp-model", seed=0)
    s = settings_for(model, data_dir)
    first = Embedder.load(s).fingerprint
    assert first == Embedder.load(s).fingerprint
    assert first.name == "fp-model" and first.dim == 32 and len(first.weights_sha256) == 64
    cache = json.loads((s.resolved_model_cache_dir / FINGERPRINT_CACHE_FILE).read_text())
    assert cache[str(model.resolve())]["sha256"] == first.weights_sha256

    make_tiny_model(model, seed=1)  # same shapes and file size, other weights
    weights = model / "model.safetensors"
    os.utime(weights, ns=(weights.stat().st_atime_ns, weights.stat().st_mtime_ns + 10**9))
    second = Embedder.load(s).fingerprint
    assert second.weights_sha256 != first.weights_sha256
    assert second.weights_sha256 == weights_sha256(model)  # uncached computation agrees


def test_quantized_path_runs_on_cpu(tiny: Path, data_dir: Path) -> None:
    emb = Embedder.load(settings_for(tiny, data_dir, embed_quantize=True))
    assert emb.quantize
    v = emb.encode_passages(TEXTS)
    assert v.shape == (len(TEXTS), 32)
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    import torch

    st = emb.sentence_transformer
    assert emb._inference_model() is not st  # the int8 copy passed its own fp32 check
    linears = [m for m in st.modules() if isinstance(m, torch.nn.Linear)]
    assert linears and all(m.weight.dtype == torch.float32 for m in linears)  # fp32 kept for training


def test_threads_setting_is_applied(tiny: Path, data_dir: Path) -> None:
    import torch

    before = torch.get_num_threads()
    try:
        Embedder.load(settings_for(tiny, data_dir, embed_threads=1))
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


def test_missing_local_folder_is_a_readable_error(tmp_path: Path, data_dir: Path) -> None:
    with pytest.raises(ModelError, match="does not exist"):
        Embedder.load(settings_for(tmp_path / "nope" / "model", data_dir))


def test_unfetchable_hub_id_is_a_readable_error(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("huggingface_hub.constants.ENDPOINT", "http://127.0.0.1:9")  # nothing listens
    with pytest.raises(ModelError, match="JOBSAI_MODEL"):
        Embedder.load(Settings(data_dir=data_dir, model="no-such-org/no-such-model-jobsai"))


def test_broken_local_folder_is_a_model_error(tmp_path: Path, data_dir: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text("{not json")
    with pytest.raises(ModelError):
        Embedder.load(settings_for(broken, data_dir))


def test_in_memory_fingerprint_fallback_is_stable(tiny: Path, data_dir: Path) -> None:
    st = Embedder.load(settings_for(tiny, data_dir)).sentence_transformer
    assert _state_dict_sha256(st) == _state_dict_sha256(st)
    other = Embedder.load(settings_for(make_tiny_model(data_dir / "seed2", seed=2), data_dir))
    assert _state_dict_sha256(other.sentence_transformer) != _state_dict_sha256(st)
