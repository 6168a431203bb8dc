"""Queued alert deliveries sent as e-mails: one message per alert, idempotent, retried, capped.

Exactly-once as far as SMTP allows, erring on "never twice": the rows of a message are *claimed*
(``sending``, committed) before the SMTP transaction and marked ``sent`` after it. A crash before the
claim leaves them queued (sent later, once); a crash after it leaves them claimed, and claimed rows are
never sent again. The only loss is a crash inside the SMTP transaction itself, which a person notices
far less than the same ad twice (the server discards a message whose DATA was not completed).

Transient failures (connection, 4xx) put the rows back with exponential backoff; after
``JOBSAI_ALERTS_MAX_ATTEMPTS`` failures in a row, or at once on a permanent refusal (a bounce), the alert is
paused. At most ``JOBSAI_ALERTS_MAX_MAILS_PER_DAY`` messages go to one address per 24 hours (confirmations
and notices included); the rest wait.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Protocol

from sqlalchemy import Connection

from jobsai.alerts import messages
from jobsai.alerts.errors import DeliveryError
from jobsai.alerts.tokens import AlertTokens
from jobsai.config import Settings
from jobsai.sources.ads import Ad
from jobsai.store import ads as ads_repo
from jobsai.store import alerts as repo
from jobsai.store.schema import alert_deliveries, alerts
from jobsai.timeutil import utcnow

log = logging.getLogger(__name__)

DAILY_GAP = timedelta(hours=23)
"""A daily alert's next message waits this long (not 24 h, so a worker tick's jitter does not skip a day)."""
MAX_BACKOFF = timedelta(hours=12)

Begin = Callable[[], AbstractContextManager[Connection]]


class Sender(Protocol):
    def send(self, msg: EmailMessage) -> None: ...


@dataclass
class DeliveryReport:
    messages: int = 0
    ads: int = 0
    retried: int = 0
    paused: int = 0
    capped: int = 0


@dataclass(frozen=True, slots=True)
class Mailer:
    """What sending needs: settings (sender, caps, base URL), the SMTP sender and the link key."""

    settings: Settings
    sender: Sender
    tokens: AlertTokens

    @property
    def links(self) -> messages.Links:
        return messages.Links(self.settings.public_base_url or "")

    def manage_link(self, alert: repo.AlertRow) -> str:
        return self.links.manage(self.tokens.token(alert.token_nonce, "manage"))

    def under_cap(self, conn: Connection, email: str, now: datetime) -> bool:
        return repo.messages_since(conn, email, now - timedelta(hours=24)) < self.settings.alerts_max_mails_per_day

    def send_logged(self, begin: Begin, email: str, msg: EmailMessage, kind: str, now: datetime) -> bool:
        """Send one message if the address is under its daily cap (and log it); False when capped."""
        with begin() as conn:
            if not self.under_cap(conn, email, now):
                return False
        self.sender.send(msg)
        with begin() as conn:
            repo.log_message(conn, email, kind, now)
        return True


def recover_interrupted(conn: Connection) -> int:
    """Rows claimed by a sender that died: treated as sent (see the module docstring), never sent again."""
    n = conn.execute(alert_deliveries.update().where(alert_deliveries.c.status == "sending")
                     .values(status="sent")).rowcount
    if n:
        log.warning("alerts: %d deliveries were claimed by a sender that stopped; not sending them again", n)
    return n


def deliver_due(begin: Begin, mailer: Mailer, now: datetime | None = None) -> DeliveryReport:
    """Send every alert's due deliveries (daily alerts at most once per day); notices for stale profiles."""
    now = now or utcnow()
    report = DeliveryReport()
    with begin() as conn:
        recover_interrupted(conn)
        due = repo.alerts_with_due(conn, now)
    for alert_id in due:
        with begin() as conn:
            alert = repo.get_alert(conn, alert_id)
        if alert is None or alert.channel != "email" or alert.status != "active" or alert.email is None:
            continue
        if alert.frequency == "daily" and alert.last_message_at is not None and now - alert.last_message_at < DAILY_GAP:
            continue
        _deliver_alert(begin, mailer, alert, now, report)
    send_refresh_notices(begin, mailer, now, report)
    return report


