"""``JOBSAI_EMBED_BACKEND=openvino-int8`` on the tiny test model: OpenVINO's int8 copy of the verified
fp32 export. Its vectors are close to fp32's but not the same, so indexes record them, are served by
the backend that built them, and never mix with fp32 vectors."""

from __future__ import annotations

import logging
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from jobsai.config import Settings
from jobsai.embed import backends, openvino_backend
from jobsai.embed.backends import (
    OPENVINO_INT8_VECTORS,
    backend_of_vectors,
    export_precision,
    resolve_backend,
    same_vectors,
)
from jobsai.embed.fingerprint import FP32_VECTORS
from jobsai.embed.model import Embedder
from jobsai.embed.model_ref import ModelRef
from jobsai.embed.onnx_backend import export_folder
from jobsai.embed.onnx_export import OnnxSettings
from jobsai.embed.openvino_int8 import GROUP_SIZE, compress_linear_weights
from jobsai.embed.precision import cpu_has_int8_dot, cpu_has_native_bf16, int8_slower_here
from jobsai.index import catalog
from jobsai.index.catalog import IndexRecord
from jobsai.runtime import Runtime
from jobsai.sources.demo import iter_demo_items
from jobsai.worker import Worker

from support.backend_texts import ADS, QUERIES, assert_same_ranking
from support.promotion import promoting
from support.tiny_model import make_tiny_model

ov = pytest.importorskip("openvino")


def settings_for(model: Path, data_dir: Path, cache: Path, **kw: Any) -> Settings:
    values: dict[str, Any] = {"data_dir": data_dir, "model": str(model), "model_cache_dir": cache,
                              "embed_quantize": False, "embed_backend": "openvino-int8", "embed_precision": "fp32",
                              "database_url": None, "qdrant_url": None}
    values.update(kw)
    return Settings(**values)


def _int8_ir(cache: Path, emb: Embedder) -> Path:
    return export_folder(cache, emb.fingerprint.weights_sha256, OnnxSettings(precision="fp32")) / \
        openvino_backend.INT8_IR_DIR


def test_int8_vectors_are_close_to_fp32_rank_the_same_and_are_recorded_as_their_own(
    tiny: Path, data_dir: Path, cache: Path
) -> None:
    q8 = Embedder.load(settings_for(tiny, data_dir, cache))
    ref = Embedder.load(settings_for(tiny, data_dir, cache, embed_backend="torch"))
    # JOBSAI_EMBED_PRECISION=fp32 rules it too: int8 weights, the rest in fp32 (not bf16).
    assert q8.backend == "openvino-int8" and q8._onnx.precision == "int8-fp32"  # type: ignore[union-attr]
    assert q8.fingerprint.vectors == OPENVINO_INT8_VECTORS != FP32_VECTORS
    assert q8.fingerprint.weights_sha256 == ref.fingerprint.weights_sha256
    assert not same_vectors("openvino-int8", "openvino") and not same_vectors("openvino-int8", "torch")
    a, b = q8.encode_passages(ADS), ref.encode_passages(ADS)
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert np.sum(a * b, axis=1).min() > 0.99
    assert_same_ranking(ref.encode_queries(QUERIES) @ b.T, q8.encode_queries(QUERIES) @ a.T, 0.02)
    # Verified against fp32 with the int8 recipe's own, higher bar.
    assert q8._onnx.mean_cosine >= openvino_backend.INT8_MIN_MEAN_COSINE  # type: ignore[union-attr]
    # Its own IR, made from the fp16 IR of the same verified ONNX export the fp32/bf16 backend compiles:
    # what is not int8 (embedding table, norms, biases) stays fp16, not fp32.
    ir = _int8_ir(cache, q8)
    model = ov.Core().read_model(str(ir / openvino_backend.IR_FILE))
    fp32 = [op.get_friendly_name() for op in model.get_ordered_ops()
            if op.get_type_name() == "Constant" and op.get_element_type() == ov.Type.f32
            and int(np.prod(list(op.get_output_shape(0)))) > 64]
    assert not fp32
    assert (ir / "model.bin").stat().st_size < (ir.parent / openvino_backend.IR_DIR / "model.bin").stat().st_size


