"""The ONNX Runtime backend on the tiny test model: export + verification, the cache and its key,
refusal of a damaged or drifting export (with the fall-back to torch), rankings that agree with
torch, pooling as ST does it, index identity by kind of vectors, and a promoted model's export."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from jobsai.config import Settings
from jobsai.embed import onnx_backend
from jobsai.embed.backends import FP32_BACKENDS
from jobsai.embed.fingerprint import FP32_VECTORS, ModelFingerprint
from jobsai.embed.model import CALIBRATION_TEXTS, Embedder
from jobsai.embed.model_ref import ModelRef
from jobsai.embed.onnx_backend import (
    MANIFEST_FILE,
    OnnxExportError,
    PoolingSpec,
    export_folder,
    load_onnx_encoder,
    pool,
)
from jobsai.embed.onnx_export import MODEL_FILE, OnnxSettings
from jobsai.errors import IndexModelMismatchError
from jobsai.index import catalog
from jobsai.index.base import IndexIdentity
from jobsai.index.factory import open_index
from jobsai.runtime import Runtime
from jobsai.sources.demo import iter_demo_items
from jobsai.sync.reindex import build_index, switch_active
from jobsai.worker import Worker

from support.backend_texts import ADS, QUERIES, assert_same_ranking
from support.promotion import promoting
from support.tiny_model import make_tiny_model


def settings_for(model: Path, data_dir: Path, cache: Path, **kw: Any) -> Settings:
    values: dict[str, Any] = {"data_dir": data_dir, "model": str(model), "model_cache_dir": cache,
                              "embed_quantize": False, "embed_backend": "onnx", "embed_precision": "fp32",
                              "embed_prepare_in_child": False}  # these tests patch the exporter in this process
    values.update(kw)
    return Settings(**values)


def test_export_is_verified_cached_and_serves_both_kinds(tiny: Path, data_dir: Path, cache: Path, monkeypatch) -> None:
    emb = Embedder.load(settings_for(tiny, data_dir, cache))
    assert emb.backend == "onnx"
    assert emb.fingerprint.vectors == OnnxSettings().vectors != FP32_VECTORS
    folder = export_folder(cache, emb.fingerprint.weights_sha256, OnnxSettings())
    manifest = json.loads((folder / MANIFEST_FILE).read_text())
    assert manifest["weights_sha256"] == emb.fingerprint.weights_sha256
    assert manifest["verification"]["mean_cosine"] >= onnx_backend.MIN_MEAN_COSINE
    assert manifest["verification"]["texts"] == len(np.asarray(manifest["reference"]))
    assert not [p for p in folder.parent.iterdir() if ".tmp-" in p.name]  # published atomically

    torch_emb = Embedder.load(settings_for(tiny, data_dir, cache, embed_backend="torch"))
    assert torch_emb.backend == "torch" and torch_emb.fingerprint.vectors == FP32_VECTORS
    for a, b in ((emb.encode_passages(ADS), torch_emb.encode_passages(ADS)),
                 (emb.encode_queries(QUERIES), torch_emb.encode_queries(QUERIES))):
        assert a.dtype == np.float32 and a.shape == b.shape
        np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
        assert np.sum(a * b, axis=1).min() > 0.99
    # Length bucketing and batch size do not change the vectors.
    emb.batch_size = 2
    np.testing.assert_allclose(emb.encode_passages(ADS), np.vstack([emb.encode_passages([t]) for t in ADS]),
                               atol=1e-4)

    # A second load uses the cache: nothing is exported again.
    def no_export(*_a: Any, **_k: Any) -> None:
        raise AssertionError("exported again")

    monkeypatch.setattr(onnx_backend, "build_export", no_export)
    again = Embedder.load(settings_for(tiny, data_dir, cache))
    assert again.backend == "onnx" and again.fingerprint == emb.fingerprint
    assert again._onnx.threads >= 1  # type: ignore[union-attr]


def test_weights_changed_in_place_drop_the_export(tiny: Path, data_dir: Path, cache: Path) -> None:
    emb = Embedder.load(settings_for(tiny, data_dir, cache))
    assert emb.backend == "onnx"
    emb.refresh_inference_model()  # what a caller does after training the model in place
    assert emb.backend == "torch" and emb.fingerprint.vectors == FP32_VECTORS
    np.testing.assert_allclose(emb.encode_passages(ADS[:2]), emb.sentence_transformer.encode(
        [emb.prefixes.passage + t for t in ADS[:2]], normalize_embeddings=True), atol=1e-5)


@pytest.mark.parametrize(("backend", "tolerance"), [("onnx", 0.02), ("onnx-fp32", 1e-4)])
def test_same_ranking_from_every_backend(tiny: Path, data_dir: Path, cache: Path, backend: str,
                                         tolerance: float) -> None:
    onnx = Embedder.load(settings_for(tiny, data_dir, cache, embed_backend=backend))
    fp32 = Embedder.load(settings_for(tiny, data_dir, cache, embed_backend="torch"))
    assert onnx.backend == backend
    s_onnx = onnx.encode_queries(QUERIES) @ onnx.encode_passages(ADS).T
    s_fp32 = fp32.encode_queries(QUERIES) @ fp32.encode_passages(ADS).T
    assert_same_ranking(s_fp32, s_onnx, tolerance)


def test_a_query_backend_changes_queries_only(tiny: Path, data_dir: Path, cache: Path) -> None:
    torch_emb = Embedder.load(settings_for(tiny, data_dir, cache, embed_backend="torch"))
    emb = Embedder.load(settings_for(tiny, data_dir, cache, embed_backend="torch", query_backend="onnx"))
    assert emb.backend == "torch" and emb.query_backend == "onnx"
    assert emb.fingerprint == torch_emb.fingerprint  # what the index records does not change
    np.testing.assert_allclose(emb.encode_passages(ADS), torch_emb.encode_passages(ADS), atol=1e-5)
    q, q_torch = emb.encode_queries(QUERIES), torch_emb.encode_queries(QUERIES)
    cos = np.sum(q * q_torch, axis=1)
    assert cos.min() > 0.98 and np.abs(q - q_torch).max() > 1e-5  # the int8 export encoded them
    emb.refresh_inference_model()  # weights changed in place: the export no longer applies
    assert emb.query_backend == "torch"
    np.testing.assert_allclose(emb.encode_queries(QUERIES), q_torch, atol=1e-5)


def test_a_corrupted_export_is_refused_and_made_again(tiny: Path, data_dir: Path, cache: Path, caplog) -> None:
    emb = Embedder.load(settings_for(tiny, data_dir, cache))
    path = export_folder(cache, emb.fingerprint.weights_sha256, OnnxSettings()) / MODEL_FILE
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(b ^ 0xFF for b in data[middle : middle + 64])
    path.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING, logger="jobsai.embed.onnx_backend"):
        again = Embedder.load(settings_for(tiny, data_dir, cache))
    assert "was refused" in caplog.text and "differs from the file that was verified" in caplog.text
    assert again.backend == "onnx"
    assert path.read_bytes() != bytes(data)  # a fresh, verified export replaced it


def test_the_export_is_hashed_again_only_when_the_file_changed(
    tiny: Path, data_dir: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The export's sha256 is remembered by the file's size, times and inode: a load of an unchanged
    file does not read it, and a file that was rewritten or touched is hashed again."""
    import os

    emb = Embedder.load(settings_for(tiny, data_dir, cache))
    folder = export_folder(cache, emb.fingerprint.weights_sha256, OnnxSettings())
    stamp = json.loads((folder / onnx_backend.HASH_STAMP_FILE).read_text())
    assert stamp["sha256"] == json.loads((folder / MANIFEST_FILE).read_text())["onnx_sha256"]
    hashed: list[Path] = []
    real = onnx_backend.file_sha256
    monkeypatch.setattr(onnx_backend, "file_sha256", lambda path: hashed.append(path) or real(path))
    assert Embedder.load(settings_for(tiny, data_dir, cache)).backend == "onnx"
    assert hashed == []
    os.utime(folder / MODEL_FILE)  # same bytes, new times: hashed again, still the verified file
    assert Embedder.load(settings_for(tiny, data_dir, cache)).backend == "onnx"
    assert hashed == [folder / MODEL_FILE]
    assert Embedder.load(settings_for(tiny, data_dir, cache)).backend == "onnx" and len(hashed) == 1


