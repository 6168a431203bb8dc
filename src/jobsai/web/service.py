"""What the web app does, independent of how it is asked (HTTP API or Gradio UI).

One :class:`WebService` per app, created by :func:`jobsai.web.app.create_app` and kept on
``app.state``; nothing here is module-level state. It owns:

* the :class:`~jobsai.runtime.Runtime` (model and index loaded once, shared read-only by
  every request; a request never loads or downloads a model: until start-up is done it
  gets a "not ready" answer instead);
* the match sessions, so feedback stores only the CV of the session it names: in the database
  (:mod:`jobsai.store.sessions`, what feedback, consent and deletion read, so any replica can
  take them; expired rows swept by every process) and, for re-ranking, in this process's memory
  (:mod:`jobsai.web.sessions`);
* the rate limiters (:mod:`jobsai.web.limiter`: shared across replicas through Redis or the
  database when configured) and a bounded pool of match slots, so a burst of users queues for
  the CPU instead of overloading it;
* the :class:`~jobsai.web.parse_pool.ParsePool`: every uploaded file is read in a worker
  process under CPU, memory and wall-clock limits, in slots of its own (issue 14: one hostile
  file used to hold a core and gigabytes of the server's memory past its request's timeout).

CV text is never logged here; log lines carry counts and ids only.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import logging
import secrets
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from jobsai.config import Settings
from jobsai.cv.extract import CVText, cv_text_from_paste
from jobsai.cv.redact import redact
from jobsai.embed.text import ad_texts
from jobsai.errors import FileTooLargeError, JobsAIError, NoDataError, ParseLimitError
from jobsai.index import catalog
from jobsai.index.base import SearchFilter
from jobsai.index.filters import PUBLIC_FILTERS
from jobsai.match.filters import FilterInput, resolve_filter
from jobsai.match.matcher import Matcher, MatchResult, PreparedCV
from jobsai.metrics import Metrics, file_kind
from jobsai.runtime import Runtime
from jobsai.sources.ads import Ad
from jobsai.store import ads as ads_repo
from jobsai.store import alerts as alerts_repo
from jobsai.store import feedback as feedback_repo
from jobsai.store import sessions as sessions_repo
from jobsai.store.ads import ConceptCount
from jobsai.sync.health import StoreHealth, store_health
from jobsai.timeutil import utcnow
from jobsai.web.errors import BusyError, NotFoundError, NotReadyError, RateLimitedError, SessionNotFoundError
from jobsai.web.limiter import DatabaseStorage, SharedLimiter, make_storage
from jobsai.web.parse_pool import ParseLimits, ParsePool
from jobsai.web.render import CardView
from jobsai.web.sessions import MatchSession, SessionStore, ShownResult
from jobsai.worker import ensure_data_unless_busy

log = logging.getLogger(__name__)

MAX_TOP_K = 100
OVER_LIMITS_COST = 4.0
"""Extra match tokens a client pays when its file hit the parse limits: a hostile file costs the
server up to ``web_parse_cpu_s`` of CPU, an ordinary one a fraction of a second."""
FILTER_CACHE_S = 60.0
Label = Literal["relevant", "not_relevant"]
Stage = Literal["starting", "loading_model", "loading_ads", "ready", "failed", "stopped"]


@dataclass(frozen=True, slots=True)
class SessionRef:
    """What a UI session remembers between searches (kept in its own ``gr.State``)."""

    session_id: str
    deletion_token: str


@dataclass(frozen=True, slots=True)
class MatchOutcome:
    session_id: str
    deletion_token: str
    language: str
    words: int
    pages: int | None
    kind: str
    title: str | None
    """The CV's title line as the matcher read it (``embed.text.cv_headline``), if it has one."""
    occupations: tuple[tuple[str, int], ...]
    """The occupations of the best results, most frequent first: what the CV seems to fit."""
    skills: tuple[str, ...]
    """Skills listed by the best results that the CV mentions, most frequent first."""
    cards: tuple[CardView, ...]
    top_k: int

    @property
    def ref(self) -> SessionRef:
        return SessionRef(self.session_id, self.deletion_token)


@dataclass(frozen=True, slots=True)
class FeedbackOutcome:
    session_id: str
    ad_id: str
    label: Label
    consent: bool
    cv_stored: bool
    deletion_token: str | None
    """None when another replica opened the session (the database keeps only the token's hash)."""