def test_linear_weights_become_uint8_with_a_scale_per_output_channel(tiny: Path, data_dir: Path, cache: Path) -> None:
    emb = Embedder.load(settings_for(tiny, data_dir, cache))
    onnx_file = export_folder(cache, emb.fingerprint.weights_sha256, OnnxSettings(precision="fp32")) / "model.onnx"
    model = ov.Core().read_model(str(onnx_file))
    weights = {op.get_friendly_name(): op.input(1).get_source_output().get_node() for op in model.get_ordered_ops()
               if op.get_type_name() == "MatMul"}
    constant = {name for name, node in weights.items() if node.get_type_name() in ("Constant", "Convert")}
    assert constant and len(constant) < len(weights)  # attention's own products have no constant weight
    assert compress_linear_weights(model) == len(constant)
    u8 = [op for op in model.get_ordered_ops()
          if op.get_type_name() == "Constant" and op.get_element_type() == ov.Type.u8]
    assert len(u8) == 2 * len(constant)  # weights and zero points
    assert compress_linear_weights(model) == 0  # nothing left to compress: a second pass changes nothing
    # Layers may be left out (bench/openvino_int8_layers.py): here the down projections.
    again = ov.Core().read_model(str(onnx_file))
    down = {name for name in constant if "/output/dense/" in name and "/attention/" not in name}
    assert down and len(down) == len(constant) // 6  # q, k, v, attention out, up, down per layer
    kept = compress_linear_weights(again, keep=lambda name, inputs, outputs: inputs > outputs)
    assert kept == len(constant) - len(down)
    still = {op.get_friendly_name() for op in again.get_ordered_ops() if op.get_type_name() == "MatMul"
             and op.input(1).get_source_output().get_node().get_type_name() == "Constant"}
    assert still == down  # their fp32 weights as they were; every other one now behind a dequantisation
    assert GROUP_SIZE == 64


def test_a_damaged_int8_ir_is_made_again(tiny: Path, data_dir: Path, tmp_path: Path,
                                         caplog: pytest.LogCaptureFixture) -> None:
    cache = tmp_path / "cache"
    emb = Embedder.load(settings_for(tiny, data_dir, cache))
    expected = emb.encode_passages(ADS)
    weights = _int8_ir(cache, emb) / "model.bin"
    rng = np.random.default_rng(3)
    weights.write_bytes(rng.integers(0, 256, weights.stat().st_size, dtype=np.uint8).tobytes())
    with caplog.at_level(logging.WARNING, logger="jobsai.embed.onnx_backend"):
        again = Embedder.load(settings_for(tiny, data_dir, cache))
    assert again.backend == "openvino-int8" and "converting the export for openvino again" in caplog.text
    np.testing.assert_allclose(again.encode_passages(ADS), expected, atol=1e-5)