def _deliver_alert(begin: Begin, mailer: Mailer, alert: repo.AlertRow, now: datetime, report: DeliveryReport) -> None:
    assert alert.email is not None
    cap = mailer.settings.alerts_max_ads_per_message
    with begin() as conn:
        if not mailer.under_cap(conn, alert.email, now):
            report.capped += 1
            return
        rows = repo.due_deliveries(conn, alert.id, now)
        ads = ads_repo.get_ads(conn, [r.ad_id for r in rows])
        gone = [r.id for r in rows if r.ad_id not in ads]  # removed since it was queued: nothing to apply for
        rows = [r for r in rows if r.ad_id in ads]
        shown, more = rows[:cap], rows[cap:]
        repo.set_delivery_status(conn, gone + [r.id for r in more], status="skipped")
        if not shown:
            return
        msg = messages.ads_message(
            mailer.settings.smtp_from, alert.email, alert.language,
            [_item(mailer, alert, r, ads[r.ad_id]) for r in shown], len(more), mailer.manage_link(alert))
        if repo.claim(conn, [r.id for r in shown], str(msg["Message-ID"]), now) != len(shown):
            raise RuntimeError("another sender claimed these deliveries")  # rolls the claim back
    ids = [r.id for r in shown]
    try:
        mailer.sender.send(msg)
    except DeliveryError as exc:
        _failed(begin, mailer, alert, ids, max(r.attempts for r in shown), exc, now, report)
        return
    with begin() as conn:
        repo.set_delivery_status(conn, ids, status="sent", sent_at=now)
        repo.log_message(conn, alert.email, "ads", now)
        repo.update_alert(conn, alert.id, last_message_at=now, failures=0)
    report.messages += 1
    report.ads += len(ids)


def _item(mailer: Mailer, alert: repo.AlertRow, row: repo.DeliveryRow, ad: Ad) -> messages.AdItem:
    place = ad.municipality.label if ad.municipality else (ad.region.label if ad.region else None)
    link = mailer.links.ad(mailer.tokens.token(alert.token_nonce, "read"), row.ad_id)
    return messages.AdItem(row.ad_id, ad.headline, ad.employer_name or ad.employer_workplace, place, row.score,
                           row.why, link)


def _failed(begin: Begin, mailer: Mailer, alert: repo.AlertRow, ids: list[int], attempts: int, exc: DeliveryError,
            now: datetime, report: DeliveryReport) -> None:
    failures = alert.failures + 1
    pause = exc.permanent or failures >= mailer.settings.alerts_max_attempts
    backoff = min(MAX_BACKOFF, timedelta(seconds=mailer.settings.alerts_retry_base_s * 2 ** attempts))
    with begin() as conn:
        repo.set_delivery_status(conn, ids, status="queued", attempts=attempts + 1, next_attempt_at=now + backoff,
                                 message_id=None, sent_at=None)
        values: dict[str, object] = {"failures": failures}
        if pause:
            values.update(status="paused", paused_reason="bounced" if exc.permanent else "delivery_failed")
        repo.update_alert(conn, alert.id, **values)
    if pause:
        report.paused += 1
        log.warning("alerts: alert %d paused after a failed delivery: %s", alert.id, exc)
    else:
        report.retried += 1
        log.info("alerts: delivery for alert %d failed (%s); retrying in %s", alert.id, exc, backoff)


def send_refresh_notices(begin: Begin, mailer: Mailer, now: datetime, report: DeliveryReport) -> None:
    """Tell each e-mail alert whose model changed, once, that it needs a fresh upload (it is not scored)."""
    with begin() as conn:
        stale = repo.alerts_where(conn, alerts.c.status == "needs_refresh", alerts.c.channel == "email",
                                  alerts.c.refresh_notice_at.is_(None), alerts.c.confirmed_at.is_not(None))
    for alert in stale:
        assert alert.email is not None
        msg = messages.notice(mailer.settings.smtp_from, alert.email, alert.language, "refresh",
                              mailer.manage_link(alert))
        try:
            sent = mailer.send_logged(begin, alert.email, msg, "refresh", now)
        except DeliveryError as exc:
            log.info("alerts: refresh notice for alert %d not sent (%s); trying again later", alert.id, exc)
            continue
        if sent:
            with begin() as conn:
                repo.update_alert(conn, alert.id, refresh_notice_at=now)
            report.messages += 1
