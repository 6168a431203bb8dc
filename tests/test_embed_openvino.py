"""The OpenVINO backend on the tiny test model: it runs the verified fp32 ONNX export (in bf16 where
asked), makes torch's vectors and so serves a torch-built index, ranks like torch, and falls back to
torch without touching the export when OpenVINO cannot run it."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from jobsai.config import Settings
from jobsai.embed import backends, onnx_backend, openvino_backend
from jobsai.embed.backends import same_vectors
from jobsai.embed.batching import LATENCY_TEXTS
from jobsai.embed.fingerprint import FP32_VECTORS
from jobsai.embed.model import Embedder
from jobsai.embed.model_ref import ModelRef
from jobsai.embed.onnx_backend import MANIFEST_FILE, REFUSED_FILE, export_folder
from jobsai.embed.onnx_export import OnnxSettings
from jobsai.runtime import Runtime
from jobsai.sources.demo import iter_demo_items

from support.backend_texts import ADS, QUERIES, assert_same_ranking

pytest.importorskip("openvino")



@pytest.fixture
def demo_ads() -> list[dict[str, Any]]:
    return list(iter_demo_items())[:12]


def settings_for(model: Path, data_dir: Path, cache: Path, **kw: Any) -> Settings:
    values: dict[str, Any] = {"data_dir": data_dir, "model": str(model), "model_cache_dir": cache,
                              "embed_quantize": False, "embed_backend": "openvino", "embed_precision": "fp32"}
    values.update(kw)
    return Settings(**values)


@pytest.mark.parametrize(("precision", "tolerance"), [("fp32", 1e-4), ("bf16", 0.02)])
def test_openvino_makes_torchs_vectors_and_ranks_the_same(
    tiny: Path, data_dir: Path, cache: Path, precision: str, tolerance: float
) -> None:
    ov = Embedder.load(settings_for(tiny, data_dir, cache, embed_precision=precision))
    ref = Embedder.load(settings_for(tiny, data_dir, cache, embed_backend="torch"))
    assert ov.backend == "openvino" and ov._onnx.precision == precision  # type: ignore[union-attr]
    assert ov.fingerprint == ref.fingerprint and ov.fingerprint.vectors == FP32_VECTORS
    assert same_vectors("openvino", "torch") and not same_vectors("openvino", "onnx")
    a, b = ov.encode_passages(ADS), ref.encode_passages(ADS)
    assert a.dtype == np.float32 and a.shape == b.shape
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert np.sum(a * b, axis=1).min() > 1 - tolerance
    s_ov = ov.encode_queries(QUERIES) @ a.T
    s_ref = ref.encode_queries(QUERIES) @ b.T
    assert_same_ranking(s_ref, s_ov, tolerance)
    # It runs the fp32 ONNX export, verified on this load as well.
    folder = export_folder(cache, ov.fingerprint.weights_sha256, OnnxSettings(precision="fp32"))
    assert json.loads((folder / MANIFEST_FILE).read_text())["vectors"] == FP32_VECTORS
    assert ov._onnx.mean_cosine >= onnx_backend.MIN_MEAN_COSINE  # type: ignore[union-attr]


def test_threads_share_the_encoder(tiny: Path, data_dir: Path, cache: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    ov = Embedder.load(settings_for(tiny, data_dir, cache))
    alone = ov.encode_passages(ADS)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: ov.encode_passages(ADS), range(8)))
    for got in results:
        np.testing.assert_allclose(got, alone, atol=1e-6)


def test_without_openvino_torch_serves_and_the_export_is_kept(
    tiny: Path, data_dir: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    Embedder.load(settings_for(tiny, data_dir, cache))  # the export exists
    folder = export_folder(cache, Embedder.load(settings_for(tiny, data_dir, cache)).fingerprint.weights_sha256,
                           OnnxSettings(precision="fp32"))
    monkeypatch.setattr(openvino_backend, "openvino_available", lambda: "openvino is not installed (test)")
    with caplog.at_level(logging.WARNING, logger="jobsai.embed.model"):
        emb = Embedder.load(settings_for(tiny, data_dir, cache))
    assert emb.backend == "torch" and emb.fingerprint.vectors == FP32_VECTORS
    assert "OpenVINO backend cannot be used" in caplog.text and "openvino is not installed" in caplog.text
    assert (folder / MANIFEST_FILE).is_file()
    assert not (folder.parent / f"{folder.name}.{REFUSED_FILE}").exists()
    # The ONNX Runtime backend still uses the same export.
    assert Embedder.load(settings_for(tiny, data_dir, cache, embed_backend="onnx-fp32")).backend == "onnx-fp32"


def test_an_openvino_that_drifts_is_refused_without_refusing_the_export(
    tiny: Path, data_dir: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """OpenVINO's vectors are verified against fp32 on every load; a drifting run (here: its output
    perturbed) is refused, torch serves, and the export stays verified for ONNX Runtime."""
    real_run = openvino_backend.OpenVinoEncoder._run

    def perturbed(self: Any, feed: dict[str, np.ndarray]) -> np.ndarray:
        out = real_run(self, feed)
        return out + np.random.default_rng(0).normal(0, 3 * float(np.abs(out).mean()), out.shape).astype(np.float32)

    monkeypatch.setattr(openvino_backend.OpenVinoEncoder, "_run", perturbed)
    with caplog.at_level(logging.WARNING, logger="jobsai.embed.model"):
        emb = Embedder.load(settings_for(tiny, data_dir, cache))
    assert emb.backend == "torch"
    assert "drifts from the fp32 model" in caplog.text
    folder = export_folder(cache, emb.fingerprint.weights_sha256, OnnxSettings(precision="fp32"))
    assert (folder / MANIFEST_FILE).is_file()
    assert not (folder.parent / f"{folder.name}.{REFUSED_FILE}").exists()


def test_openvino_serves_a_torch_built_index(
    tiny: Path, tmp_path: Path, cache: Path, demo_ads: list[dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    torch_settings = settings_for(tiny, tmp_path / "data", cache, embed_backend="torch")
    with Runtime(torch_settings) as rt:
        rt.ingestor.load_items(demo_ads, expire=False)
    ov_settings = torch_settings.model_copy(update={"embed_backend": "openvino", "embed_precision": "bf16"})
    with caplog.at_level(logging.WARNING, logger="jobsai.runtime"), Runtime(ov_settings) as rt:
        assert rt.embedder.backend == "openvino"
        assert "backend" not in caplog.text  # same vectors: no switch back to torch
        assert rt.index.count() == len(demo_ads) and rt.ingestor.sync_index().indexed == 0
        assert rt.matcher.match(" ".join(ADS[:4]) * 3, top_k=3)


def test_the_web_server_encodes_queries_with_openvino_under_auto(
    tiny: Path, tmp_path: Path, cache: Path, demo_ads: list[dict[str, Any]]
) -> None:
    """``JOBSAI_QUERY_BACKEND=auto``: a long-running server encodes CVs with OpenVINO (torch's vectors,
    so the torch-built index serves on); a one-off CLI runtime keeps torch for them."""
    from fastapi.testclient import TestClient

    from jobsai.web.app import create_app

    settings = settings_for(tiny, tmp_path / "data", cache, embed_backend="torch", embed_precision="auto",
                            database_url=None, qdrant_url=None, web_prepare_data=False)
    assert settings.query_backend == "auto"
    with Runtime(settings) as rt:
        rt.ingestor.load_items(demo_ads, expire=False)
        assert rt.embedder.query_backend == "torch"  # the CLI's runtime: no OpenVINO compile for one match
        with TestClient(create_app(settings, runtime=rt)) as client:
            assert rt.embedder.backend == "torch" and rt.embedder.query_backend == "openvino"
            r = client.post("/api/v1/match", json={"text": " ".join(ADS[:6]) * 3, "top_k": 3})
            assert r.status_code == 200, r.text
            assert r.json()["results"]
    fixed = settings.model_copy(update={"query_backend": None})
    with Runtime(fixed) as rt, TestClient(create_app(fixed, runtime=rt)):
        assert rt.embedder.query_backend == "torch"


def test_openvino_is_the_default_backend_but_where_int8_is_faster(
    tiny: Path, data_dir: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``auto`` serves OpenVINO with fp32's vectors unless configured otherwise, but on a CPU where
    its int8 copy was measured faster (VNNI and native bf16, no AMX: ``test_embed_openvino_int8``)."""
    monkeypatch.delenv("JOBSAI_EMBED_BACKEND", raising=False)  # conftest's choice for other tests
    assert Settings.model_fields["embed_backend"].default == "auto"
    values = settings_for(tiny, data_dir, cache).model_dump()
    del values["embed_backend"]
    monkeypatch.setattr(backends, "cpu_flags", lambda: frozenset({"avx512_vnni", "avx512_bf16", "amx_bf16"}))
    emb = Embedder.load(Settings(**values))
    assert emb.backend == "openvino" and emb.fingerprint.vectors == FP32_VECTORS
    monkeypatch.setattr(backends, "cpu_flags", lambda: frozenset({"avx512_vnni", "avx512_bf16"}))  # Zen 4
    assert ModelRef.configured(Settings(**values | {"embed_precision": "auto"})).backend == "openvino-int8"