@dataclass(frozen=True, slots=True)
class Readiness:
    ready: bool
    stage: Stage
    ads: int
    model: str | None
    message: str
    health: StoreHealth | None = None
    """Once ready: the store's live ads against the index's counted points, and how old the data is."""


@dataclass(slots=True)
class _State:
    stage: Stage = "starting"
    message: str = "starting"
    progress: dict[str, tuple[int, int | None]] = field(default_factory=dict)


class SharedQueryEncoder:
    """The web app's query encoder: one encoding at a time, and recent CVs' vectors kept.

    Why serial: a Hugging Face fast tokenizer raises "Already borrowed" when two threads change
    its padding settings at once, and two forward passes on a 2-core machine only slow each
    other down. Retrieval, scoring, explanations and SQL still run concurrently.

    Why a cache: a person who changes a filter or asks for more results sends the same CV
    again, and encoding it is most of a match's time (~0.3 s of ~0.35 s). The last
    ``capacity`` CVs' vectors are kept in memory, keyed by a hash of their texts (no text is
    kept), so those requests skip the model.
    """

    def __init__(self, encoder: Any, capacity: int = 256) -> None:
        self._encoder = encoder
        self._capacity = capacity
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    @staticmethod
    def _key(texts: Sequence[str]) -> str:
        h = hashlib.sha256()
        for text in texts:
            h.update(text.encode("utf-8", "surrogatepass") + b"\0")
        return h.hexdigest()

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        key = self._key(texts)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit.copy()
            vectors = self._encoder.encode_queries(texts)
            if self._capacity > 0:
                self._cache[key] = vectors.copy()
                while len(self._cache) > self._capacity:
                    self._cache.popitem(last=False)
            return vectors

    def forget(self, vectors: np.ndarray) -> int:
        """Drop the cached entries holding exactly these vectors (a person deleted their data)."""
        with self._lock:
            gone = [k for k, v in self._cache.items() if v.shape == vectors.shape and np.array_equal(v, vectors)]
            for key in gone:
                del self._cache[key]
            return len(gone)


REDACTION_CONTEXT_LINES = 15
"""How many of the CV's opening lines go before a part of it that is redacted on its own."""
_CONTEXT_END = "\n\u2063jobsai-redaction-context\u2063\n"


def public_redactor(cv_text: str) -> Callable[[str], str]:
    """:func:`~jobsai.cv.redact.redact` for ``cv_text`` and for parts of it (profile, chunks, title).

    A part is redacted with the CV's opening lines in front of it and those cut off again:
    the redactor reads the person's name from the CV's header, and a chunk from the middle of
    the CV must lose that name too.
    """
    opening = "\n".join(itertools.islice((line for line in cv_text.splitlines() if line.strip()),
                                         REDACTION_CONTEXT_LINES))

    def public(part: str) -> str:
        if part is cv_text or not part.strip():
            return redact(part)
        _, found, rest = redact(opening + _CONTEXT_END + part).partition(_CONTEXT_END)
        return rest if found else redact(part)

    return public


def _serving_matcher(rt: Runtime, metrics: Metrics | None = None) -> tuple[Matcher, str]:
    """``rt``'s matcher as the web app serves it, with the model's ``name@weights`` label (its stage
    timings go to ``metrics``).

    Warmed first (OpenVINO takes over CV queries under ``JOBSAI_QUERY_BACKEND=auto``, the first
    encoding builds any int8 model, and the explainer counts every live ad's words: seconds, better
    spent now than in a user's request), then a copy whose encoder is a :class:`SharedQueryEncoder`.
    """
    matcher = rt.matcher
    if rt.settings.query_backend == "auto":
        rt.embedder.use_fast_query_backend(rt.settings.embed_threads)
    matcher.encoder.encode_queries(["undersköterska med erfarenhet av hemtjänst"])
    matcher.explainer.stats.warm()
    serial = copy.copy(matcher)
    serial.encoder = SharedQueryEncoder(matcher.encoder)
    serial.observer = metrics.observe_stage if metrics is not None else None
    fp = rt.embedder.fingerprint
    return serial, f"{fp.name}@{fp.weights_sha256[:12]}"


