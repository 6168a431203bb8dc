"""Opening a model's cached export without the model: a process that only encodes (a bootstrap,
a web worker) reads the export's manifest and ``tokenizer.json`` instead of importing torch,
transformers and sentence-transformers (~500 MB resident), makes the same vectors, loads the
model only when something needs it, and falls back to loading it whenever a check fails."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from jobsai.config import Settings
from jobsai.embed.device import no_gpu_driver, resolve_device
from jobsai.embed.export_tokenizer import ExportTokenizer, probe_texts
from jobsai.embed.model import Embedder
from jobsai.embed.onnx_backend import CONTRACT_KEY, MANIFEST_FILE, export_folder
from jobsai.embed.onnx_export import MODEL_FILE, OnnxSettings

from support.backend_texts import ADS, QUERIES

pytest.importorskip("openvino")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "model-cache"


def settings_for(model: Path, data_dir: Path, cache: Path, **kw: Any) -> Settings:
    values: dict[str, Any] = {"data_dir": data_dir, "model": str(model), "model_cache_dir": cache,
                              "embed_quantize": False, "embed_backend": "openvino", "embed_precision": "fp32",
                              "device": "cpu"}
    values.update(kw)
    return Settings(**values)


def manifest_path(emb: Embedder, cache: Path) -> Path:
    return export_folder(cache, emb.fingerprint.weights_sha256, OnnxSettings(precision="fp32")) / MANIFEST_FILE


def test_the_second_load_encodes_without_the_model_and_loads_it_when_needed(
    tiny: Path, data_dir: Path, cache: Path
) -> None:
    full = Embedder.load(settings_for(tiny, data_dir, cache), export_in_child=False)  # exports here
    assert full._st_model is not None and full.backend == "openvino"
    assert CONTRACT_KEY in json.loads(manifest_path(full, cache).read_text())

    lean = Embedder.load(settings_for(tiny, data_dir, cache))
    assert lean._st_model is None and lean.backend == "openvino"
    assert lean.fingerprint == full.fingerprint and lean.prefixes == full.prefixes
    assert lean.max_tokens == full.max_tokens
    long_ad = " ".join(ADS) * 8  # past the length limit: truncated the same way
    for text in [*ADS, long_ad, "", "  spaced  "]:
        assert lean.count_tokens(text) == full.count_tokens(text)
    np.testing.assert_allclose(lean.encode_passages([*ADS, long_ad]), full.encode_passages([*ADS, long_ad]),
                               atol=1e-5)
    np.testing.assert_allclose(lean.encode_queries(QUERIES), full.encode_queries(QUERIES), atol=1e-5)
    assert lean._st_model is None  # encoding never needed it

    model = lean.sentence_transformer  # training does: loaded on first use
    assert lean._st_model is model and model.tokenizer is not None


def test_the_first_load_prepares_the_export_in_a_child_process(
    tiny: Path, data_dir: Path, cache: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="jobsai.embed.prepare_child"):
        emb = Embedder.load(settings_for(tiny, data_dir, cache))
    assert "export is ready" in caplog.text and "in a child process" in caplog.text
    assert emb._st_model is None and emb.backend == "openvino"
    assert CONTRACT_KEY in json.loads(manifest_path(emb, cache).read_text())
    reference = Embedder.load(settings_for(tiny, data_dir, cache, embed_backend="torch"))
    assert np.sum(emb.encode_passages(ADS) * reference.encode_passages(ADS), axis=1).min() > 1 - 1e-4


def test_when_the_child_cannot_run_the_model_is_prepared_here(
    tiny: Path, data_dir: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(sys, "executable", str(data_dir / "no-such-python"))
    with caplog.at_level(logging.WARNING, logger="jobsai.embed.prepare_child"):
        emb = Embedder.load(settings_for(tiny, data_dir, cache))
    assert "preparing it here" in caplog.text
    assert emb._st_model is not None and emb.backend == "openvino"


def test_a_process_that_only_encodes_never_imports_torch(tiny: Path, tmp_path: Path, cache: Path) -> None:
    Embedder.load(settings_for(tiny, tmp_path / "a", cache))  # the export, made once
    script = f"""
import json, sys
from jobsai.config import Settings
from jobsai.embed.model import Embedder
e = Embedder.load(Settings(data_dir={str(tmp_path / 'b')!r}, model={str(tiny)!r}, model_cache_dir={str(cache)!r},
                           embed_backend="openvino", embed_precision="fp32", embed_quantize=False, device="auto"))
v = e.encode_passages({ADS[:3]!r})
print(json.dumps({{"backend": e.backend, "shape": list(v.shape),
                  "imported": [m for m in ("torch", "transformers", "sentence_transformers") if m in sys.modules]}}))
