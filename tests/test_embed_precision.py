"""bf16 inference on CPU (``JOBSAI_EMBED_PRECISION``): which precision each setting gives on which
device, the CPU-flag probe, the check against fp32 (cached, and refusing a drifting bf16 with a
fall-back to fp32), rankings that agree with fp32, and bf16 running where the CPU lacks native
bf16 when asked for explicitly."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from jobsai.config import Settings
from jobsai.embed import precision
from jobsai.embed.fingerprint import FP32_VECTORS
from jobsai.embed.model import Embedder
from jobsai.embed.precision import check_bf16, cpu_flags, cpu_has_native_bf16, resolve_precision
from jobsai.errors import ModelError

from support.backend_texts import ADS, QUERIES, assert_same_ranking


def settings_for(model: Path, tmp_path: Path, **kw: Any) -> Settings:
    values: dict[str, Any] = {"data_dir": tmp_path / "data", "model": str(model), "embed_backend": "torch",
                              "model_cache_dir": tmp_path / "cache", "embed_quantize": False}
    values.update(kw)
    return Settings(**values)


@pytest.mark.parametrize(
    ("setting", "device", "native", "expected"),
    [
        ("auto", "cpu", True, "bf16"),
        ("auto", "cpu", False, "fp32"),
        (None, "cpu", True, "bf16"),
        ("auto", "cuda", False, "fp16"),
        ("auto", "cuda:1", True, "fp16"),
        ("fp32", "cpu", True, "fp32"),
        ("bf16", "cpu", False, "bf16"),  # asked for: emulated, with a warning
        ("bf16", "cuda", False, "bf16"),
        ("fp16", "cuda", False, "fp16"),
        (" BF16 ", "cpu", True, "bf16"),
    ],
)
def test_resolve_precision(setting: str | None, device: str, native: bool, expected: str) -> None:
    assert resolve_precision(setting, device, native_bf16=native) == expected


@pytest.mark.parametrize("setting", ["fp16", "int4", ""])
def test_resolve_precision_refuses_what_cannot_run(setting: str) -> None:
    if setting == "":
        assert resolve_precision(setting, "cpu", native_bf16=False) == "fp32"  # empty = auto
        return
    with pytest.raises(ModelError, match="JOBSAI_EMBED_PRECISION"):
        resolve_precision(setting, "cpu", native_bf16=True)


def test_settings_refuse_an_unknown_precision(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="embed_precision"):
        Settings(data_dir=tmp_path, embed_precision="fp8")  # type: ignore[arg-type]


def test_cpu_flags_are_read_from_cpuinfo(tmp_path: Path) -> None:
    zen4 = tmp_path / "zen4"
    zen4.write_text("processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu avx2 avx512f avx512_bf16 avx512_vnni\n"
                    "processor\t: 1\nflags\t\t: fpu avx2 avx512f avx512_bf16 avx512_vnni\n")
    skylake = tmp_path / "skylake"
    skylake.write_text("processor\t: 0\nflags\t\t: fpu avx2 avx512f avx512bw avx512vl\n")
    assert "avx512_bf16" in cpu_flags(zen4)
    assert cpu_has_native_bf16(cpu_flags(zen4))
    assert not cpu_has_native_bf16(cpu_flags(skylake))
    assert cpu_has_native_bf16(frozenset({"amx_bf16", "amx_tile"}))
    assert cpu_flags(tmp_path / "missing") == frozenset()


def test_bf16_vectors_stay_with_fp32_and_rank_the_same(tiny: Path, tmp_path: Path) -> None:
    fp32 = Embedder.load(settings_for(tiny, tmp_path, embed_precision="fp32"))
    bf16 = Embedder.load(settings_for(tiny, tmp_path, embed_precision="bf16"))
    assert (fp32.precision, bf16.precision) == ("fp32", "bf16")
    a, b = fp32.encode_passages(ADS), bf16.encode_passages(ADS)
    assert b.dtype == np.float32 and np.allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-5)
    assert bf16.precision == "bf16"  # its check passed on the first encode
    assert not np.array_equal(a, b)  # bf16 really ran: the vectors are not fp32's bit for bit
    assert float(np.sum(a * b, axis=1).min()) > 0.99
    s_fp32 = fp32.encode_queries(QUERIES) @ a.T
    s_bf16 = bf16.encode_queries(QUERIES) @ b.T
    assert_same_ranking(s_fp32, s_bf16, 0.02)
    # Same vectors as far as an index is concerned: one fingerprint, so either serves the other's index.
    assert bf16.fingerprint == fp32.fingerprint and bf16.fingerprint.vectors == FP32_VECTORS


def test_the_check_is_cached_per_weights(tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    emb = Embedder.load(settings_for(tiny, tmp_path, embed_precision="fp32"))
    sha = emb.fingerprint.weights_sha256
    model = emb.sentence_transformer
    mean, low = check_bf16(model, emb.prefixes, weights_sha256=sha, cache_dir=tmp_path / "c")
    assert 0.999 <= mean <= 1.0 + 1e-6 and low >= 0.99
    assert len(list((tmp_path / "c").glob("bf16-check-*.json"))) == 1

    def no_forward(*_a: object, **_k: object) -> list[float]:
        raise RuntimeError("ran the model")

    monkeypatch.setattr(precision, "_cosines", no_forward)
    assert check_bf16(model, emb.prefixes, weights_sha256=sha, cache_dir=tmp_path / "c") == (mean, low)
    with pytest.raises(ModelError, match="ran the model"):  # other weights: no cached answer
        check_bf16(model, emb.prefixes, weights_sha256="0" * 64, cache_dir=tmp_path / "c")


def test_a_drifting_bf16_is_refused_and_fp32_serves(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A model whose bf16 vectors drift (here: the check's measurement says so) encodes in fp32,
    with a warning, and its vectors are exactly fp32's."""
    fp32 = Embedder.load(settings_for(tiny, tmp_path, embed_precision="fp32"))
    emb = Embedder.load(settings_for(tiny, tmp_path, embed_precision="bf16"))
    monkeypatch.setattr(precision, "_cosines", lambda model, texts, device: [0.9995] * (len(texts) - 1) + [0.95])
    with caplog.at_level(logging.WARNING, logger="jobsai.embed.model"):
        got = emb.encode_passages(ADS)
    assert emb.precision == "fp32"
    assert "bf16 vectors drift from fp32" in caplog.text and "fp32 instead" in caplog.text
    assert np.array_equal(got, fp32.encode_passages(ADS))