def _perturbing_export(real: Any) -> Any:
    """``build_export`` that perturbs the exported model's float weights (a bad export or quantisation)."""

    def build(model: Any, folder: Path, settings: OnnxSettings, *args: Any) -> dict[str, Any]:
        import onnx
        from onnx import numpy_helper

        built = real(model, folder, settings, *args)
        graph = onnx.load(str(folder / MODEL_FILE))
        rng = np.random.default_rng(0)
        for init in graph.graph.initializer:  # LayerNorm weights, biases, per-channel scales
            arr = numpy_helper.to_array(init)
            if arr.dtype == np.float32 and arr.size >= 8:
                noise = rng.uniform(-1.0, 2.0, arr.shape).astype(np.float32)
                init.CopyFrom(numpy_helper.from_array(arr * noise, init.name))
        onnx.save(graph, str(folder / MODEL_FILE))
        return built

    return build


def test_an_export_that_drifts_from_fp32_is_refused_and_torch_serves(
    tmp_path: Path, data_dir: Path, monkeypatch, caplog
) -> None:
    model = make_tiny_model(tmp_path / "drifting", seed=3)
    cache = tmp_path / "cache"
    monkeypatch.setattr(onnx_backend, "build_export", _perturbing_export(onnx_backend.build_export))
    with caplog.at_level(logging.WARNING, logger="jobsai.embed.model"):
        emb = Embedder.load(settings_for(model, data_dir, cache))
    assert emb.backend == "torch" and emb.fingerprint.vectors == FP32_VECTORS
    assert "drifts from the fp32 model" in caplog.text and "Encoding with torch" in caplog.text
    folder = export_folder(cache, emb.fingerprint.weights_sha256, OnnxSettings())
    assert not folder.exists()  # nothing unverified is cached
    np.testing.assert_allclose(emb.encode_passages(ADS[:3]), emb.sentence_transformer.encode(
        ADS[:3], normalize_embeddings=True), atol=1e-5)

    # The refusal is remembered: the next load does not spend an export on it.
    def no_export(*_a: Any, **_k: Any) -> None:
        raise AssertionError("exported again")

    monkeypatch.setattr(onnx_backend, "build_export", no_export)
    with pytest.raises(OnnxExportError, match="refused before"):
        load_onnx_encoder(emb.sentence_transformer, weights_sha256=emb.fingerprint.weights_sha256, cache_dir=cache,
                          texts=CALIBRATION_TEXTS, prefixes={})
    assert Embedder.load(settings_for(model, data_dir, cache)).backend == "torch"


