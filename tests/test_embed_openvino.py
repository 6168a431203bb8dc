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
from jobsai.embed import onnx_backend, openvino_backend
from jobsai.embed.backends import same_vectors
from jobsai.embed.fingerprint import FP32_VECTORS
from jobsai.embed.model import Embedder
from jobsai.embed.onnx_backend import MANIFEST_FILE, REFUSED_FILE, export_folder
from jobsai.embed.onnx_export import OnnxSettings
from jobsai.runtime import Runtime
from jobsai.sources.demo import iter_demo_items

from support.backend_texts import ADS, QUERIES, assert_same_ranking
from support.tiny_model import make_tiny_model

pytest.importorskip("openvino")



@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_model(tmp_path_factory.mktemp("models") / "tiny-e5", fixed_vocab=True)


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("model-cache")


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