def test_a_damaged_cache_only_costs_the_check(tiny: Path, tmp_path: Path) -> None:
    emb = Embedder.load(settings_for(tiny, tmp_path, embed_precision="fp32"))
    sha = emb.fingerprint.weights_sha256
    first = check_bf16(emb.sentence_transformer, emb.prefixes, weights_sha256=sha, cache_dir=tmp_path / "c")
    (cached,) = (tmp_path / "c").glob("bf16-check-*.json")
    cached.write_text("{not json", encoding="utf-8")
    assert check_bf16(emb.sentence_transformer, emb.prefixes, weights_sha256=sha, cache_dir=tmp_path / "c") == first
    assert json.loads(cached.read_text(encoding="utf-8"))["cosines"]  # written again


def test_weights_changed_in_place_are_checked_again(tiny: Path, tmp_path: Path) -> None:
    emb = Embedder.load(settings_for(tiny, tmp_path, embed_precision="bf16"))
    emb.encode_queries(QUERIES)
    assert emb._precision_checked
    emb.refresh_inference_model()  # as training does after changing the weights in place
    assert not emb._precision_checked
    emb.encode_queries(QUERIES)
    assert emb._precision_checked and emb.precision == "bf16"


def test_the_default_on_this_machine(tiny: Path, tmp_path: Path) -> None:
    """``auto``: bf16 exactly where the CPU has native bf16 (the CI machines' EPYC does), else fp32."""
    emb = Embedder.load(settings_for(tiny, tmp_path))
    assert emb.precision == ("bf16" if cpu_has_native_bf16() else "fp32")