def test_cache_key_changes_with_weights_and_settings(tmp_path: Path, data_dir: Path, cache: Path, tiny: Path) -> None:
    other = make_tiny_model(tmp_path / "other", seed=1, fixed_vocab=True)
    a = Embedder.load(settings_for(tiny, data_dir, cache))
    b = Embedder.load(settings_for(other, data_dir, cache))
    assert a.backend == b.backend == "onnx"
    assert a.fingerprint.weights_sha256 != b.fingerprint.weights_sha256
    folder_a = export_folder(cache, a.fingerprint.weights_sha256, OnnxSettings())
    folder_b = export_folder(cache, b.fingerprint.weights_sha256, OnnxSettings())
    assert folder_a != folder_b and folder_a.is_dir() and folder_b.is_dir()
    key = OnnxSettings().cache_key("ab" * 32)
    assert OnnxSettings(per_channel=False).cache_key("ab" * 32) != key
    assert OnnxSettings(op_types=("MatMul",)).cache_key("ab" * 32) != key
    assert OnnxSettings(fp32_down_proj=True).cache_key("ab" * 32) != key
    assert "fp32_down_proj" not in OnnxSettings().as_dict()  # the shipped export keeps its cache key
    assert OnnxSettings().cache_key("cd" * 32) != key
    assert OnnxSettings(per_channel=False).vectors != OnnxSettings().vectors


def test_linear_layers_with_outlying_inputs_stay_fp32(tiny: Path, data_dir: Path, tmp_path: Path) -> None:
    import onnx

    emb = Embedder.load(settings_for(tiny, data_dir, tmp_path / "cache", embed_backend="torch"))
    settings = OnnxSettings(fp32_outlier_ratio=1.0, fp32_max_share=0.25)  # the 25 % most outlying
    enc = load_onnx_encoder(emb.sentence_transformer, weights_sha256=emb.fingerprint.weights_sha256,
                            cache_dir=tmp_path / "cache", texts=CALIBRATION_TEXTS, prefixes={}, settings=settings)
    manifest = json.loads((enc.path.parent / MANIFEST_FILE).read_text())
    kept = manifest["fp32_linears"]
    assert len(kept) == 3  # of the tiny BERT's 12 linear layers
    ops = [n.op_type for n in onnx.load(str(enc.path)).graph.node]
    assert ops.count("MatMulInteger") == 12 - 3  # the others are int8
    assert enc.vectors != OnnxSettings().vectors
    assert manifest["verification"]["mean_cosine"] >= onnx_backend.MIN_MEAN_COSINE


