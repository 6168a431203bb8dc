"""The learning loop: metrics, dataset split by CV, training, the gate, the registry, privacy, CLI."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from jobsai.config import Settings
from jobsai.learn import metrics
from jobsai.learn.dataset import build_training_set, training_triplets
from jobsai.learn.gate import GateConfig, decide
from jobsai.store import models as registry
from jobsai.store.db import Database
from jobsai.store.feedback import record_feedback

pytestmark = pytest.mark.timeout(300)


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


def _feedback_db(settings: Settings, encoder, *, adversarial: bool, seed: int) -> Database:
    from jobsai.learn.evaluate import demo_ads
    from jobsai.learn.simulate import simulate_feedback, simulated_users

    db = Database(settings.resolved_database_url)
    db.migrate()
    ads = demo_ads()
    users = simulated_users(ads, 30, seed=seed)
    with db.begin() as conn:
        for e in simulate_feedback(users, ads, encoder, noise=0.1, adversarial=adversarial, seed=0):
            record_feedback(conn, e)
    return db


def test_train_gate_registry_privacy_and_cli(tmp_path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from jobsai.learn.evaluate import demo_ads, load_encoder
    from jobsai.learn.simulate import demo_search
    from jobsai.learn.train import TrainConfig, run_training
    from jobsai.store.feedback import get_feedback

    from support.tiny_model import make_tiny_model

    model = make_tiny_model(tmp_path / "tiny")
    settings = Settings(data_dir=tmp_path / "data", model=str(model), embed_quantize=False)
    settings.ensure_dirs()
    encoder = load_encoder(settings, model)
    db = _feedback_db(settings, encoder, adversarial=False, seed=1)
    config = TrainConfig(max_steps=20, learning_rate=1e-3, progress=False, test_fraction=0.3)
    report = run_training(settings, db, search=demo_search(encoder, demo_ads()), config=config,
                          gate=GateConfig(margin=-1.0, tolerance=1.0, confidence=0), include_eval_dev=False)
    assert report.status == "champion", report.reason
    m = report.gate.metrics()
    assert m["challenger"]["project"]["ndcg@10"] > m["champion"]["project"]["ndcg@10"]

    # privacy: no 30-character piece of any training CV in any saved file
    with db.begin(readonly=True) as conn:
        cvs = {r.cv_text_redacted for r in get_feedback(conn) if r.cv_text_redacted}
    pieces = {" ".join(cv.split())[i : i + 30] for cv in cvs for i in range(0, max(1, len(" ".join(cv.split())) - 29))}
    files = [p for p in report.path.rglob("*") if p.is_file()]
    assert any(p.name == "README.md" for p in files)
    for p in files:
        data = p.read_bytes()
        text = " ".join(data.decode("utf-8", errors="ignore").split())
        windows = {text[i : i + 30] for i in range(max(1, len(text) - 29))}
        leaked = sorted(pieces & windows)
        assert not leaked, f"{p.name} contains CV text: {leaked[:1]}"

    # a batch of random feedback (the earlier feedback deleted) is rejected by the gate
    with db.begin() as conn:
        conn.execute(__import__("sqlalchemy").text("DELETE FROM feedback"))
    _feedback_db(settings, encoder, adversarial=True, seed=2)
    bad_config = TrainConfig(max_steps=10, learning_rate=1e-3, progress=False, test_fraction=0.3)
    bad = run_training(settings, db, config=bad_config, gate=GateConfig(margin=0.01), include_eval_dev=False)
    assert bad.status == "rejected", bad.reason

    with db.begin(readonly=True) as conn:
        rows = {r.version: r for r in registry.list_models(conn)}
    assert rows[report.version].status == "champion" and rows[bad.version].status == "rejected"
    assert rows[bad.version].data_sizes["train_cvs"] > 0 and rows[bad.version].reason

    env = {**os.environ, "COLUMNS": "300", "JOBSAI_DATA_DIR": str(settings.data_dir), "JOBSAI_MODEL": str(model)}
    cli = [sys.executable, "-m", "jobsai.cli.main"]
    run = subprocess.run([*cli, "models"], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and report.version in run.stdout, run.stderr
    png = tmp_path / "models.png"
    run = subprocess.run([*cli, "models", "plot", str(png)], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and png.read_bytes()[:4] == b"\x89PNG", run.stderr
    with pytest.raises(registry.ModelRegistryError, match="never a champion"):
        registry.rollback(db, bad.version)
    out = tmp_path / "fb.jsonl"
    run = subprocess.run([*cli, "feedback", "export", str(out)], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and out.stat().st_size > 0, run.stderr