def test_making_the_int8_ir_deletes_an_earlier_recipes(tiny: Path, data_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    emb = Embedder.load(settings_for(tiny, data_dir, cache))
    folder = _int8_ir(cache, emb).parent
    stale = folder / "openvino-int8"
    (stale / "model.bin").parent.mkdir()
    (stale / "model.bin").write_bytes(b"an IR of the first int8 recipe")
    Embedder.load(settings_for(tiny, data_dir, cache))
    assert stale.exists()  # only making the current IR cleans up; loading it does not look
    shutil.rmtree(_int8_ir(cache, emb))
    again = Embedder.load(settings_for(tiny, data_dir, cache))
    assert again.backend == "openvino-int8" and not stale.exists()
    assert (folder / openvino_backend.IR_DIR / openvino_backend.IR_FILE).is_file()  # the fp16 IR stays


def test_an_int8_index_is_served_by_int8_and_its_servers_queries_run_on_streams(
    tiny: Path, tmp_path: Path, cache: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The catalog records the int8 vectors; a runtime configured for the fp32 backend still encodes
    with int8 for that index (never fp32 queries, or fp32 updates, in an int8 index)."""
    demo = list(iter_demo_items())[:12]
    settings = settings_for(tiny, tmp_path / "data", cache, embed_threads=2)
    with Runtime(settings) as rt:
        rt.ingestor.load_items(demo, expire=False)
        assert rt.embedder.fingerprint.vectors == OPENVINO_INT8_VECTORS
    with Runtime(settings) as rt:
        assert rt.active_record is not None and rt.active_record.vectors == OPENVINO_INT8_VECTORS
        assert rt.active_record.model is not None and rt.active_record.model.backend == "openvino-int8"
        assert rt.embedder.use_fast_query_backend() is True
        streamed: Any = rt.embedder._query_onnx
        assert streamed.streams == 2 and rt.embedder.query_backend == "openvino-int8"
        assert rt.matcher.match(" ".join(ADS[:4]) * 3, top_k=3)
    fp32 = settings.model_copy(update={"embed_backend": "openvino"})
    with caplog.at_level(logging.WARNING), Runtime(fp32) as rt:
        assert rt.embedder.backend == "openvino-int8"
        assert "jobsai index build --switch" in caplog.text
        assert rt.index.count() == len(demo) and rt.ingestor.sync_index().indexed == 0


def test_the_precision_setting_decides_what_runs_beside_the_int8_weights(
    tiny: Path, data_dir: Path, cache: Path
) -> None:
    assert export_precision("openvino-int8", "bf16") == "int8"
    assert export_precision("openvino-int8", "fp32") == "int8-fp32"
    assert export_precision("openvino", "bf16") == "bf16" and export_precision("torch", "fp32") == "fp32"
    fp32 = Embedder.load(settings_for(tiny, data_dir, cache))
    bf16 = Embedder.load(settings_for(tiny, data_dir, cache, embed_precision="bf16"))
    assert bf16._onnx.precision == "int8"  # type: ignore[union-attr]
    hints = [e._onnx.compiled.get_property("INFERENCE_PRECISION_HINT") for e in (fp32, bf16)]  # type: ignore[union-attr]
    assert hints[0] == ov.Type.f32 and (hints[1] == ov.Type.bf16 or not cpu_has_native_bf16())
    a, b = fp32.encode_passages(ADS), bf16.encode_passages(ADS)
    assert bf16.fingerprint.vectors == fp32.fingerprint.vectors == OPENVINO_INT8_VECTORS
    assert np.sum(a * b, axis=1).min() > 0.99  # the same int8 IR, the rest at another precision


def test_a_cpu_where_int8_is_slower_is_warned_about(
    tiny: Path, data_dir: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    assert cpu_has_int8_dot(frozenset({"avx512_vnni"})) and cpu_has_int8_dot(frozenset({"avx_vnni"}))
    assert cpu_has_int8_dot(frozenset({"amx_int8"})) and not cpu_has_int8_dot(frozenset({"avx2", "avx512_bf16"}))
    assert int8_slower_here(ZEN4) is None  # where it was measured 1.22x bf16
    assert "AMX" in (int8_slower_here(SAPPHIRE_RAPIDS) or "")
    assert "emulated" in (int8_slower_here(frozenset({"avx2", "fma"})) or "")
    monkeypatch.setattr(openvino_backend, "int8_slower_here", lambda: "this CPU has no int8 dot products")
    with caplog.at_level(logging.WARNING, logger="jobsai.embed.openvino_backend"):
        emb = Embedder.load(settings_for(tiny, data_dir, cache))
    assert emb.backend == "openvino-int8" and "no int8 dot products" in caplog.text  # it still serves
    caplog.clear()
    assert emb._onnx is not None
    with caplog.at_level(logging.WARNING, logger="jobsai.embed.openvino_backend"):
        emb._onnx.with_streams(2)  # a server's query encoder: compiled again, not warned about again
    assert "no int8 dot products" not in caplog.text


ZEN4 = frozenset({"avx512f", "avx512_vnni", "avx512_bf16"})
SAPPHIRE_RAPIDS = ZEN4 | {"amx_bf16", "amx_int8", "amx_tile"}


def test_auto_picks_int8_only_where_it_is_the_faster_backend() -> None:
    """``JOBSAI_EMBED_BACKEND=auto``: int8 on a CPU with VNNI and native bf16 but no AMX, where it was
    measured 1.22x OpenVINO bf16; bf16 with AMX, where int8 was slower; fp32 OpenVINO elsewhere."""
    assert Settings.model_fields["embed_backend"].default == "auto"  # the tests themselves run torch (conftest)
    assert resolve_backend("auto", "auto", flags=ZEN4) == "openvino-int8"
    assert resolve_backend("auto", "bf16", flags=ZEN4) == "openvino-int8"
    assert resolve_backend("auto", "fp32", flags=ZEN4) == "openvino"  # its rest in fp32 was not measured faster
    assert resolve_backend("auto", "auto", flags=SAPPHIRE_RAPIDS) == "openvino"  # AMX: bf16 is faster
    assert resolve_backend("auto", "auto", flags=frozenset({"avx2", "avx_vnni"})) == "openvino"  # no native bf16
    assert resolve_backend("auto", "auto", flags=frozenset({"avx512f", "avx512_bf16"})) == "openvino"  # no VNNI
    assert resolve_backend("auto", "auto", flags=frozenset()) == "openvino"  # not x86, or no /proc/cpuinfo
    assert resolve_backend("auto", "fp16", flags=ZEN4) == "openvino"  # a GPU's precision: torch encodes there
    for named in ("torch", "onnx", "onnx-fp32", "openvino", "openvino-int8"):
        assert resolve_backend(named, "auto", flags=ZEN4) == named


def test_auto_on_a_zen4_serves_an_fp32_index_with_fp32_vectors_and_says_how_to_switch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(backends, "cpu_flags", lambda: ZEN4)
    now = datetime.now(UTC)
    fp32_index = IndexRecord(name="ads-2", backend="edge", model_name="m", model_sha256="ab" * 32, dim=384,
                             status="active", created_at=now, activated_at=now, point_count=1, model_spec="/models/v2")
    settings = Settings(data_dir=tmp_path, model="/models/v2", embed_backend="auto")
    assert ModelRef.configured(settings) == ModelRef("/models/v2", "openvino-int8")  # what a new index gets
    with caplog.at_level(logging.INFO, logger="jobsai.index.catalog"):
        assert catalog.serving_model(settings, fp32_index) == ModelRef("/models/v2", "openvino")
    assert "index build --switch" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]  # the default is no misconfiguration
    monkeypatch.setattr(backends, "cpu_flags", lambda: SAPPHIRE_RAPIDS)
    assert ModelRef.configured(settings) == ModelRef("/models/v2", "openvino")


def test_recorded_vectors_name_the_backend_that_makes_them(tmp_path: Path) -> None:
    assert backend_of_vectors(OPENVINO_INT8_VECTORS) == "openvino-int8"
    assert backend_of_vectors(FP32_VECTORS) == "openvino"
    assert backend_of_vectors(OnnxSettings().vectors) == "onnx"
    now = datetime.now(UTC)
    fp32_index = IndexRecord(name="ads-2", backend="edge", model_name="m", model_sha256="ab" * 32, dim=384,
                             status="active", created_at=now, activated_at=now, point_count=1, model_spec="/models/v2")
    for configured, serves in [("openvino-int8", "openvino"), ("torch", "torch"), ("openvino", "openvino")]:
        settings = Settings(data_dir=tmp_path, model="/models/v2", embed_backend=configured)  # type: ignore[arg-type]
        assert catalog.serving_model(settings, fp32_index) == ModelRef("/models/v2", serves)


def test_a_promoted_model_gets_its_own_int8_ir(tiny: Path, tmp_path: Path, cache: Path) -> None:
    """The learning loop promotes a fine-tuned model; the worker's re-index loads it with the int8
    backend, which exports and verifies its fp32 ONNX file and makes the int8 IR from it, under
    the new weights' hash, and the new index records the int8 vectors."""
    settings = settings_for(tiny, tmp_path / "data", cache, jobstream_url="http://127.0.0.1:9")
    with Runtime(settings) as rt0:
        rt0.ingestor.load_items(list(iter_demo_items())[:12], expire=False)
        tuned = make_tiny_model(settings.data_dir / "models" / "v-tuned", seed=7, fixed_vocab=True)

        train = promoting("v-tuned", tuned)
        assert Worker(settings, lambda: rt0, update=lambda rt: None, train=train).run_job("train") is True
        with rt0.db.begin(readonly=True) as conn:
            active = catalog.active_index(conn)
        old_sha = rt0.embedder.fingerprint.weights_sha256
    assert active is not None and active.name == "ads-2" and active.model == ModelRef(str(tuned), "openvino-int8")
    assert active.vectors == OPENVINO_INT8_VECTORS and active.model_sha256 != old_sha
    folder = export_folder(cache, active.model_sha256, OnnxSettings(precision="fp32"))
    assert (folder / openvino_backend.INT8_IR_DIR / openvino_backend.IR_FILE).is_file()
    with Runtime(settings) as rt:
        assert rt.index_name == "ads-2" and rt.embedder.backend == "openvino-int8"
        assert rt.embedder.fingerprint.weights_sha256 == active.model_sha256
        assert rt.embedder._onnx.mean_cosine >= openvino_backend.INT8_MIN_MEAN_COSINE  # type: ignore[union-attr]