def test_down_projections_stay_fp32_when_asked(tiny: Path, data_dir: Path, tmp_path: Path) -> None:
    import onnx

    emb = Embedder.load(settings_for(tiny, data_dir, tmp_path / "cache", embed_backend="torch"))
    settings = OnnxSettings(fp32_outlier_ratio=0, fp32_down_proj=True)
    enc = load_onnx_encoder(emb.sentence_transformer, weights_sha256=emb.fingerprint.weights_sha256,
                            cache_dir=tmp_path / "cache", texts=CALIBRATION_TEXTS, prefixes={}, settings=settings)
    kept = json.loads((enc.path.parent / MANIFEST_FILE).read_text())["fp32_linears"]
    assert sorted(kept) == ["encoder.layer.0.output.dense", "encoder.layer.1.output.dense"]  # 64 -> 32, not attention's
    ops = [n.op_type for n in onnx.load(str(enc.path)).graph.node]
    assert ops.count("MatMulInteger") == 12 - 2
    assert len({enc.vectors, OnnxSettings(fp32_outlier_ratio=0).vectors, OnnxSettings().vectors}) == 3


def test_an_unsupported_module_stack_falls_back_to_torch(tmp_path: Path, data_dir: Path, caplog) -> None:
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Dense

    base = make_tiny_model(tmp_path / "base")
    st = SentenceTransformer(str(base), device="cpu")
    dense = Dense(in_features=32, out_features=16)
    SentenceTransformer(modules=[st[0], st[1], dense], device="cpu").save(str(tmp_path / "with-dense"))
    with caplog.at_level(logging.WARNING, logger="jobsai.embed.model"):
        emb = Embedder.load(settings_for(tmp_path / "with-dense", data_dir, tmp_path / "cache"))
    assert emb.backend == "torch" and "Transformer + Pooling" in caplog.text


@pytest.mark.parametrize("modes", [("mean",), ("cls",), ("max",), ("mean_sqrt_len_tokens",), ("mean", "max")])
@pytest.mark.parametrize("include_prompt", [True, False])
def test_numpy_pooling_matches_sentence_transformers(modes: tuple[str, ...], include_prompt: bool) -> None:
    import torch
    from sentence_transformers.sentence_transformer.modules import Pooling

    rng = np.random.default_rng(1)
    hidden = rng.normal(size=(3, 7, 8)).astype(np.float32)
    mask = np.array([[1] * 7, [1] * 4 + [0] * 3, [1] * 2 + [0] * 5], dtype=np.int64)
    st_pool = Pooling(8, pooling_mode=modes if len(modes) > 1 else modes[0], include_prompt=include_prompt)
    features = {"token_embeddings": torch.from_numpy(hidden), "attention_mask": torch.from_numpy(mask),
                "prompt_length": 1}
    want = torch.nn.functional.normalize(st_pool(features)["sentence_embedding"], dim=1).numpy()
    got = pool(hidden, mask, PoolingSpec(modes=modes, include_prompt=include_prompt), prompt_length=1)
    np.testing.assert_allclose(got, want, atol=1e-5)


# ---------------------------------------------------------------------- index identity


def test_index_identity_records_the_kind_of_vectors(tmp_path: Path) -> None:
    fp32 = ModelFingerprint(name="m", weights_sha256="ab" * 32, dim=32)
    int8 = ModelFingerprint(name="m", weights_sha256="ab" * 32, dim=32, vectors=OnnxSettings().vectors)
    recorded = IndexIdentity.current(fp32, "bm25-sig")
    assert IndexIdentity.from_json(recorded.to_json(), "here") == recorded
    legacy = recorded.to_json()
    del legacy["model"]["vectors"]  # type: ignore[index]
    assert IndexIdentity.from_json(legacy, "here").fingerprint.vectors == FP32_VECTORS  # older indexes
    with pytest.raises(IndexModelMismatchError, match="JOBSAI_EMBED_BACKEND"):
        recorded.check(IndexIdentity.current(int8, "bm25-sig"), "here")

    settings = Settings(data_dir=tmp_path / "data")
    open_index(settings, fp32, "ads", create=True).close()
    with pytest.raises(IndexModelMismatchError, match="fp32 vectors"):
        open_index(settings, int8, "ads", create=False)


@pytest.fixture
def demo_ads() -> list[dict[str, Any]]:
    return list(iter_demo_items())[:12]


