"""Making, confirming, changing and deleting alerts: what the HTTP API and the UI call.

An alert is made from a match the person just ran (its encoded CV, never its text), with their explicit
consent to what is stored. E-mail alerts start ``pending`` and send nothing but the confirmation until its
link is followed; feed alerts are active at once (only the person holding the link can read the feed).
Every link that is opened counts as a sign of life for retention (:mod:`jobsai.alerts.jobs`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import Connection

from jobsai.alerts import feed, messages
from jobsai.alerts.delivery import Mailer, Sender
from jobsai.alerts.errors import AlertNotFoundError, AlertRequestError, AlertUnavailableError, DeliveryError
from jobsai.alerts.profiles import LEVELS, ProfileVectors, fingerprint_key, thresholds_from, title_line
from jobsai.alerts.scoring import FILTER_FIELDS
from jobsai.alerts.smtp import SmtpSender
from jobsai.alerts.tokens import AlertTokens, alert_key
from jobsai.config import Settings
from jobsai.embed.fingerprint import ModelFingerprint
from jobsai.index.base import SearchFilter
from jobsai.match.matcher import PreparedCV
from jobsai.sources.ads import Ad
from jobsai.store import ads as ads_repo
from jobsai.store import alerts as repo
from jobsai.timeutil import utcnow

log = logging.getLogger(__name__)

Channel = Literal["email", "feed"]
Level = Literal["very_good", "good"]
Frequency = Literal["instant", "daily"]
EMAIL_RE = re.compile(r"^[^@\s<>\"',;]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?\.[A-Za-z]{2,63}$")
Begin = Callable[..., AbstractContextManager[Connection]]


@dataclass(frozen=True, slots=True)
class AlertRequest:
    channel: Channel
    email: str | None
    language: str
    level: Level
    frequency: Frequency
    consent: bool


@dataclass(frozen=True, slots=True)
class AlertView:
    """An alert as its owner sees it (no vectors)."""

    status: str
    paused_reason: str | None
    channel: str
    email: str | None
    language: str
    level: str
    min_score: int
    thresholds: Mapping[str, int]
    frequency: str
    filters: Mapping[str, Sequence[str]]
    title_line: str | None
    created_at: datetime
    manage_url: str | None
    feed_url: str | None
    queued: int
    sent: int


@dataclass(frozen=True, slots=True)
class CreatedAlert:
    view: AlertView
    manage_token: str


def filters_of(flt: SearchFilter) -> dict[str, list[str]]:
    """The concept ids an alert keeps, by index payload field (only filters that were set)."""
    return {field: list(values) for field, values in flt.field_conditions() if values}


class AlertService:
    """Alert operations on one database. ``sender``: the SMTP sender (default: from ``JOBSAI_SMTP_URL``)."""

    def __init__(self, settings: Settings, begin: Begin, sender: Sender | None = None) -> None:
        self.settings = settings
        self.begin = begin
        self.tokens = AlertTokens(alert_key(settings))
        self._sender = sender

    # -- wiring ---------------------------------------------------------------------------------

    def mailer(self) -> Mailer:
        if self.settings.smtp_url is None or not self.settings.public_base_url:
            raise AlertUnavailableError("This server cannot send e-mail alerts (no mail server or public address is "
                                        "set up); choose a private feed instead.")
        sender = self._sender or SmtpSender.from_url(self.settings.smtp_url.get_secret_value(),
                                                     self.settings.smtp_timeout_s)
        return Mailer(self.settings, sender, self.tokens)

    @property
    def links(self) -> messages.Links:
        if not self.settings.public_base_url:
            raise AlertUnavailableError("This server has no public address set up (JOBSAI_PUBLIC_BASE_URL), so it "
                                        "cannot give alert links.")
        return messages.Links(self.settings.public_base_url)

    # -- create and confirm ---------------------------------------------------------------------

    def create(self, request: AlertRequest, prepared: PreparedCV, fingerprint: ModelFingerprint,
               filters: SearchFilter, shown_scores: Sequence[int],
               session_token_hash: str | None = None) -> CreatedAlert:
        """Save an alert from a match; an e-mail alert's confirmation is sent before this returns.

        ``session_token_hash``: the match's deletion token, hashed, so deleting that match's data deletes the
        alert too."""
        if not request.consent:
            raise AlertRequestError("An alert keeps your CV's vectors, its title line, your filters and your "
                                    "address; tick the box to agree to that, or do not create an alert.")
        if request.level not in LEVELS:
            raise AlertRequestError("Choose 'very_good' or 'good' matches.")
        email = (request.email or "").strip() or None
        mailer = None
        if request.channel == "email":
            if email is None or len(email) > 254 or not EMAIL_RE.match(email):
                raise AlertRequestError("Enter a valid e-mail address.")
            mailer = self.mailer()
        links = self.links
        vectors = ProfileVectors.from_prepared(prepared)
        now = utcnow()
        nonce = AlertTokens.new_nonce()
        manage, read, confirm = (self.tokens.token(nonce, k) for k in ("manage", "read", "confirm"))
        language = request.language if request.language in messages.TEXTS else "en"
        with self.begin() as conn:
            if email is not None and repo.count_for_address(conn, email) >= self.settings.alerts_max_per_address:
                raise AlertRequestError("This address already has as many alerts as it may; delete one first.")
            alert_id = repo.insert_alert(conn, {
                "token_nonce": nonce, "manage_token_hash": repo.sha256(manage), "read_token_hash": repo.sha256(read),
                "confirm_token_hash": repo.sha256(confirm) if email else None, "channel": request.channel,
                "session_token_hash": session_token_hash,
                "email": email, "status": "pending" if email else "active", "language": language,
                "filters": filters_of(filters), "level": request.level,
                "thresholds": thresholds_from(list(shown_scores)),
                "frequency": request.frequency, "title_line": title_line(prepared),
                "model_fingerprint": fingerprint_key(fingerprint), "dim": int(vectors.profile.shape[0]),
                "n_chunks": int(len(vectors.chunks)), "vectors": vectors.pack(), "consent_at": now, "created_at": now,
                "confirmed_at": None if email else now, "last_opened_at": now,
            })
        if mailer is not None and email is not None:
            msg = messages.confirmation(self.settings.smtp_from, email, language, links.confirm(confirm),
                                        links.manage(manage), self.settings.alerts_pending_days)
            try:
                sent = mailer.send_logged(self.begin, email, msg, "confirm", now)
            except DeliveryError as exc:
                sent = False
                log.info("alerts: confirmation not sent (%s)", exc)
            if not sent:
                with self.begin() as conn:
                    repo.delete_alert(conn, alert_id)
                raise AlertUnavailableError("The confirmation e-mail could not be sent just now (or this address has "
                                            "had its e-mails for today); nothing was saved. Try again later.")
        log.info("alerts: alert %d created (%s, %s, %s)", alert_id, request.channel, request.level, request.frequency)
        with self.begin(readonly=True) as conn:
            row = repo.get_alert(conn, alert_id)
            assert row is not None
            return CreatedAlert(self._view(conn, row, manage), manage)

    def confirm(self, token: str) -> AlertView:
        """Follow the confirmation link: the alert becomes active (a second click changes nothing)."""
        now = utcnow()
        with self.begin() as conn:
            row = repo.by_confirm_token(conn, token)
            if row is None:
                raise AlertNotFoundError("This confirmation link is unknown: it was used already, or the alert was "
                                         "deleted.")
            repo.update_alert(conn, row.id, status="active" if row.status == "pending" else row.status,
                              confirmed_at=row.confirmed_at or now, confirm_token_hash=None, last_opened_at=now)
            row = repo.get_alert(conn, row.id)
            assert row is not None
            return self._view(conn, row, self.tokens.token(row.token_nonce, "manage"))

    # -- manage ---------------------------------------------------------------------------------

    def _owned(self, conn: Connection, token: str) -> repo.AlertRow:
        row = repo.by_manage_token(conn, token)
        if row is None:
            raise AlertNotFoundError("No alert has this link: it was deleted or has expired.")
        return row

    def view(self, token: str) -> AlertView:
        """The alert behind a management link (opening it counts as a sign of life)."""
        with self.begin() as conn:
            row = self._owned(conn, token)
            repo.update_alert(conn, row.id, last_opened_at=utcnow(), expiry_notice_at=None)
            return self._view(conn, row, token)

    def change(self, token: str, *, paused: bool | None = None, level: str | None = None,
               frequency: str | None = None) -> AlertView:
        """Pause or resume, or change the threshold or how often. A profile made by an older model cannot be
        resumed (it needs a fresh upload), nor can an unconfirmed e-mail alert."""
        with self.begin() as conn:
            row = self._owned(conn, token)
            values: dict[str, object] = {"last_opened_at": utcnow(), "expiry_notice_at": None}
            if level is not None:
                if level not in LEVELS:
                    raise AlertRequestError("Choose 'very_good' or 'good' matches.")
                values["level"] = level
            if frequency is not None:
                if frequency not in ("instant", "daily"):
                    raise AlertRequestError("Choose 'instant' or 'daily'.")
                values["frequency"] = frequency
            if paused is True and row.status in ("active", "pending"):
                values.update(status="paused", paused_reason="by_owner")
            elif paused is False and row.status == "paused":
                if row.confirmed_at is None:
                    raise AlertRequestError("Confirm the alert from the e-mail first.")
                values.update(status="active", paused_reason=None, failures=0)
            elif paused is False and row.status == "needs_refresh":
                raise AlertRequestError("This alert was made with an older matching model; upload your CV again and "
                                        "create a new alert.")
            repo.update_alert(conn, row.id, **values)
            fresh = repo.get_alert(conn, row.id)
            assert fresh is not None
            return self._view(conn, fresh, token)

    def delete(self, token: str) -> int:
        """Delete the alert and everything stored with it (vectors, address, queue): the rows are gone."""
        with self.begin() as conn:
            row = self._owned(conn, token)
            n = repo.delete_alert(conn, row.id)
        log.info("alerts: alert %d deleted by its owner", row.id)
        return n

    # -- read links -----------------------------------------------------------------------------

    def feed(self, read_token: str) -> bytes:
        """The Atom document of a feed alert (fetching it counts as a sign of life)."""
        with self.begin() as conn:
            row = repo.by_read_token(conn, read_token)
            if row is None or row.channel != "feed":
                raise AlertNotFoundError("No feed has this address: the alert was deleted or has expired.")
            repo.update_alert(conn, row.id, last_opened_at=utcnow(), expiry_notice_at=None)
            entries = repo.feed_entries(conn, row.id)
            ads = ads_repo.get_ads(conn, [e.ad_id for e in entries], live_only=False)
        return feed.render_feed(row, entries, ads, self.links, read_token)

    def open_ad(self, read_token: str, ad_id: str) -> Ad:
        """The ad an alert told about (so its link can lead there); only an ad queued for this alert."""
        with self.begin() as conn:
            row = repo.by_read_token(conn, read_token)
            if row is None:
                raise AlertNotFoundError("This link belongs to an alert that was deleted or has expired.")
            known = {d.ad_id for d in repo.deliveries(conn, row.id)}
            ad = ads_repo.get_ads(conn, [ad_id], live_only=False).get(ad_id) if ad_id in known else None
            if ad is None:
                raise AlertNotFoundError("This alert never told about that ad.")
            repo.update_alert(conn, row.id, last_opened_at=utcnow(), expiry_notice_at=None)
            return ad

    # -- views ----------------------------------------------------------------------------------

    def _view(self, conn: Connection, row: repo.AlertRow, manage_token: str) -> AlertView:
        links = self.links
        statuses = [d.status for d in repo.deliveries(conn, row.id)]
        queued, sent = statuses.count("queued"), sum(s in ("sent", "sending", "feed") for s in statuses)
        read = self.tokens.token(row.token_nonce, "read")
        return AlertView(
            status=row.status, paused_reason=row.paused_reason, channel=row.channel, email=row.email,
            language=row.language, level=row.level, min_score=row.min_score, thresholds=row.thresholds,
            frequency=row.frequency, filters={k: v for k, v in row.filters.items() if k in FILTER_FIELDS},
            title_line=row.title_line, created_at=row.created_at, manage_url=links.manage(manage_token),
            feed_url=links.feed(read) if row.channel == "feed" else None, queued=queued, sent=sent,
        )