"""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["backend"] == "openvino" and got["shape"] == [3, 32]
    if no_gpu_driver():  # auto resolves to the CPU without asking torch only where no GPU driver exists
        assert got["imported"] == []


def test_a_tokenizer_that_splits_a_probe_differently_is_refused(
    tiny: Path, data_dir: Path, cache: Path, caplog: pytest.LogCaptureFixture
) -> None:
    first = Embedder.load(settings_for(tiny, data_dir, cache))
    path = manifest_path(first, cache)
    manifest = json.loads(path.read_text())
    manifest[CONTRACT_KEY]["probes"][4][1].append(7)  # the model's tokenizer said otherwise
    path.write_text(json.dumps(manifest))
    with caplog.at_level(logging.INFO, logger="jobsai.embed.model"):
        emb = Embedder.load(settings_for(tiny, data_dir, cache))
    assert emb._st_model is not None and emb.backend == "openvino"  # the model tokenizes; the export serves
    assert "splits a probe text differently" in caplog.text
    np.testing.assert_allclose(emb.encode_passages(ADS), first.encode_passages(ADS), atol=1e-5)


def test_an_export_made_before_the_contract_gets_it(
    tiny: Path, data_dir: Path, cache: Path
) -> None:
    first = Embedder.load(settings_for(tiny, data_dir, cache))
    path = manifest_path(first, cache)
    manifest = json.loads(path.read_text())
    del manifest[CONTRACT_KEY]
    path.write_text(json.dumps(manifest))

    here = Embedder.load(settings_for(tiny, data_dir, cache), export_in_child=False)
    assert here._st_model is not None  # nothing to open the export with: the model was loaded
    assert CONTRACT_KEY in json.loads(path.read_text())
    assert Embedder.load(settings_for(tiny, data_dir, cache))._st_model is None

    path.write_text(json.dumps(manifest))  # still the one without the section
    again = Embedder.load(settings_for(tiny, data_dir, cache))  # a child adds it, this process stays lean
    assert again._st_model is None and CONTRACT_KEY in json.loads(path.read_text())


def test_a_damaged_export_is_not_opened_without_the_model_but_made_again(
    tiny: Path, data_dir: Path, cache: Path
) -> None:
    first = Embedder.load(settings_for(tiny, data_dir, cache))
    onnx = manifest_path(first, cache).parent / MODEL_FILE
    data = bytearray(onnx.read_bytes())
    data[len(data) // 2] ^= 0xFF
    onnx.write_bytes(bytes(data))

    emb = Embedder.load(settings_for(tiny, data_dir, cache))
    assert emb._st_model is not None and emb.backend == "openvino"  # exported afresh from the model
    np.testing.assert_allclose(emb.encode_passages(ADS), first.encode_passages(ADS), atol=1e-5)
    assert Embedder.load(settings_for(tiny, data_dir, cache))._st_model is None


def test_the_tokenizers_library_splits_like_the_default_models_tokenizer(default_model_cache: Path) -> None:
    """The built-in model (XLM-R's sentencepiece vocabulary): ids of the probes, of Swedish and
    English ad and CV texts, and of texts past 512 tokens are the sentence-transformers ones."""
    from sentence_transformers import SentenceTransformer

    folder = default_model_cache / "multilingual-e5-small"
    model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
    tokenizer = ExportTokenizer.from_folder(folder, max_length=model.max_seq_length,
                                            pad_id=model.tokenizer.pad_token_id)
    texts = probe_texts(["query: ", "passage: "]) + [*ADS, *QUERIES, "passage: " + " ".join(ADS) * 12]
    ours = tokenizer.features(texts)
    theirs = model.preprocess(texts)
    np.testing.assert_array_equal(ours["input_ids"], theirs["input_ids"].numpy())
    np.testing.assert_array_equal(ours["attention_mask"], theirs["attention_mask"].numpy())
    assert ours["input_ids"].shape[1] == model.max_seq_length  # the long one was cut to the limit


def test_auto_means_the_cpu_without_asking_torch_where_no_gpu_driver_exists(tmp_path: Path) -> None:
    assert no_gpu_driver((str(tmp_path / "nvidiactl"),))
    (tmp_path / "nvidiactl").touch()
    assert not no_gpu_driver((str(tmp_path / "nvidiactl"),))
    assert resolve_device("cpu") == "cpu"
    if no_gpu_driver():
        assert resolve_device("auto") == "cpu"


def test_preparing_in_a_child_can_be_turned_off(tiny: Path, data_dir: Path, cache: Path) -> None:
    emb = Embedder.load(settings_for(tiny, data_dir, cache, embed_prepare_in_child=False))
    assert emb._st_model is not None and emb.backend == "openvino"  # exported here, the model loaded
    assert Embedder.load(settings_for(tiny, data_dir, cache))._st_model is None


@pytest.mark.parametrize("opened_without_model", [True, False])
def test_a_released_embedder_says_so_instead_of_encoding(
    tiny: Path, data_dir: Path, cache: Path, opened_without_model: bool
) -> None:
    from jobsai.errors import ModelError

    emb = Embedder.load(settings_for(tiny, data_dir, cache, embed_prepare_in_child=opened_without_model))
    emb.encode_passages(ADS[:2])
    emb.release()
    with pytest.raises(ModelError, match="was released"):
        emb.encode_passages(ADS[:2])
    with pytest.raises(ModelError, match="was released"):
        emb.sentence_transformer  # noqa: B018 - the property is what is tested