def test_the_ir_has_fp16_weights_is_made_once_and_made_again_when_damaged(
    tiny: Path, data_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = tmp_path / "cache"
    emb = Embedder.load(settings_for(tiny, data_dir, cache))
    folder = export_folder(cache, emb.fingerprint.weights_sha256, OnnxSettings(precision="fp32"))
    ir = folder / openvino_backend.IR_DIR
    onnx_bytes = (folder / "model.onnx").stat().st_size
    weights = ir / "model.bin"
    assert (ir / openvino_backend.IR_FILE).is_file() and weights.stat().st_size < 0.6 * onnx_bytes  # fp16
    made = weights.stat().st_mtime_ns
    expected = emb.encode_passages(ADS)
    assert Embedder.load(settings_for(tiny, data_dir, cache)).backend == "openvino"
    assert weights.stat().st_mtime_ns == made  # reused, not converted again

    rng = np.random.default_rng(1)
    weights.write_bytes(rng.integers(0, 256, weights.stat().st_size, dtype=np.uint8).tobytes())  # noise
    with caplog.at_level(logging.WARNING, logger="jobsai.embed.onnx_backend"):
        again = Embedder.load(settings_for(tiny, data_dir, cache))
    assert again.backend == "openvino"  # the damaged IR was refused and converted afresh from the export
    assert "converting the export for openvino again" in caplog.text
    np.testing.assert_allclose(again.encode_passages(ADS), expected, atol=1e-5)


def test_the_ir_is_dropped_when_openvino_keeps_failing(
    tiny: Path, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    emb = Embedder.load(settings_for(tiny, data_dir, cache))
    ir = export_folder(cache, emb.fingerprint.weights_sha256, OnnxSettings(precision="fp32")) / openvino_backend.IR_DIR

    def broken(self: Any, feed: dict[str, np.ndarray]) -> np.ndarray:
        raise RuntimeError("device lost (test)")

    monkeypatch.setattr(openvino_backend.OpenVinoEncoder, "_run", broken)
    assert Embedder.load(settings_for(tiny, data_dir, cache)).backend == "torch"
    assert not ir.exists()  # the next load converts it again


def test_batches_run_padded_to_a_multiple_of_16_tokens_with_the_same_vectors(
    tiny: Path, data_dir: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """OpenVINO keeps memory per input shape, so lengths are rounded up; the padding is masked."""
    ov = Embedder.load(settings_for(tiny, data_dir, cache))
    encoder: Any = ov._onnx
    shapes: list[tuple[int, int]] = []
    real_pad = openvino_backend.pad_to_multiple

    def recording(feed: dict[str, np.ndarray], multiple: int, pad_id: int) -> dict[str, np.ndarray]:
        out = real_pad(feed, multiple, pad_id)
        shapes.append(out["input_ids"].shape)
        return out

    monkeypatch.setattr(openvino_backend, "pad_to_multiple", recording)
    texts = [" ".join(ADS)[: 7 * (i + 1)] for i in range(40)]  # many lengths
    padded = ov.encode_passages(texts)
    assert shapes and all(length % openvino_backend.SEQ_MULTIPLE == 0 for _, length in shapes)
    monkeypatch.setattr(openvino_backend, "SEQ_MULTIPLE", 1)
    exact = ov.encode_passages(texts)
    np.testing.assert_allclose(padded, exact, atol=1e-5)
    assert encoder.pooling.pad_id == ov.tokenizer.pad_token_id


def test_pad_to_multiple() -> None:
    feed = {"input_ids": np.array([[0, 5, 6, 2], [0, 7, 2, 1]]),
            "attention_mask": np.array([[1, 1, 1, 1], [1, 1, 1, 0]])}
    out = openvino_backend.pad_to_multiple(feed, 16, pad_id=1)
    assert out["input_ids"].shape == (2, 16) and out["attention_mask"].shape == (2, 16)
    assert (out["input_ids"][:, 4:] == 1).all() and (out["attention_mask"][:, 4:] == 0).all()
    assert (out["input_ids"][:, :4] == feed["input_ids"]).all()
    assert openvino_backend.pad_to_multiple(out, 16, pad_id=1) is out  # already a multiple: unchanged


def _requests_seen(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """The (batch, length) shape of every OpenVINO request from now on."""
    shapes: list[tuple[int, int]] = []
    real_pad = openvino_backend.pad_to_multiple

    def recording(feed: dict[str, np.ndarray], multiple: int, pad_id: int) -> dict[str, np.ndarray]:
        shapes.append(feed["input_ids"].shape)
        return real_pad(feed, multiple, pad_id)

    monkeypatch.setattr(openvino_backend, "pad_to_multiple", recording)
    return shapes


def test_a_servers_cv_queries_run_one_text_per_stream_with_the_same_vectors(
    tiny: Path, data_dir: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``use_fast_query_backend`` compiles the verified export again with a stream per thread: a CV's
    few texts go one per request (no padding) and run side by side; ads keep the one-stream encoder."""
    ov = Embedder.load(settings_for(tiny, data_dir, cache, embed_threads=2))
    single: Any = ov._onnx
    cv = [*QUERIES, *ADS[:3]]
    before_q, before_p = ov.encode_queries(cv), ov.encode_passages(ADS)
    assert single.streams == 1 and ov._query_onnx is None
    assert ov.use_fast_query_backend() is True
    streamed: Any = ov._query_onnx
    assert streamed is not single and streamed.streams == 2 and streamed.path == single.path
    assert ov.query_backend == "openvino" and ov.fingerprint.vectors == FP32_VECTORS
    assert ov.use_fast_query_backend() is True and ov._query_onnx is streamed  # once

    shapes = _requests_seen(monkeypatch)
    np.testing.assert_allclose(ov.encode_queries(cv), before_q, atol=1e-5)
    assert len(cv) <= LATENCY_TEXTS and len(shapes) == len(cv) and {b for b, _ in shapes} == {1}
    assert streamed._queues.qsize() == 1  # one request queue, reused by every call so far
    shapes.clear()
    many = [f"{q} {i}" for i in range(3) for q in [*QUERIES, *ADS]]
    assert len(many) > LATENCY_TEXTS
    ov.encode_queries(many)  # a bulk of queries (evaluation) is batched for throughput
    assert len(shapes) < len(many) and max(b for b, _ in shapes) > 1
    np.testing.assert_allclose(ov.encode_passages(ADS), before_p, atol=1e-6)  # ads: the one-stream encoder
    assert single._queues.qsize() == 0


def test_the_streams_encoder_serves_threads_at_once(tiny: Path, data_dir: Path, cache: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    ov = Embedder.load(settings_for(tiny, data_dir, cache, embed_threads=2))
    ov.use_fast_query_backend()
    streamed: Any = ov._query_onnx
    alone = ov.encode_queries(QUERIES)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: ov.encode_queries(QUERIES), range(12)))
    for got in results:
        np.testing.assert_allclose(got, alone, atol=1e-6)
    assert 1 <= streamed._queues.qsize() <= 4  # as many queues as calls ran at once, all returned


def test_a_failed_request_is_raised_in_the_caller_and_the_streams_serve_on(
    tiny: Path, data_dir: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ov = Embedder.load(settings_for(tiny, data_dir, cache, embed_threads=2))
    ov.use_fast_query_backend()
    streamed: Any = ov._query_onnx
    good = {"input_ids": np.array([[0, 5, 6, 2]]), "attention_mask": np.array([[1, 1, 1, 1]])}
    bad = {"input_ids": np.array([[0, 5, 6, 2]]), "attention_mask": np.array([[1, 1]])}  # shapes disagree
    want = ov._onnx.embed(good)  # type: ignore[union-attr]
    np.testing.assert_allclose(streamed.embed_many([good])[0], want, atol=1e-5)
    assert streamed._queues.qsize() == 1
    with pytest.raises(openvino_backend.ExportRuntimeError, match="inputs of different shapes"):
        streamed.embed_many([good, bad, good])  # refused before anything runs
    assert streamed._queues.qsize() == 1

    real_pad = openvino_backend.pad_to_multiple
    calls = iter(range(100))

    def unknown_input_on_the_second(feed: dict[str, np.ndarray], multiple: int, pad_id: int) -> dict[str, np.ndarray]:
        out = real_pad(feed, multiple, pad_id)
        return {**out, "no_such_input": out["input_ids"]} if next(calls) == 1 else out

    with monkeypatch.context() as patch:
        patch.setattr(openvino_backend, "pad_to_multiple", unknown_input_on_the_second)
        with pytest.raises(Exception, match="no_such_input"):  # OpenVINO's own error, in the caller's thread
            streamed.embed_many([good, good, good])
    assert streamed._queues.qsize() == 0  # the queue that failed is not handed out again
    np.testing.assert_allclose(streamed.embed_many([good, good])[1], want, atol=1e-5)


def test_no_streams_copy_on_one_thread_or_when_its_vectors_differ(
    tiny: Path, data_dir: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    one = Embedder.load(settings_for(tiny, data_dir, cache, embed_threads=1))
    assert one.use_fast_query_backend() is True and one._query_onnx is None  # the one-stream encoder serves

    real_run_many = openvino_backend.OpenVinoEncoder._run_many

    def drifting(self: Any, feeds: Any) -> list[np.ndarray]:
        out = real_run_many(self, feeds)
        if self.streams == 1:
            return out
        return [h + np.random.default_rng(0).normal(0, 3 * float(np.abs(h).mean()), h.shape).astype(np.float32)
                for h in out]

    monkeypatch.setattr(openvino_backend.OpenVinoEncoder, "_run_many", drifting)
    ov = Embedder.load(settings_for(tiny, data_dir, cache, embed_threads=2))
    with caplog.at_level(logging.WARNING, logger="jobsai.embed.model"):
        assert ov.use_fast_query_backend() is True
    assert ov._query_onnx is None and "gives other query vectors" in caplog.text


def test_the_export_traces_eager_attention_that_openvino_fuses(tiny: Path, data_dir: Path, cache: Path) -> None:
    """The ONNX export traces attention in its eager form, which OpenVINO compiles into one fused
    kernel per layer (1.10-1.17x faster on e5-small); the torch model keeps its own attention."""
    from collections import Counter

    ov = Embedder.load(settings_for(tiny, data_dir, cache))
    ref = Embedder.load(settings_for(tiny, data_dir, cache, embed_backend="torch"))
    runtime = ov._onnx.compiled.get_runtime_model()  # type: ignore[union-attr]
    kinds = Counter(op.get_rt_info()["layerType"].astype(str) for op in runtime.get_ops())
    layers = ref._model[0].auto_model.config.num_hidden_layers
    assert kinds["Subgraph"] >= layers and kinds["Softmax"] == 0, kinds
    assert ref._model[0].auto_model.config._attn_implementation != "eager"
    assert np.sum(ov.encode_passages(ADS) * ref.encode_passages(ADS), axis=1).min() > 1 - 1e-4
