"""The learning loop: metrics, dataset split by CV, training, the gate, the registry, privacy, CLI."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy

from jobsai.config import Settings
from jobsai.learn import metrics
from jobsai.learn.dataset import build_training_set, training_triplets
from jobsai.learn.gate import GateConfig, decide
from jobsai.store import registry
from jobsai.store.db import Database
from jobsai.store.feedback import get_feedback, record_feedback

from support.privacy import training_text_leaks
from support.tiny_model import make_tiny_model

pytestmark = [pytest.mark.timeout(300), pytest.mark.usefixtures("one_torch_thread")]


def test_metrics_match_hand_computed_values() -> None:
    ranked, pool = [3, 0, 2], [3, 2, 0, 1]
    dcg = 7 / math.log2(2) + 0 + 3 / math.log2(4)  # 7 + 1.5
    ideal = 7 + 3 / math.log2(3) + 1 / math.log2(4)
    assert metrics.dcg(ranked, 10) == pytest.approx(8.5)
    assert metrics.ndcg_at_k(ranked, pool, 10) == pytest.approx(dcg / ideal)
    assert metrics.ndcg_at_k([0, 3], pool, 1) == 0.0
    assert metrics.reciprocal_rank([0, 2, 3]) == pytest.approx(1 / 3)
    assert metrics.reciprocal_rank([0, 1]) == 0.0
    assert metrics.recall_at_k([2, 0, 3], [3, 2, 2, 0], k=2) == pytest.approx(1 / 3)
    assert metrics.mean_metrics([{"a": 1.0}, {"a": 0.0}]) == {"a": 0.5, "n": 2.0}


def _row(i: int, session: str, cv: str | None, ad: str, label: str, consent: bool = True) -> SimpleNamespace:
    t = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=i)
    return SimpleNamespace(id=i, session_id=session, ad_id=ad, ad_text=f"Titel {ad}.\n\nText om {ad}.",
                           cv_text_redacted=cv if consent else None, consent=consent, label=label,
                           updated_at=t, created_at=t)


def test_dataset_uses_consented_rows_only_and_splits_by_cv() -> None:
    rows = []
    for n in range(20):
        cv = f"Profil {n}: erfaren yrkesperson nummer {n} med många års erfarenhet av arbete."
        for s in (f"s{n}a", f"s{n}b"):  # two sessions with the same CV: must stay on one side
            rows += [_row(len(rows), s, cv, f"ad{n}", "relevant")]
            rows += [_row(len(rows), s, cv, f"ad{n + 1}", "not_relevant")]
    rows.append(_row(999, "nope", "Hemlig text utan samtycke", "ad1", "relevant", consent=False))
    ts = build_training_set(rows, test_fraction=0.25, seed=7)
    train_cvs, test_cvs = {g.cv_text for g in ts.train}, {g.cv_text for g in ts.test}
    assert not train_cvs & test_cvs and len(train_cvs) == 15 and len(test_cvs) == 5
    assert all(len(g.sessions) == 2 for g in ts.train + ts.test)
    assert ts.skipped_without_consent == 1 and "Hemlig" not in str(train_cvs | test_cvs)
    again = build_training_set(rows, test_fraction=0.25, seed=7)
    assert [g.cv_key for g in again.test] == [g.cv_key for g in ts.test]
    triplets = training_triplets(ts.train)
    assert triplets and all(a and p and n for a, p, n in triplets)
    assert triplets[0][1].startswith("Titel")  # the ad's title passage, as serving embeds it


def test_gate_decisions() -> None:
    champ = {"feedback": {"ndcg@10": 0.5, "n": 5}, "project": {"ndcg@10": 0.4}}
    better = {"feedback": {"ndcg@10": 0.6, "n": 5}, "project": {"ndcg@10": 0.395}}
    assert decide(champ, better, GateConfig(margin=0.05, tolerance=0.01)).promote
    assert not decide(champ, better, GateConfig(margin=0.2)).promote
    worse_bench = {"feedback": {"ndcg@10": 0.6, "n": 5}, "project": {"ndcg@10": 0.3}}
    result = decide(champ, worse_bench, GateConfig(margin=0.05, tolerance=0.01))
    assert not result.promote and "project" in result.reason


# Per-CV held-out nDCG@10 for 18 CVs (what ~60 users give with a 30 % test split): the champion's,
# and per-CV gains of three challengers.
CHAMPION_PER_CV = [0.42, 0.55, 0.31, 0.68, 0.5, 0.27, 0.61, 0.45, 0.38, 0.72, 0.33, 0.58, 0.49, 0.64, 0.36, 0.53,
                   0.44, 0.6]
GENUINE_GAINS = [0.3, -0.1, 0.2, 0.0, 0.15, -0.2, 0.25, 0.1, -0.05, 0.2, 0.0, 0.3, -0.25, 0.1, 0.05, -0.1, 0.0, -0.15]
"""Mean +0.044, sd 0.17: a real but noisy gain (t = 1.1), like a clean simulated run."""
RANDOM_GAINS = [0.25, -0.2, 0.1, -0.15, 0.2, -0.25, 0.05, -0.1, 0.3, -0.3, 0.15, -0.05, 0.1, -0.2, 0.2, -0.15, 0.0,
                0.32]
"""Mean +0.015 (above the margin) but no consistency (t = 0.3): what random feedback looks like."""


def _feedback_metrics(per_cv: list[float]) -> dict[str, dict[str, object]]:
    return {"feedback": {"ndcg@10": sum(per_cv) / len(per_cv), "n": len(per_cv), "per_cv": per_cv},
            "project": {"ndcg@10": 0.4}}


def test_gate_defaults_accept_a_genuine_gain_at_18_cvs_and_reject_random_and_inverted() -> None:
    champ = _feedback_metrics(CHAMPION_PER_CV)
    genuine = _feedback_metrics([a + g for a, g in zip(CHAMPION_PER_CV, GENUINE_GAINS, strict=True)])
    result = decide(champ, genuine)
    assert result.promote, result.reason
    assert not decide(champ, genuine, GateConfig(confidence=0.9)).promote  # the old default was too strict

    noise = _feedback_metrics([a + g for a, g in zip(CHAMPION_PER_CV, RANDOM_GAINS, strict=True)])
    result = decide(champ, noise)
    assert not result.promote and "not consistent across CVs" in result.reason
    inverted = _feedback_metrics([a - g for a, g in zip(CHAMPION_PER_CV, GENUINE_GAINS, strict=True)])
    result = decide(champ, inverted)
    assert not result.promote and "margin" in result.reason

    few = _feedback_metrics([a + 0.2 for a in CHAMPION_PER_CV[:4]])  # a big gain, but only 4 held-out CVs
    result = decide(_feedback_metrics(CHAMPION_PER_CV[:4]), few)
    assert not result.promote and "fewer than 5" in result.reason


def _fill_feedback(db: Database, encoder, *, adversarial: bool, seed: int) -> None:
    """Replace the feedback with 30 simulated users' (inverted labels when ``adversarial``)."""
    from jobsai.learn.evaluate import demo_ads
    from jobsai.learn.simulate import simulate_feedback, simulated_users

    ads = demo_ads()
    users = simulated_users(ads, 30, seed=seed)
    with db.begin() as conn:
        conn.execute(sqlalchemy.text("DELETE FROM feedback"))
        for e in simulate_feedback(users, ads, encoder, noise=0.1, adversarial=adversarial, seed=0):
            record_feedback(conn, e)


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """Two training runs on one registry, shared by the tests below (training is the slow part).

    ``good``: clean feedback, hard negatives from the tiny model's own ranking, a gate that
    promotes anything. ``bad``: an inverted (adversarial) batch replacing it, the default gate.

    The tiny model is random and the fixed vocabulary makes it the same in every run, so both
    outcomes are reproducible. With the trained (per-process) vocabulary the adversarial
    challenger was promoted in 2 runs of 9: against a random model a poisoned batch can as well
    help the benchmark as hurt it. That the gate rejects poisoned feedback for the real model is
    shown by ``bench/learn_sim.py``; here it is the reject path being recorded that is checked.
    """
    from jobsai.learn.evaluate import demo_ads, load_encoder
    from jobsai.learn.simulate import demo_search
    from jobsai.learn.train import TrainConfig, run_training

    tmp = tmp_path_factory.mktemp("learn")
    model = make_tiny_model(tmp / "tiny", fixed_vocab=True)
    settings = Settings(data_dir=tmp / "data", model=str(model), embed_quantize=False, database_url=None,
                        qdrant_url=None)
    settings.ensure_dirs()
    encoder = load_encoder(settings, model)
    db = Database(settings.resolved_database_url)
    db.migrate()
    _fill_feedback(db, encoder, adversarial=False, seed=1)
    with db.begin(readonly=True) as conn:
        good_cvs = {r.cv_text_redacted for r in get_feedback(conn) if r.cv_text_redacted}
    config = TrainConfig(max_steps=20, learning_rate=1e-3, progress=False, test_fraction=0.3)
    good = run_training(settings, db, search=demo_search(encoder, demo_ads()), config=config,
                        gate=GateConfig(margin=-1.0, tolerance=1.0, confidence=0), include_eval_dev=False)

    _fill_feedback(db, encoder, adversarial=True, seed=2)
    bad_config = TrainConfig(max_steps=10, learning_rate=1e-3, progress=False, test_fraction=0.3)
    bad = run_training(settings, db, config=bad_config, gate=GateConfig(margin=0.01), include_eval_dev=False)
    return SimpleNamespace(settings=settings, db=db, model=model, good=good, bad=bad, good_cvs=good_cvs)


