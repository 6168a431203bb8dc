"""Feedback rows in SQL (SQLite and, when configured, PostgreSQL): upsert, consent, real deletion."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from jobsai.errors import StoreError
from jobsai.store import feedback as repo
from jobsai.store.db import Database
from jobsai.store.schema import feedback as feedback_table

pytest_plugins = ["pg"]


def _entry(session: str, ad: str, token: str, **kw: object) -> repo.FeedbackEntry:
    values: dict[str, object] = {
        "session_id": session, "ad_id": ad, "ad_text": f"Title {ad}.\n\nBody of {ad}.", "label": "relevant",
        "rank": 1, "score": 80, "raw_score": 0.8, "model_version": "tiny@abc123", "deletion_token": token,
        "filters": {"municipalities": ["Stockholm"]},
    }
    values.update(kw)
    return repo.FeedbackEntry(**values)  # type: ignore[arg-type]


def test_latest_wins_per_session_and_ad(db: Database) -> None:
    token = repo.new_deletion_token()
    with db.begin() as conn:
        repo.record_feedback(conn, _entry("s1", "a1", token))
        repo.record_feedback(conn, _entry("s1", "a1", token, label="not_relevant", rank=3))
        repo.record_feedback(conn, _entry("s2", "a1", repo.new_deletion_token()))  # someone else, same ad
    with db.begin(readonly=True) as conn:
        rows = repo.get_feedback(conn, ad_id="a1")
    assert [(r.session_id, r.label, r.rank) for r in rows] == [("s1", "not_relevant", 3), ("s2", "relevant", 1)]
    assert rows[0].filters == {"municipalities": ["Stockholm"]}
    assert rows[0].created_at <= rows[0].updated_at
    assert rows[0].deletion_token_hash == repo.hash_token(token) != token


def test_consent_is_the_sessions_current_answer(db: Database) -> None:
    token = repo.new_deletion_token()
    with db.begin() as conn:
        repo.record_feedback(conn, _entry("s1", "a1", token))
        repo.record_feedback(conn, _entry("s1", "a2", token, consent=True, cv_text_redacted="CV [E-POST]"))
    with db.begin(readonly=True) as conn:
        assert {r.ad_id: r.cv_text_redacted for r in repo.get_feedback(conn, session_id="s1")} == {
            "a1": "CV [E-POST]", "a2": "CV [E-POST]"}
    with db.begin() as conn:
        assert repo.withdraw_consent(conn, token) == 2
    with db.begin(readonly=True) as conn:
        rows = repo.get_feedback(conn, session_id="s1")
    assert all(r.cv_text_redacted is None and r.consent is False for r in rows)
    with db.begin() as conn:
        assert repo.apply_consent(conn, "s1", "CV again") == 2


def test_the_database_refuses_a_cv_without_consent(db: Database) -> None:
    with pytest.raises(ValueError):
        _entry("s", "a", "t" * 40, cv_text_redacted="CV", consent=False)
    with pytest.raises((StoreError, IntegrityError)), db.begin() as conn:
        conn.execute(feedback_table.insert().values(
            session_id="s", ad_id="a", ad_text="x", cv_text_redacted="raw CV", consent=False, label="relevant",
            rank=1, score=1, model_version="m", created_at=text("CURRENT_TIMESTAMP"),
            updated_at=text("CURRENT_TIMESTAMP"), deletion_token_hash="h",
        ))


def test_delete_by_token_removes_every_row_it_covers(db: Database) -> None:
    mine, theirs = repo.new_deletion_token(), repo.new_deletion_token()
    with db.begin() as conn:
        for session, ad in (("s1", "a1"), ("s1", "a2"), ("s2", "a1")):  # two sessions under one token
            repo.record_feedback(conn, _entry(session, ad, mine, consent=True, cv_text_redacted="CV"))
        repo.record_feedback(conn, _entry("s3", "a1", theirs))
    with db.begin() as conn:
        assert repo.delete_by_token(conn, mine) == 3
        assert repo.delete_by_token(conn, mine) == 0
    with db.begin(readonly=True) as conn:
        assert conn.execute(select(func.count()).select_from(feedback_table)).scalar_one() == 1
        assert repo.count_feedback(conn, token=mine) == 0
        assert repo.count_feedback(conn, token=theirs) == 1
        assert repo.count_feedback(conn, session_id="s1") == 0


def test_tokens_and_ids_are_random_and_long() -> None:
    tokens = {repo.new_deletion_token() for _ in range(100)}
    assert len(tokens) == 100 and all(len(t) >= 40 for t in tokens)
    assert len(repo.new_session_id()) >= 20
