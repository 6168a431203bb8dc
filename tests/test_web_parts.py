"""Small parts of the web layer: rate limiter, session store, translations, text helpers, log redaction."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pytest

from jobsai.errors import FileTooLargeError, ScannedPDFError, TextTooShortError, UnpackTooLargeError
from jobsai.web.i18n import LANGS, STRINGS, as_lang, error_message, t
from jobsai.web.middleware import AccessLogRedaction
from jobsai.web.ratelimit import TokenBucketLimiter
from jobsai.web.render import excerpt, highlight, plain_text, understood_html
from jobsai.web.service import SharedQueryEncoder
from jobsai.web.sessions import MatchSession, SessionStore, ShownResult


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket_allows_a_burst_then_a_steady_rate_per_client() -> None:
    clock = Clock()
    limiter = TokenBucketLimiter(rate_per_s=1.0, burst=3, clock=clock)
    assert [limiter.acquire("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.acquire("a")
    assert wait == pytest.approx(1.0)
    assert limiter.acquire("b") == 0.0  # another client has its own bucket
    clock.now += 1.0
    assert limiter.acquire("a") == 0.0
    assert limiter.acquire("a") > 0
    assert TokenBucketLimiter.retry_after_header(0.2) == "1"
    assert TokenBucketLimiter.retry_after_header(2.1) == "3"


def test_token_bucket_forgets_the_oldest_clients_beyond_its_bound() -> None:
    limiter = TokenBucketLimiter(rate_per_s=0.001, burst=1, max_keys=2, clock=Clock())
    for key in ("a", "b", "c"):
        assert limiter.acquire(key) == 0.0
    assert limiter.acquire("a") == 0.0  # "a" was forgotten: a full bucket again
    assert limiter.acquire("c") > 0


def _session(sid: str, token: str = "tok") -> MatchSession:
    return MatchSession(session_id=sid, deletion_token=token, cv_redacted="cv", cv_digest="d",
                        model_version="m", language="sv")


def test_session_store_expires_and_stays_bounded() -> None:
    clock = Clock()
    store = SessionStore(ttl_s=60, max_sessions=2, clock=clock)
    store.put(_session("a"))
    store.put(_session("b"))
    store.put(_session("c"))
    assert store.get("a") is None and len(store) == 2  # least recently used went first
    clock.now += 30
    assert store.get("b") is not None  # use renews
    clock.now += 45
    assert store.get("c") is None and store.get("b") is not None
    assert store.update_shown("b", {"ad": ShownResult(1, 90, 0.9, {})})
    assert not store.update_shown("zzz", {})
    assert store.drop_token("tok") == 1 and store.get("b") is None


def test_every_string_exists_in_both_languages() -> None:
    for key, entry in STRINGS.items():
        for lang in LANGS:
            assert entry.get(lang), (key, lang)
    assert as_lang("en-GB") == "en" and as_lang("English") == "en" and as_lang(None) == "sv"
    assert t("fr", "search") == t("sv", "search") == "Hitta jobb"


def test_error_messages_by_type_and_language() -> None:
    scanned = error_message("sv", ScannedPDFError("x"), max_upload_bytes=10 << 20, min_words=20)
    assert "inskannad" in scanned
    short = error_message("sv", TextTooShortError("x"), max_upload_bytes=10 << 20, min_words=20)
    assert "20 ord" in short
    assert error_message("en", ScannedPDFError("This PDF has no text"), max_upload_bytes=1, min_words=1) == (
        "This PDF has no text")


def test_a_file_that_unpacks_too_large_is_not_told_it_is_over_the_upload_size() -> None:
    # a 128 kB zip bomb is well within the 10 MB upload limit: "högst 10 MB" would be false
    bomb = UnpackTooLargeError("cv.docx unpacks to more than 100 MB — far more than a CV needs.")
    limits = {"max_upload_bytes": 10 << 20, "min_words": 20}
    swedish = error_message("sv", bomb, **limits)
    assert swedish == t("sv", "err_unpacks_too_large") and "packas upp" in swedish
    assert "högst" not in swedish and swedish != error_message("sv", FileTooLargeError("x"), **limits)
    assert error_message("en", bomb, **limits) == str(bomb)  # the extractor's own words, naming the cap
    assert "unpacks" in t("en", "err_unpacks_too_large")
    # an upload over the size limit still gets the size words
    assert "högst 10 MB" in error_message("sv", FileTooLargeError("x"), **limits)


def test_excerpt_and_highlight_are_text_not_markup() -> None:
    text = "Om oss\nVi söker en <b>undersköterska</b> till vårt team.\nRing 070-123 45 67 eller mejla a@b.se"
    ex = excerpt(text)
    assert ex.startswith("Vi söker en undersköterska") and "070" not in ex and "Om oss" not in ex
    assert highlight("Undersköterska & team", ["undersköterska"]) == "<mark>Undersköterska</mark> &amp; team"
    assert plain_text("<p>a<script>evil()</script></p>b") == "ab"
    long = excerpt("Ord. " * 500, max_chars=50)
    assert len(long) <= 52 and long.endswith("…")


def test_understood_shows_the_cv_title_escaped_or_a_hint_without_one() -> None:
    common = {"language": "sv", "words": 300, "pages": 1, "kind": "pdf", "occupations": [("Undersköterska", 4)],
              "skills": ["Hemtjänst"]}
    shown = understood_html("sv", title="Undersköterska <b>& vårdbiträde</b>", **common)
    assert "Din yrkestitel: <strong>Undersköterska &lt;b&gt;&amp; vårdbiträde&lt;/b&gt;</strong>" in shown
    hint = understood_html("en", title=None, **common)
    assert "No job title found" in hint and "Your job title" not in hint


def test_access_log_redaction_hides_deletion_tokens() -> None:
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("1.2.3.4", "DELETE", "/api/v1/feedback/SECRETtoken_123", "1.1", 200), None)
    AccessLogRedaction().filter(record)
    assert "SECRET" not in record.getMessage()
    record2 = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                                ("1.2.3.4", "GET", "/?radera=SECRETtoken_123", "1.1", 200), None)
    AccessLogRedaction().filter(record2)
    assert "SECRET" not in record2.getMessage()


class _CountingEncoder:
    def __init__(self) -> None:
        self.calls = 0

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        return np.array([[float(len(t)), float(i)] for i, t in enumerate(texts)], dtype=np.float32)


def test_shared_query_encoder_reuses_a_recent_cvs_vectors_and_stays_bounded() -> None:
    inner = _CountingEncoder()
    enc = SharedQueryEncoder(inner, capacity=2)
    first = enc.encode_queries(["profil a", "bit 1"])
    first[0, 0] = -1.0  # a caller changing its copy must not change the cache
    again = enc.encode_queries(["profil a", "bit 1"])
    assert inner.calls == 1 and again[0, 0] == len("profil a")
    enc.encode_queries(["profil b"])
    enc.encode_queries(["profil c"])  # evicts a (least recently used)
    assert inner.calls == 3
    enc.encode_queries(["profil a", "bit 1"])
    assert inner.calls == 4
    enc.encode_queries(["profil a", "bit", "1"])  # other texts, other key
    assert inner.calls == 5