def test_training_on_clean_feedback_improves_the_benchmark(trained) -> None:
    assert trained.good.status == "champion", trained.good.reason
    m = trained.good.gate.metrics()
    assert m["challenger"]["project"]["ndcg@10"] > m["champion"]["project"]["ndcg@10"]
    assert trained.good.train_stats["steps"] == 20


def test_saved_model_holds_no_training_cv_text(trained) -> None:
    files = {p.name for p in trained.good.path.rglob("*") if p.is_file()}
    assert {"README.md", "model.safetensors", "tokenizer.json"} <= files
    assert len(trained.good_cvs) >= 20
    assert training_text_leaks(trained.good.path, trained.good_cvs, base=trained.model) == {}
    assert training_text_leaks(trained.good.path, trained.good_cvs) == {}  # every file scanned in full


def test_adversarial_batch_is_rejected_and_both_runs_are_in_the_registry(trained) -> None:
    bad = trained.bad
    assert bad.status == "rejected", bad.reason
    with trained.db.begin(readonly=True) as conn:
        rows = {r.version: r for r in registry.list_models(conn)}
    assert rows[trained.good.version].status == "champion" and rows[bad.version].status == "rejected"
    assert rows[bad.version].data_sizes["train_cvs"] > 0 and rows[bad.version].reason == bad.reason
    with pytest.raises(registry.ModelRegistryError, match="never a champion"):
        registry.rollback(trained.db, bad.version)