def test_the_index_keeps_its_backend_until_an_index_is_built_with_the_new_one(
    tiny: Path, tmp_path: Path, cache: Path, demo_ads: list[dict[str, Any]], caplog
) -> None:
    torch_settings = settings_for(tiny, tmp_path / "data", cache, embed_backend="torch")
    with Runtime(torch_settings) as rt:
        rt.ingestor.load_items(demo_ads, expire=False)
        assert rt.embedder.backend == "torch"
    onnx_settings = torch_settings.model_copy(update={"embed_backend": "onnx"})
    with caplog.at_level(logging.WARNING, logger="jobsai.index.catalog"), Runtime(onnx_settings) as rt:
        # The index holds fp32 vectors: queries must match them, so the fastest fp32 backend encodes.
        assert rt.embedder.backend in FP32_BACKENDS and rt.embedder.fingerprint.vectors == FP32_VECTORS
        assert rt.index.count() == len(demo_ads)
        assert "holds fp32 vectors: encoding with the openvino backend" in caplog.text
        # `jobsai index build --switch`: a new index with the configured backend, then switch.
        embedder = Embedder.load(onnx_settings)
        build_index(onnx_settings, rt.db, embedder, "ads-2")
        switch_active(onnx_settings, rt.db, "ads-2")
    with Runtime(onnx_settings) as rt, rt.db.begin(readonly=True) as conn:
        assert catalog.get_index(conn, "ads-2").vectors == embedder.fingerprint.vectors  # type: ignore[union-attr]
    with Runtime(onnx_settings) as rt:
        assert rt.index_name == "ads-2" and rt.embedder.backend == "onnx"
        assert rt.embedder.fingerprint == embedder.fingerprint
        assert rt.ingestor.sync_index().indexed == 0
        assert rt.matcher.match(" ".join(ADS[:4]) * 3, top_k=3)


def test_the_fp32_export_makes_torchs_vectors_and_serves_a_torch_built_index(
    tiny: Path, tmp_path: Path, cache: Path, demo_ads: list[dict[str, Any]], caplog
) -> None:
    torch_settings = settings_for(tiny, tmp_path / "data", cache, embed_backend="torch")
    with Runtime(torch_settings) as rt:
        rt.ingestor.load_items(demo_ads, expire=False)
    fp32_settings = torch_settings.model_copy(update={"embed_backend": "onnx-fp32"})
    with caplog.at_level(logging.WARNING, logger="jobsai.runtime"), Runtime(fp32_settings) as rt:
        assert rt.embedder.backend == "onnx-fp32" and rt.embedder.fingerprint.vectors == FP32_VECTORS
        assert "backend" not in caplog.text  # same vectors: no switch back to torch
        assert rt.index.count() == len(demo_ads) and rt.ingestor.sync_index().indexed == 0
        assert rt.matcher.match(" ".join(ADS[:4]) * 3, top_k=3)


# ---------------------------------------------------------------------- promotion


@pytest.fixture
def worker_runtime(tiny: Path, tmp_path: Path, cache: Path, demo_ads: list[dict[str, Any]]) -> Iterator[Runtime]:
    settings = settings_for(tiny, tmp_path / "data", cache, database_url=None, qdrant_url=None,
                            jobstream_url="http://127.0.0.1:9")
    rt = Runtime(settings)
    rt.ingestor.load_items(demo_ads, expire=False)
    yield rt
    rt.close()


def test_a_promoted_model_gets_its_own_verified_export(
    worker_runtime: Runtime, tmp_path: Path, cache: Path, monkeypatch
) -> None:
    """The learning loop saves a fine-tuned model and promotes it; the worker's re-index loads it
    with the onnx backend, which exports, verifies and caches it under the new weights' hash."""
    rt0 = worker_runtime
    assert rt0.embedder.backend == "onnx"
    tuned = make_tiny_model(rt0.settings.data_dir / "models" / "v-tuned", seed=7, fixed_vocab=True)

    w = Worker(rt0.settings, lambda: rt0, update=lambda rt: None, train=promoting("v-tuned", tuned))
    assert w.run_job("train") is True
    with rt0.db.begin(readonly=True) as conn:
        active = catalog.active_index(conn)
    assert active is not None and active.name == "ads-2"
    assert active.model_spec == str(tuned) and active.model == ModelRef(str(tuned), "onnx")
    assert active.vectors == OnnxSettings().vectors
    folder = export_folder(cache, active.model_sha256, OnnxSettings())
    manifest = json.loads((folder / MANIFEST_FILE).read_text())
    assert manifest["weights_sha256"] == active.model_sha256 != rt0.embedder.fingerprint.weights_sha256
    assert manifest["verification"]["mean_cosine"] >= onnx_backend.MIN_MEAN_COSINE
    rt0.close()
    with Runtime(rt0.settings) as rt:
        assert rt.index_name == "ads-2" and rt.embedder.backend == "onnx"
        assert rt.embedder.fingerprint.weights_sha256 == active.model_sha256