class WebService:
    """The web app's engine room; see the module docstring. Thread-safe."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.sessions = SessionStore(
            settings.web_session_ttl_s, settings.web_max_sessions, settings.web_session_max_bytes
        )
        self._delete_listeners: list[Callable[[Sequence[str]], None]] = []
        self.limit_storage_kind, self._limit_storage = make_storage(settings)
        self.match_limiter = SharedLimiter(self._limit_storage, "match", settings.web_rate_limit_per_min,
                                           settings.web_rate_limit_burst)
        self.light_limiter = SharedLimiter(self._limit_storage, "light", settings.web_feedback_rate_limit_per_min, 60)
        self._stop_sweeping = threading.Event()
        self._sweeper: threading.Thread | None = None
        self._slots = threading.BoundedSemaphore(settings.web_match_workers)
        self.parser = ParsePool(
            ParseLimits(cpu_s=settings.web_parse_cpu_s, memory_mb=settings.web_parse_memory_mb,
                        wall_s=settings.web_parse_wall_s),
            workers=settings.web_parse_workers or settings.web_match_workers,
            queue=settings.web_parse_queue,
        )
        self._state = _State()
        self._state_lock = threading.Lock()
        self._runtime: Runtime | None = None
        self._owns_runtime = False
        self._matcher: Matcher | None = None
        self._model_version: str | None = None
        self._preparer: threading.Thread | None = None
        self._filters_cache: tuple[float, dict[str, list[ConceptCount]]] | None = None
        self._filters_lock = threading.Lock()
        self._retiring: list[tuple[threading.Timer, Callable[[], None]]] = []
        self.metrics = Metrics()
        self.metrics.watch_state(self._scrape_health, lambda: self._model_version)

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self, runtime: Runtime | None = None, *, background: bool = True) -> None:
        """Open the store now; load the model and index (and, if ours, the ads) in the background.

        With a ``runtime`` from the caller (tests, embedding), it is used as it is and not closed
        by :meth:`stop`. Without one, the service builds its own and, when the store is empty and
        ``web_prepare_data`` is on, fetches JobStream or loads the demo set, so ``jobsai serve``
        works offline. The HTTP server answers (``/healthz``, ``/readyz``: 503) meanwhile.
        """
        if runtime is None:
            self._runtime = Runtime(self.settings, progress=self._on_progress)
            self._owns_runtime = True
        else:
            self._runtime = runtime
        if background:
            self._preparer = threading.Thread(target=self._prepare, name="jobsai-prepare", daemon=True)
            self._preparer.start()
        else:
            self._prepare()
        self._sweeper = threading.Thread(target=self._sweep_loop, name="jobsai-session-sweep", daemon=True)
        self._sweeper.start()

    def stop(self) -> None:
        """Stop the parse workers; release the index (only if this service opened it)."""
        self._set_stage("stopped", "stopped")
        self._stop_sweeping.set()
        self.parser.close()
        if isinstance(self._limit_storage, DatabaseStorage):
            self._limit_storage.db.dispose()
        preparer = self._preparer
        if preparer is not None and preparer.is_alive():
            preparer.join(timeout=5)
            if preparer.is_alive():
                # Ingestion is resumable; the process is ending and the OS releases the index lock.
                log.warning("start-up work is still running; leaving the index to be released at exit")
                return
        for timer, close_old in self._retiring:  # runtimes replaced by a hot swap, not yet closed
            timer.cancel()
            close_old()
        self._retiring.clear()
        if self._owns_runtime and self._runtime is not None:
            self._runtime.close()

    def wait_ready(self, timeout: float) -> Readiness:
        """Block until start-up has finished (ready or failed) or ``timeout`` passes (tests, CLI)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.readiness()
            if state.stage in ("ready", "failed"):
                return state
            time.sleep(0.1)
        return self.readiness()

    def _set_stage(self, stage: Stage, message: str) -> None:
        with self._state_lock:
            self._state.stage = stage
            self._state.message = message

    def _on_progress(self, stage: str, done: int, total: int | None) -> None:
        with self._state_lock:
            self._state.progress[stage] = (done, total)
            label = {"ads": "reading ads", "embed": "embedding and indexing",
                     "index": "embedding and indexing"}.get(stage, stage)
            self._state.message = f"{label}: {done}" + (f" of {total}" if total else "")

    def _prepare(self) -> None:
        rt = self._runtime
        assert rt is not None
        try:
            self._set_stage("loading_model", "loading the model")
            _ = rt.matcher  # loads the model and opens the index, once (before the ads, for /readyz)
            if self._owns_runtime and self.settings.web_prepare_data:
                self._set_stage("loading_ads", "loading the ads")
                ensure_data_unless_busy(rt, on_fallback=lambda message: log.warning("%s", message),
                                        on_report=self.metrics.record_ingest)
            self._matcher, self._model_version = _serving_matcher(rt, self.metrics)
            self._set_stage("ready", "ready")
            log.info("web app ready: model %s, %d ads in the index", self._model_version, rt.index.count())
        except JobsAIError as exc:
            log.error("start-up failed: %s", exc)
            self._set_stage("failed", str(exc))
        except Exception as exc:  # a crash here must show on /readyz, not vanish in a thread
            log.exception("start-up failed")
            self._set_stage("failed", f"{type(exc).__name__}: {exc}")

    # -- state ----------------------------------------------------------------------------------

    def readiness(self) -> Readiness:
        """Ready when the model and index are loaded and the index holds at least one ad.

        A ready answer also carries the store's health (:func:`~jobsai.sync.health.store_health`): the
        index's points against the store's live ads, and whether the data is stale. Stale data and a
        mismatch are reported, not refused: the app keeps serving what it has.
        """
        with self._state_lock:
            stage, message = self._state.stage, self._state.message
            rt = self._runtime
        ads = 0
        health: StoreHealth | None = None
        if stage == "ready" and rt is not None:
            try:
                health = store_health(self.settings, rt.db, index=rt.index, index_name=rt.index_name)
            except JobsAIError as exc:
                return Readiness(False, "failed", 0, self._model_version, str(exc))
            if health.index_points is None:
                return Readiness(False, "failed", 0, self._model_version, health.index_error or "index unavailable")
            ads = health.index_points
            notes = []
            if ads == 0:
                notes.append("the index holds no ads yet; run `jobsai update` or `jobsai load`")
            if health.mismatch:
                notes.append(f"the index holds {health.index_points} ads but the store has {health.store_live} live "
                             f"({health.pending_index} waiting to be indexed)")
            if health.stale:
                age = health.last_update_age_s
                notes.append("the ads were last updated " + (f"{age / 3600:.1f} hours ago" if age is not None
                                                             else "never") + " (stale)")
            message = "; ".join(notes) or message
        return Readiness(stage == "ready" and ads > 0, stage, ads, self._model_version, message, health)

    def _scrape_health(self) -> StoreHealth | None:
        """The store's state for a metrics scrape; the index is counted only once start-up has opened it."""
        with self._state_lock:
            stage, rt = self._state.stage, self._runtime
        if rt is None:
            return None
        if stage == "ready":
            return store_health(self.settings, rt.db, index=rt.index, index_name=rt.index_name)
        return store_health(self.settings, rt.db, count_index=False)

    def _ready_runtime(self) -> tuple[Runtime, Matcher]:
        with self._state_lock:  # one consistent (runtime, matcher) pair, even during a hot swap
            stage, message = self._state.stage, self._state.message
            rt, matcher = self._runtime, self._matcher
        if stage != "ready" or matcher is None or rt is None:
            raise NotReadyError(f"JobsAI is starting ({message}); try again in a moment.")
        return rt, matcher

    @property
    def runtime(self) -> Runtime | None:
        """The runtime that serves right now (it changes on a hot swap)."""
        with self._state_lock:
            return self._runtime

    def hot_swap(self, new: Runtime) -> None:
        """Serve from ``new`` (e.g. opened on a freshly activated index) from now on.

        The new model and index are loaded and warmed *before* the swap; the swap itself is
        one attribute change under the state lock. Requests already running keep the old
        runtime, which is closed after the longest a request may take (if this service owns it).
        """
        serial, version = _serving_matcher(new, self.metrics)
        with self._state_lock:
            old, owned = self._runtime, self._owns_runtime
            self._runtime, self._matcher, self._owns_runtime = new, serial, True
            self._model_version = version
        with self._filters_lock:
            self._filters_cache = None
        log.info("hot swap: now serving model %s, index %s", self._model_version, new.index_name)
        if old is not None and owned and old is not new:
            once = threading.Lock()

            def close_old(rt: Runtime = old) -> None:
                if once.acquire(blocking=False):
                    rt.close()

            timer = threading.Timer(self.settings.web_request_timeout_s + 5.0, close_old)
            timer.daemon = True
            self._retiring.append((timer, close_old))
            timer.start()

    @property
    def model_version(self) -> str | None:
        return self._model_version

    # -- limits ---------------------------------------------------------------------------------

    def check_rate(self, kind: Literal["match", "light"], client: str) -> None:
        """Raise :class:`RateLimitedError` when ``client`` has used up its share of ``kind`` calls."""
        limiter = self.match_limiter if kind == "match" else self.light_limiter
        wait = limiter.acquire(client)
        if wait > 0:
            self.metrics.rate_limited.labels(kind).inc()
            raise RateLimitedError(wait)

    # -- CV input -------------------------------------------------------------------------------

    def read_cv(
        self, data: bytes, filename: str | None, *, client: str | None = None, cancel: threading.Event | None = None
    ) -> CVText:
        """An uploaded file's text, or a typed CVError with a message for the person.

        Read in a worker process under the parse limits (:mod:`jobsai.web.parse_pool`); the caller
        checks the rate limit first. A file over the limits also costs ``client`` extra tokens.
        Setting ``cancel`` (the request was abandoned) kills the worker reading the file.
        """
        kind = file_kind(filename)
        try:
            cv = self.parser.parse(
                data, filename, max_bytes=self.settings.max_upload_bytes, min_words=self.settings.min_cv_words,
                wait_s=self.settings.web_request_timeout_s, cancel=cancel,
            )
        except ParseLimitError:
            self.metrics.cv_parse.labels(kind, "ParseLimitError").inc()
            if client is not None:
                self.match_limiter.charge(client, OVER_LIMITS_COST)
            raise
        except JobsAIError as exc:
            self.metrics.cv_parse.labels(kind, type(exc).__name__).inc()
            raise
        self.metrics.cv_parse.labels(kind, "ok").inc()
        return cv

    def paste_cv(self, text: str) -> CVText:
        try:
            if len(text.encode("utf-8", errors="ignore")) > self.settings.max_upload_bytes:
                raise FileTooLargeError("The pasted text is longer than the upload limit; paste only your CV.")
            cv = cv_text_from_paste(text, min_words=self.settings.min_cv_words)
        except JobsAIError as exc:
            self.metrics.cv_parse.labels("paste", type(exc).__name__).inc()
            raise
        self.metrics.cv_parse.labels("paste", "ok").inc()
        return cv

    # -- matching -------------------------------------------------------------------------------

    def match(
        self,
        cv: CVText,
        filters: FilterInput,
        top_k: int = 10,
        *,
        previous: SessionRef | None = None,
        ui_key: str | None = None,
    ) -> MatchOutcome:
        """Rank the ads for a CV and open (or continue) a match session for feedback.

        ``previous`` is for the UI only: a new search with the same CV (other filters, more
        results) continues the session; another CV gets a new session but keeps the deletion
        token, so one code deletes everything given from that browser tab. ``ui_key`` names the
        UI session (Gradio's session hash) whose state a deletion under the token must clear.

        The CV is encoded once and kept in the session without its text (:class:`PreparedCV`):
        explanations and passages are read from the redacted text, so nothing shown or kept
        carries the person's name, numbers or address; :meth:`rematch` ranks it again.
        """
        if not 1 <= top_k <= MAX_TOP_K:
            raise ValueError(f"top_k must be between 1 and {MAX_TOP_K}")
        rt, matcher = self._ready_runtime()
        flt = self._resolve(rt, filters)
        with self._match_slot():
            prepared = matcher.prepare(cv.text, public=public_redactor(cv.text))
            results = matcher.match_prepared(prepared, flt, top_k=top_k)
        session, new = self._session_for(rt, cv, prepared, self._served_by(rt), previous, ui_key)
        return self._outcome(rt, session, prepared, results, filters, top_k, new_session=new)

    def rematch(self, ref: SessionRef, filters: FilterInput, top_k: int = 10) -> MatchOutcome:
        """The CV of a live session ranked again, under other filters or for more results.

        Needs no CV text: the session keeps the CV's vectors and BM25 query (see :meth:`match`).
        A session that expired, was deleted, or was encoded by a model that has since been
        swapped out raises :class:`SessionNotFoundError` (the person uploads or pastes again).
        """
        if not 1 <= top_k <= MAX_TOP_K:
            raise ValueError(f"top_k must be between 1 and {MAX_TOP_K}")
        rt, matcher = self._ready_runtime()
        session = self.sessions.get(ref.session_id)
        if (
            session is None
            or session.prepared is None
            or not secrets.compare_digest(session.deletion_token.encode(), ref.deletion_token.encode())
        ):
            raise SessionNotFoundError("This search has expired or was deleted; upload or paste your CV again.")
        if session.served_by != self._served_by(rt):
            raise SessionNotFoundError("The matching model was just updated; upload or paste your CV again.")
        if not self._still_stored(rt, session):  # deleted on another replica (or expired there)
            raise SessionNotFoundError("This search has expired or was deleted; upload or paste your CV again.")
        flt = self._resolve(rt, filters)
        prepared = session.prepared
        with self._match_slot():
            results = matcher.match_prepared(prepared, flt, top_k=top_k)
        return self._outcome(rt, session, prepared, results, filters, top_k, new_session=False)

    @staticmethod
    def _resolve(rt: Runtime, filters: FilterInput) -> SearchFilter:
        with rt.db.begin(readonly=True) as conn:
            return resolve_filter(conn, filters)

    @contextmanager
    def _match_slot(self) -> Iterator[None]:
        """One of the bounded match slots (BusyError after the request timeout); no data: not ready."""
        if not self._slots.acquire(timeout=self.settings.web_request_timeout_s):
            raise BusyError("Every matcher is busy; try again in a moment.")
        try:
            yield
        except NoDataError as exc:
            raise NotReadyError(str(exc)) from exc
        finally:
            self._slots.release()

    def _served_by(self, rt: Runtime) -> str:
        """The model and index that encode and answer now (a session's encoding is valid for them only)."""
        return f"{self._model_version} {rt.index_name}"

    def _outcome(
        self, rt: Runtime, session: MatchSession, prepared: PreparedCV, results: list[MatchResult],
        filters: FilterInput, top_k: int, *, new_session: bool,
    ) -> MatchOutcome:
        cards = tuple(CardView.of(rank, r) for rank, r in enumerate(results, 1))
        filters_json = filters.as_json()
        shown = {r.id: ShownResult(rank, r.score, r.raw_score, filters_json) for rank, r in enumerate(results, 1)}
        self._store_session(rt, session, shown, new=new_session)
        if new_session:  # kept in memory only once it is stored: the sweep treats unstored ones as deleted
            self.sessions.put(session)
        self.sessions.update_shown(session.session_id, shown)
        occupations = Counter(c.ad.occupation for c in cards[:20] if c.ad.occupation).most_common(3)
        skills = Counter(s for r in results[:20] for s in r.explanation.skills).most_common(8)
        log.info("match: %d results (top_k=%d, filters=%s)", len(results), top_k, sorted(filters_json))
        return MatchOutcome(
            session_id=session.session_id,
            deletion_token=session.deletion_token,
            language=session.language,
            words=session.words,
            pages=session.pages,
            kind=session.kind,
            title=prepared.texts.headline,
            occupations=tuple(occupations),
            skills=tuple(s for s, _ in skills),
            cards=cards,
            top_k=top_k,
        )

    def _session_for(
        self, rt: Runtime, cv: CVText, prepared: PreparedCV, served_by: str, previous: SessionRef | None,
        ui_key: str | None,
    ) -> tuple[MatchSession, bool]:
        """The session this match continues (and False), or a new one, not yet stored (and True)."""
        digest = hashlib.sha256(cv.text.encode("utf-8", "surrogatepass")).hexdigest()
        if previous is not None:
            old = self.sessions.get(previous.session_id)
            if (old is not None and old.cv_digest == digest and old.deletion_token == previous.deletion_token
                    and self._still_stored(rt, old)):
                self.sessions.replace_prepared(old.session_id, prepared, served_by)
                return old, False
        token = previous.deletion_token if previous is not None else feedback_repo.new_deletion_token()
        session = MatchSession(
            session_id=feedback_repo.new_session_id(),
            deletion_token=token,
            cv_redacted=prepared.text,
            cv_digest=digest,
            model_version=self._model_version or "unknown",
            language=cv.language,
            prepared=prepared,
            served_by=served_by,
            kind=cv.kind,
            words=cv.words,
            pages=cv.pages,
            ui_key=ui_key,
        )
        return session, True

    # -- sessions in the database ---------------------------------------------------------------

    def _store_session(
        self, rt: Runtime, session: MatchSession, shown: Mapping[str, ShownResult], *, new: bool
    ) -> None:
        """Write the session (when new) and the ads it was shown to the database, where every replica finds
        them; renews its expiry. A session deleted meanwhile raises SessionNotFoundError."""
        ttl = float(self.settings.web_session_ttl_s)
        now = utcnow()
        stored = {ad_id: sessions_repo.StoredShown(s.rank, s.score, s.raw_score, dict(s.filters))
                  for ad_id, s in shown.items()}
        with rt.db.begin() as conn:
            if new:
                sessions_repo.create_session(
                    conn, session_id=session.session_id,
                    deletion_token_hash=feedback_repo.hash_token(session.deletion_token),
                    cv_text_redacted=session.cv_redacted, model_version=session.model_version,
                    language=session.language, now=now, ttl_s=ttl,
                )
            alive = sessions_repo.add_shown(conn, session.session_id, stored, now, ttl)
        if not alive:
            self._forget_local(self.sessions.discard([session.session_id]), notify=True)
            raise SessionNotFoundError("This search has expired or was deleted; upload or paste your CV again.")

    def _still_stored(self, rt: Runtime, session: MatchSession) -> bool:
        """Renew a session kept in memory in the database; False (and forgotten here) when it is gone there."""
        with rt.db.begin() as conn:
            alive = sessions_repo.touch(conn, session.session_id, utcnow(), float(self.settings.web_session_ttl_s))
        if not alive:
            self._forget_local(self.sessions.discard([session.session_id]), notify=True)
        return alive

    def _forget_local(self, gone: Sequence[MatchSession], *, notify: bool) -> None:
        """Drop what memory holds of these sessions: their cached CV vectors; with ``notify`` also the UI
        pages that showed them (a deletion, here or on another replica)."""
        if not gone:
            return
        with self._state_lock:
            encoder = self._matcher.encoder if self._matcher is not None else None
        for session in gone:
            if session.prepared is not None and isinstance(encoder, SharedQueryEncoder):
                encoder.forget(session.prepared.vectors)
        ui_keys = [s.ui_key for s in gone if s.ui_key]
        if notify and ui_keys:
            for listener in list(self._delete_listeners):
                try:
                    listener(ui_keys)
                except Exception:  # a UI that cannot clear its state must not undo the deletion
                    log.exception("a deletion listener failed")

    def sweep(self) -> tuple[int, int]:
        """Forget sessions kept in memory that another replica deleted (or that expired in the database),
        then delete expired sessions (and rate-limit counters) from the database. Returns (forgotten here,
        deleted there). Runs every ``web_session_sweep_s`` in each web process."""
        rt = self.runtime
        if rt is None:
            return 0, 0
        now = utcnow()
        local = self.sessions.ids()
        forgotten = 0
        if local:
            with rt.db.begin(readonly=True) as conn:
                alive = sessions_repo.existing(conn, local, now)
                present = sessions_repo.existing(conn, local)
            deleted = self.sessions.discard([i for i in local if i not in present])
            expired = self.sessions.discard([i for i in local if i in present and i not in alive])
            self._forget_local(deleted, notify=True)
            self._forget_local(expired, notify=False)
            forgotten = len(deleted) + len(expired)
        with rt.db.begin() as conn:
            swept = sessions_repo.sweep(conn, now)
        if isinstance(self._limit_storage, DatabaseStorage):
            self._limit_storage.sweep()
        if forgotten or swept:
            log.info("session sweep: %d forgotten here, %d expired deleted", forgotten, swept)
        return forgotten, swept

    def follow_active_index(self) -> bool:
        """Serve the registry's active index when another process switched to a new one; True when swapped.

        A replica without the in-process worker (``JOBSAI_SERVE_WORKER=false``) learns of a blue/green switch
        made by ``jobsai worker`` or ``jobsai index build`` here, within ``web_session_sweep_s``, instead of
        serving a retired index until it is pruned under it. The new runtime is loaded and warmed before the
        swap (:meth:`hot_swap`), so requests keep being answered meanwhile.
        """
        with self._state_lock:
            stage, rt = self._state.stage, self._runtime
        if stage != "ready" or rt is None:
            return False
        with rt.db.begin(readonly=True) as conn:
            active = catalog.active_index(conn)
        if active is None or active.name == rt.index_name:
            return False
        log.info("the active index is now %s (serving %s): switching to it", active.name, rt.index_name)
        new = Runtime(self.settings)
        try:
            self.hot_swap(new)
        except BaseException:
            new.close()
            raise
        return True

    def _sweep_loop(self) -> None:
        while not self._stop_sweeping.wait(self.settings.web_session_sweep_s):
            try:
                self.sweep()
                if not self.settings.serve_worker:  # else the in-process worker hot-swaps after its switches
                    self.follow_active_index()
            except JobsAIError as exc:
                log.warning("session sweep failed (will retry): %s", exc)
            except Exception:  # the loop must survive; the next tick retries
                log.exception("session sweep failed")

    # -- feedback -------------------------------------------------------------------------------

    def feedback(self, session_id: str, ad_id: str, label: Label, consent: bool) -> FeedbackOutcome:
        """Store a judgement on an ad that this session was shown; with consent, its redacted CV too.

        The session is read from the database, so any replica can take the call. The deletion token in
        the answer is known only to the replica that opened the session (the database keeps its hash):
        elsewhere it is None, and the match's answer already gave it to the client.
        """
        rt, _ = self._ready_runtime()
        now = utcnow()
        with rt.db.begin() as conn:
            stored = sessions_repo.get_session(conn, session_id, now)
            if stored is None:
                raise SessionNotFoundError("This search has expired or was deleted; run the match again.")
            shown = sessions_repo.get_shown(conn, session_id, ad_id)
            if shown is None:
                raise NotFoundError(f"Ad {ad_id!r} was not among this session's results.")
            ad = ads_repo.get_ads(conn, [ad_id], live_only=False).get(ad_id)
            if ad is None:
                raise NotFoundError(f"Ad {ad_id!r} is not in the store.")
            texts = ad_texts(ad)
            entry = feedback_repo.FeedbackEntry(
                session_id=stored.session_id,
                ad_id=ad_id,
                ad_text=f"{texts.title}\n\n{texts.body}",
                label=label,
                rank=shown.rank,
                score=shown.score,
                raw_score=shown.raw_score,
                model_version=stored.model_version,
                deletion_token=feedback_repo.HashedToken(stored.deletion_token_hash),
                consent=consent,
                cv_text_redacted=stored.cv_text_redacted if consent else None,
                filters=shown.filters,
            )
            feedback_repo.record_feedback(conn, entry)
            sessions_repo.touch(conn, session_id, now, float(self.settings.web_session_ttl_s))
        log.info("feedback stored: label=%s rank=%d consent=%s", label, shown.rank, consent)
        self.metrics.feedback.labels(label).inc()
        local = self.sessions.get(session_id)  # renews it here too
        token = local.deletion_token if local is not None else None
        return FeedbackOutcome(stored.session_id, ad_id, label, consent, consent, token)

    def set_consent(self, session_id: str, consent: bool) -> int:
        """Apply a changed consent answer to what this session already gave; returns rows changed."""
        rt, _ = self._ready_runtime()
        with rt.db.begin() as conn:
            stored = sessions_repo.get_session(conn, session_id, utcnow())
            if stored is None:
                return 0
            if consent:
                return feedback_repo.apply_consent(conn, stored.session_id, stored.cv_text_redacted)
            return feedback_repo.withdraw_consent(conn, feedback_repo.HashedToken(stored.deletion_token_hash))

    def delete(self, token: str) -> int:
        """Delete everything given under a deletion token: feedback rows and sessions in the database, and
        what this process holds of them (other replicas forget theirs at their next sweep)."""
        rt, _ = self._ready_runtime()
        with rt.db.begin() as conn:
            n = feedback_repo.delete_by_token(conn, token)
            stored = sessions_repo.delete_by_token_hash(conn, feedback_repo.hash_token(token))
            n += alerts_repo.delete_by_session_token_hash(conn, feedback_repo.hash_token(token))  # issue 12
        gone = self.sessions.pop_token(token)
        self._forget_local(gone, notify=True)
        log.info("feedback deleted by token: %d rows, %d sessions (%d in this process)", n, stored, len(gone))
        return n

    def on_delete(self, listener: Callable[[Sequence[str]], None]) -> None:
        """Call ``listener`` with the UI keys (see :meth:`match`) of the sessions each deletion removed."""
        self._delete_listeners.append(listener)

    # -- reads ----------------------------------------------------------------------------------

    def get_ad(self, ad_id: str) -> Ad:
        rt, _ = self._ready_runtime()
        ad = rt.lookup_ads([ad_id]).get(ad_id)
        if ad is None:
            raise NotFoundError(f"There is no live ad with id {ad_id!r}.")
        return ad

    def filter_choices(self) -> Mapping[str, list[ConceptCount]]:
        """Every filter's choices among live ads (cached for a minute: the lists change slowly)."""
        rt, _ = self._ready_runtime()
        with self._filters_lock:
            cached = self._filters_cache
            if cached is not None and time.monotonic() - cached[0] < FILTER_CACHE_S:
                return cached[1]
            with rt.db.begin(readonly=True) as conn:
                choices = {f.name: ads_repo.distinct_concepts(conn, f.kind) for f in PUBLIC_FILTERS}
            self._filters_cache = (time.monotonic(), choices)
            return choices