def test_cli_lists_plots_and_exports(trained, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from jobsai.cli.main import app

    env = {"COLUMNS": "300", "JOBSAI_DATA_DIR": str(trained.settings.data_dir), "JOBSAI_MODEL": str(trained.model),
           "JOBSAI_DATABASE_URL": None}
    runner = CliRunner()
    run = runner.invoke(app, ["models"], env=env)
    assert run.exit_code == 0 and trained.good.version in run.output and trained.bad.version in run.output, run.output
    png = tmp_path / "models.png"
    run = runner.invoke(app, ["models", "plot", str(png)], env=env)
    assert run.exit_code == 0 and png.read_bytes()[:4] == b"\x89PNG", run.output
    with trained.db.begin(readonly=True) as conn:
        cvs = {r.cv_text_redacted for r in get_feedback(conn) if r.cv_text_redacted}
    out = tmp_path / "fb.jsonl"
    run = runner.invoke(app, ["feedback", "export", str(out)], env=env)
    assert run.exit_code == 0 and len(out.read_text(encoding="utf-8").splitlines()) == len(cvs) > 0, run.output


def _bench_metrics(per_cv: list[float], veto: bool = True) -> dict[str, object]:
    return {"ndcg@10": sum(per_cv) / len(per_cv), "n": len(per_cv), "per_cv": per_cv, "veto": veto}


def test_benchmark_veto_is_a_paired_bootstrap_not_a_flat_tolerance() -> None:
    fb_old, fb_new = _feedback_metrics(CHAMPION_PER_CV)["feedback"], _feedback_metrics(
        [a + g for a, g in zip(CHAMPION_PER_CV, GENUINE_GAINS, strict=True)])["feedback"]
    bench = CHAMPION_PER_CV[:14]
    one_cv_one_rank = [*bench[:-1], bench[-1] - 0.2]  # mean -0.014: beyond the old flat 0.01, but one CV
    result = decide({"feedback": fb_old, "b": _bench_metrics(bench)}, {"feedback": fb_new, "b": _bench_metrics(
        one_cv_one_rank)})
    assert result.promote, result.reason
    worse_everywhere = [x - 0.05 for x in bench]
    result = decide({"feedback": fb_old, "b": _bench_metrics(bench)},
                    {"feedback": fb_new, "b": _bench_metrics(worse_everywhere)})
    assert not result.promote and "worse across its CVs" in result.reason
    # a benchmark every heuristic was tuned on is reported, but does not veto
    result = decide({"feedback": fb_old, "b": _bench_metrics(bench, veto=False)},
                    {"feedback": fb_new, "b": _bench_metrics(worse_everywhere, veto=False)})
    assert result.promote and "reported only" in result.reason


def test_domain_gate_needs_a_consistent_gain_on_the_veto_benchmarks() -> None:
    from jobsai.learn.gate import decide_domain

    old = {"held-out": _bench_metrics(CHAMPION_PER_CV), "tuned": _bench_metrics(CHAMPION_PER_CV, veto=False)}
    better = [a + g for a, g in zip(CHAMPION_PER_CV, GENUINE_GAINS, strict=True)]
    new = {"held-out": _bench_metrics(better), "tuned": _bench_metrics([x - 0.1 for x in CHAMPION_PER_CV], False)}
    result = decide_domain(old, new)
    assert result.promote and "held-out" in result.reason and "reported only" in result.reason
    noise = [a + g for a, g in zip(CHAMPION_PER_CV, RANDOM_GAINS, strict=True)]
    assert not decide_domain(old, {**new, "held-out": _bench_metrics(noise)}).promote
    assert not decide_domain({"t": _bench_metrics([0.5] * 3)}, {"t": _bench_metrics([0.9] * 3)}).promote


def test_domain_triplets_pair_cv_like_anchors_with_the_same_occupation(tmp_path: Path) -> None:
    from jobsai.learn.domain import domain_triplets
    from jobsai.learn.evaluate import demo_ads

    ads = demo_ads()
    by_text = {}
    from jobsai.embed.text import ad_texts
    from jobsai.learn.dataset import join_ad_text

    for ad in ads:
        texts = ad_texts(ad)
        by_text[join_ad_text(texts)] = ad
        by_text[texts.title] = ad
    triplets = domain_triplets(ads, seed=3)
    assert triplets == domain_triplets(ads, seed=3) and len(triplets) >= 3 * len(ads)
    same = diff = 0
    for anchor, positive, negative in triplets:
        pos, neg = by_text[positive], by_text[negative]
        assert anchor and pos.occupation_group != neg.occupation_group
        same += bool(pos.occupation and neg.occupation and pos.occupation_field == neg.occupation_field)
        diff += 1
    assert same / diff > 0.8  # hard negatives: mostly a neighbouring group of the same field
    assert domain_triplets(ads[:1]) == []


def test_domain_training_records_a_run_with_its_own_score_curve(trained, tmp_path: Path) -> None:
    import json

    from jobsai.embed.model import Embedder
    from jobsai.embed.model_ref import ModelRef
    from jobsai.learn.evaluate import demo_ads
    from jobsai.learn.train import DOMAIN_SIZE_KEY, TrainConfig, run_domain_training

    report = run_domain_training(
        trained.settings, trained.db, demo_ads(), config=TrainConfig(max_steps=3, progress=False),
        include_eval_dev=False,
    )
    assert report.sizes[DOMAIN_SIZE_KEY] == len(demo_ads()) and report.train_stats["steps"] == 3
    assert report.status in ("champion", "rejected") and "project" in report.reason
    marker = json.loads((report.path / "jobsai-model.json").read_text(encoding="utf-8"))
    assert marker["score_calibration"]["slope"] > 0
    assert "Adapted from" in (report.path / "README.md").read_text(encoding="utf-8")
    emb = Embedder.load(trained.settings, model=ModelRef(str(report.path), trained.settings.embed_backend))
    assert emb.score_calibration == marker["score_calibration"]
    with trained.db.begin(readonly=True) as conn:
        row = next(r for r in registry.list_models(conn) if r.version == report.version)
    assert row.data_sizes[DOMAIN_SIZE_KEY] == len(demo_ads())


def test_score_calibration_fit_recovers_a_known_curve() -> None:
    import numpy as np

    from jobsai.match.scoring import DEFAULT_CALIBRATION, Calibration

    rng = np.random.default_rng(0)
    scores = rng.uniform(1.8, 2.6, 20_000)
    relevant = rng.random(20_000) < 1 / (1 + np.exp(-40 * (scores - 2.2)))
    cal = Calibration.fit(scores, relevant)
    assert abs(cal.slope - 40) < 4 and abs(cal.midpoint - 2.2) < 0.01
    assert 48 <= cal.percent(2.2) <= 52 and cal.percent(2.5) > 95
    assert Calibration.fit(scores, ~relevant) == DEFAULT_CALIBRATION  # scores that do not order relevance
