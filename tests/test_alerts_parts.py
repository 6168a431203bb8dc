"""Job alerts' parts without a model: the batched scoring against the matcher's own features, thresholds,
the per-recipient cap, daily digests, a model change, and retention, on a real SQLite store and a real
local SMTP server."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from jobsai.alerts import jobs as alert_jobs
from jobsai.alerts import scoring
from jobsai.alerts.delivery import deliver_due
from jobsai.alerts.errors import AlertRequestError, AlertUnavailableError
from jobsai.alerts.profiles import ProfileVectors, fingerprint_key, thresholds_from
from jobsai.alerts.queue import mark_stale_profiles
from jobsai.alerts.scoring import NewAds, ScoredProfile, fused_scores, percent, score_profiles
from jobsai.alerts.service import AlertRequest, AlertService
from jobsai.config import Settings
from jobsai.embed.fingerprint import ModelFingerprint
from jobsai.embed.text import CVTexts
from jobsai.index.base import SearchFilter, SparseVector
from jobsai.match.matcher import PreparedCV
from jobsai.match.scoring import DEFAULT_CALIBRATION, CvVectors, compute_features, fuse
from jobsai.runtime import Runtime
from jobsai.store import alerts as repo
from jobsai.timeutil import utcnow

from support.smtp_server import LocalSmtp, text_of

DIM = 16
FP = ModelFingerprint("test-model", "a" * 64, DIM)


def _unit(rng: np.random.Generator, *shape: int) -> np.ndarray:
    v = rng.normal(size=(*shape, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def _prepared(rng: np.random.Generator, chunks: int, headline: bool = True, goal: bool = False) -> PreparedCV:
    texts = CVTexts(profile="p", chunks=tuple(f"c{i}" for i in range(chunks)),
                    headline="Undersköterska" if headline else None, goal="Sjuksköterska" if goal else None)
    vectors = _unit(rng, len(texts.query_texts()))
    return PreparedCV(texts, vectors, SparseVector([], []), "redacted text")


def _ads(rng: np.random.Generator, n: int, **concepts: list[str]) -> NewAds:
    fields = {f: np.array(concepts.get(f, [""] * n), dtype=object) for f in scoring.FILTER_FIELDS}
    return NewAds([f"ad{i}" for i in range(n)], _unit(rng, n), _unit(rng, n), fields, np.full(n, 2e9))


def test_batched_scores_are_the_matchers_features_without_bm25(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(1)
    ads = _ads(rng, 37)
    prepared = [_prepared(rng, c, headline=c % 2 == 0, goal=c == 3) for c in (1, 2, 3, 5, 8)]
    profiles = [ProfileVectors.from_prepared(p) for p in prepared]
    batched = fused_scores(ads, profiles)
    for p, row in zip(prepared, batched, strict=True):
        cv = CvVectors.split(p.texts, p.vectors)
        expected = fuse(compute_features(cv, ads.titles, ads.bodies, np.zeros(len(ads), np.float32)))
        np.testing.assert_allclose(row, expected, rtol=1e-5, atol=1e-5)
    # split into blocks of one profile: the same hits
    scored = [ScoredProfile(i, v, 0, {}, 0.0) for i, v in enumerate(profiles)]
    whole = score_profiles(ads, scored, DEFAULT_CALIBRATION)
    monkeypatch.setattr(scoring, "BLOCK_FLOATS", 1)
    assert score_profiles(ads, scored, DEFAULT_CALIBRATION) == whole and len(whole) == 5 * 37


def test_packed_vectors_round_trip_and_percent_matches_the_calibration() -> None:
    rng = np.random.default_rng(2)
    v = ProfileVectors.from_prepared(_prepared(rng, 4))
    back = ProfileVectors.unpack(v.pack(), DIM, 4)
    assert np.array_equal(back.profile, v.profile) and np.array_equal(back.chunks, v.chunks)
    fused = np.array([1.9, 2.1, 2.173, 2.3])
    # The documented curve, 100 / (1 + exp(-slope (fused - midpoint))), written out independently.
    cal = DEFAULT_CALIBRATION
    expected = [round(100 / (1 + math.exp(-cal.slope * (f - cal.midpoint)))) for f in fused]
    assert expected == [0, 4, 50, 100]
    assert percent(fused, cal).tolist() == expected == [cal.percent(f) for f in fused]


def test_filters_thresholds_and_age_decide_which_ads_are_told() -> None:
    rng = np.random.default_rng(3)
    ads = _ads(rng, 4, municipality=["m1", "m2", "m1", ""], employment_type=["e1", "e1", "e2", "e1"])
    ads = NewAds(ads.ids, ads.titles, ads.bodies, ads.concepts, np.array([10.0, 20.0, 30.0, 40.0]))
    v = ProfileVectors.from_prepared(_prepared(rng, 2))
    everything = ScoredProfile(1, v, 0, {}, 0.0)
    filtered = ScoredProfile(2, v, 0, {"municipality": ["m1", "m2"], "employment_type": ["e1"]}, 0.0)
    newer = ScoredProfile(3, v, 0, {}, 25.0)
    never = ScoredProfile(4, v, 101, {}, 0.0)
    hits = score_profiles(ads, [everything, filtered, newer, never])
    told = {(a, ad) for a, ad, _ in hits}
    assert {ad for a, ad in told if a == 1} == {"ad0", "ad1", "ad2", "ad3"}
    assert {ad for a, ad in told if a == 2} == {"ad0", "ad1"}  # OR within a field, AND across fields
    assert {ad for a, ad in told if a == 3} == {"ad2", "ad3"}  # only ads that came after the alert
    assert not any(a == 4 for a, _ in told)


def test_thresholds_follow_the_match_they_are_made_from() -> None:
    assert thresholds_from([99, 97, 96, 95, 93, 80]) == {"very_good": 94, "good": 88}
    assert thresholds_from([40, 30]) == {"very_good": 50, "good": 30}  # floors
    assert thresholds_from([]) == {"very_good": 50, "good": 30}
    assert thresholds_from([100] * 10) == {"very_good": 95, "good": 90}  # a perfect new ad can always pass


# -- with a store and an SMTP server -------------------------------------------------------------------------


@pytest.fixture
def smtp() -> Iterator[LocalSmtp]:
    with LocalSmtp() as server:
        yield server


@pytest.fixture
def runtime(tmp_path: Path, smtp: LocalSmtp) -> Iterator[Runtime]:
    settings = Settings(data_dir=tmp_path / "data", database_url=None, qdrant_url=None, embed_quantize=False,
                        jobstream_url="http://127.0.0.1:9", smtp_url=smtp.url, public_base_url="https://jobs.example",
                        alerts_max_mails_per_day=3, domain_adapt_interval_days=0)
    rt = Runtime(settings)  # only the database: these tests never load a model
    yield rt
    rt.close()


def _alert(rt: Runtime, email: str | None, frequency: str = "instant", confirm: bool = True) -> str:
    service = AlertService(rt.settings, rt.db.begin)
    created = service.create(AlertRequest("email" if email else "feed", email, "en", "good", frequency, True),
                             _prepared(np.random.default_rng(4), 3), FP, SearchFilter(), [90, 80])
    if email and confirm:
        with rt.db.begin(readonly=True) as conn:
            row = repo.by_manage_token(conn, created.manage_token)
        assert row is not None
        service.confirm(service.tokens.token(row.token_nonce, "confirm"))
    return created.manage_token


def _queue(rt: Runtime, token: str, *ad_ids: str) -> None:
    with rt.db.begin() as conn:
        row = repo.by_manage_token(conn, token)
        assert row is not None
        repo.queue(conn, [{"alert_id": row.id, "ad_id": a, "score": 90, "why": "w", "status": "queued",
                           "created_at": utcnow()} for a in ad_ids])


def _store_ads(rt: Runtime, *ad_ids: str) -> None:
    from jobsai.sources.ads import parse_item
    from jobsai.store.ads import upsert_ads

    ads = [parse_item({"id": a, "headline": f"Jobb {a}", "description": {"text": "Beskrivning."},
                       "timestamp": 1796600000000}) for a in ad_ids]
    with rt.db.begin() as conn:
        upsert_ads(conn, ads, now=utcnow())  # type: ignore[arg-type]


def test_consent_address_and_the_per_recipient_cap(runtime: Runtime, smtp: LocalSmtp) -> None:
    service = AlertService(runtime.settings, runtime.db.begin)
    prepared = _prepared(np.random.default_rng(5), 2)
    with pytest.raises(AlertRequestError, match="tick the box"):
        service.create(AlertRequest("feed", None, "sv", "good", "instant", False), prepared, FP, SearchFilter(), [])
    with pytest.raises(AlertRequestError, match="valid e-mail"):
        service.create(AlertRequest("email", "not-an-address", "sv", "good", "instant", True), prepared, FP,
                       SearchFilter(), [])
    for _ in range(3):  # three confirmations fill the address's day
        _alert(runtime, "busy@example.net", confirm=False)
    with pytest.raises(AlertUnavailableError, match="nothing was saved"):
        _alert(runtime, "busy@example.net", confirm=False)
    assert len(smtp.to("busy@example.net")) == 3
    with runtime.db.begin(readonly=True) as conn:
        assert repo.count_for_address(conn, "BUSY@example.net") == 3


def test_daily_alerts_send_one_digest_a_day(runtime: Runtime, smtp: LocalSmtp) -> None:
    _store_ads(runtime, "d1", "d2", "d3")
    token = _alert(runtime, "daily@example.net", frequency="daily")
    smtp.clear()
    _queue(runtime, token, "d1", "d2")
    now = utcnow()
    assert deliver_due(runtime.db.begin, AlertService(runtime.settings, runtime.db.begin).mailer(), now).messages == 1
    _queue(runtime, token, "d3")
    mailer = AlertService(runtime.settings, runtime.db.begin).mailer()
    assert deliver_due(runtime.db.begin, mailer, now + timedelta(hours=2)).messages == 0  # waits for the digest
    alert_jobs.daily(runtime, now + timedelta(hours=24))  # the worker's daily step
    first, second = smtp.to("daily@example.net")
    assert "2 new jobs" in first["Subject"] and "1 new job " in second["Subject"]
    assert "/open/" in text_of(second) and text_of(second).count("Jobb d3") == 1


def test_a_model_change_pauses_alerts_and_tells_each_person_once(runtime: Runtime, smtp: LocalSmtp) -> None:
    token = _alert(runtime, "refresh@example.net")
    smtp.clear()
    new = ModelFingerprint("test-model", "b" * 64, DIM)
    with runtime.db.begin() as conn:
        assert mark_stale_profiles(conn, fingerprint_key(new)) == 1
        assert mark_stale_profiles(conn, fingerprint_key(new)) == 0
    mailer = AlertService(runtime.settings, runtime.db.begin).mailer()
    deliver_due(runtime.db.begin, mailer)
    deliver_due(runtime.db.begin, mailer)
    [notice] = smtp.to("refresh@example.net")
    assert "fresh CV" in notice["Subject"] and "/manage/" in text_of(notice)
    service = AlertService(runtime.settings, runtime.db.begin)
    assert service.view(token).status == "needs_refresh"
    with pytest.raises(AlertRequestError, match="upload your CV again"):
        service.change(token, paused=False)


def test_retention_notices_then_deletes_alerts_nobody_opens(runtime: Runtime, smtp: LocalSmtp) -> None:
    quiet = _alert(runtime, "quiet@example.net")
    opened = _alert(runtime, "opened@example.net")
    _alert(runtime, "never-confirmed@example.net", confirm=False)
    smtp.clear()
    s = runtime.settings
    now = utcnow()
    report = alert_jobs.retention(runtime, now + timedelta(days=s.alerts_pending_days + 1))
    assert report.pending_deleted == 1 and report.notices == 0
    later = now + timedelta(days=s.alerts_retention_days + 1)
    assert alert_jobs.retention(runtime, later).notices == 2
    assert {m["To"] for m in smtp.messages} == {"quiet@example.net", "opened@example.net"}
    assert "expires" in smtp.messages[0]["Subject"]
    assert alert_jobs.retention(runtime, later + timedelta(days=1)).notices == 0  # one notice each
    service = AlertService(s, runtime.db.begin)
    with runtime.db.begin() as conn:  # the person opens the management link after the notice
        row = repo.by_manage_token(conn, opened)
        assert row is not None
        repo.update_alert(conn, row.id, last_opened_at=later + timedelta(days=2), expiry_notice_at=None)
    gone = alert_jobs.retention(runtime, later + timedelta(days=s.alerts_notice_days + 1))
    assert gone.expired == 1
    with pytest.raises(Exception, match="deleted or has expired"):
        service.view(quiet)
    assert service.view(opened).status == "active"


def test_the_feed_of_a_profile_made_by_an_older_model_says_so_and_stays_valid_atom(runtime: Runtime) -> None:
    from jobsai.alerts.feed import render_feed
    from jobsai.alerts.messages import Links

    from support.atom import atom_problems

    token = _alert(runtime, None)
    with runtime.db.begin() as conn:
        row = repo.by_manage_token(conn, token)
        assert row is not None
        repo.update_alert(conn, row.id, status="needs_refresh")
        row = repo.get_alert(conn, row.id)
    assert row is not None
    doc = render_feed(row, [], {}, Links("https://jobs.example"), "r" * 43)
    assert atom_problems(doc) == []
    assert b"Upload your CV again" in doc and b"/manage/" not in doc
