"""The worker's alert steps: after every successful update, and once a day.

* :func:`after_update`: the ads first seen since the last run, scored against every active alert and
  queued (:mod:`.queue`), then the due e-mails sent (:mod:`.delivery`). Never raises: an alert problem must
  not fail the update that has already succeeded (it is logged, and the next update catches up).
* :func:`daily`: daily digests (and retries) sent; retention: unconfirmed alerts deleted after
  ``JOBSAI_ALERTS_PENDING_DAYS``; alerts whose links nobody opened for ``JOBSAI_ALERTS_RETENTION_DAYS`` get a
  notice, and are deleted ``JOBSAI_ALERTS_NOTICE_DAYS`` later unless a link is opened meanwhile.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from jobsai.alerts import messages
from jobsai.alerts.delivery import DeliveryReport, Mailer, deliver_due
from jobsai.alerts.errors import AlertError
from jobsai.alerts.queue import QueueReport, queue_new_ads
from jobsai.alerts.service import AlertService
from jobsai.runtime import Runtime
from jobsai.store import alerts as repo
from jobsai.store.schema import alerts
from jobsai.timeutil import utcnow

log = logging.getLogger(__name__)


def _has_alerts(runtime: Runtime) -> bool:
    """Whether any alert exists (without one, an update costs alerts one query)."""
    with runtime.db.begin(readonly=True) as conn:
        return conn.execute(select(alerts.c.id).limit(1)).first() is not None


def _mailer(runtime: Runtime) -> Mailer | None:
    """The SMTP side of alerts, or None when no mail server is set up (feeds only)."""
    try:
        return AlertService(runtime.settings, runtime.db.begin).mailer()
    except AlertError:
        return None


def _deliver(runtime: Runtime, now: datetime) -> DeliveryReport | None:
    mailer = _mailer(runtime)
    return deliver_due(runtime.db.begin, mailer, now) if mailer is not None else None


def after_update(runtime: Runtime, now: datetime | None = None) -> tuple[QueueReport, DeliveryReport | None] | None:
    """Queue the new ads for every alert and send what is due (see the module docstring)."""
    try:
        if not _has_alerts(runtime):
            return None
        now = now or utcnow()
        queued = queue_new_ads(runtime.db.begin, runtime.index, runtime.calibration, now)
        return queued, _deliver(runtime, now)
    except Exception:  # noqa: BLE001 - the update succeeded; alerts catch up after the next one
        log.exception("alerts: scoring or delivery after the update failed")
        return None


@dataclass
class RetentionReport:
    pending_deleted: int = 0
    notices: int = 0
    expired: int = 0


def retention(runtime: Runtime, now: datetime | None = None) -> RetentionReport:
    """Delete unconfirmed alerts and, after a notice, alerts nobody has opened a link of for a long time."""
    s = runtime.settings
    now = now or utcnow()
    report = RetentionReport()
    with runtime.db.begin() as conn:
        for row in repo.alerts_where(conn, alerts.c.status == "pending",
                                     alerts.c.created_at < now - timedelta(days=s.alerts_pending_days)):
            report.pending_deleted += repo.delete_alert(conn, row.id)
        quiet = now - timedelta(days=s.alerts_retention_days)
        expired = repo.alerts_where(conn, alerts.c.expiry_notice_at.is_not(None),
                                    alerts.c.expiry_notice_at < now - timedelta(days=s.alerts_notice_days),
                                    alerts.c.last_opened_at < alerts.c.expiry_notice_at)
        for row in expired:
            report.expired += repo.delete_alert(conn, row.id)
        due = repo.alerts_where(conn, alerts.c.expiry_notice_at.is_(None), alerts.c.last_opened_at < quiet)
        repo.purge_message_log(conn, now - timedelta(days=2))
    mailer = _mailer(runtime)
    for row in due:
        if row.channel == "email" and mailer is not None and row.email is not None:
            msg = messages.notice(s.smtp_from, row.email, row.language, "expiry", mailer.manage_link(row),
                                  s.alerts_notice_days)
            try:
                if not mailer.send_logged(runtime.db.begin, row.email, msg, "expiry", now):
                    continue  # over today's cap: tomorrow
            except AlertError as exc:
                log.info("alerts: expiry notice for alert %d not sent (%s)", row.id, exc)
                continue
        with runtime.db.begin() as conn:  # a feed's notice is the countdown itself (its reader would fetch it)
            repo.update_alert(conn, row.id, expiry_notice_at=now)
        report.notices += 1
    if report.pending_deleted or report.notices or report.expired:
        log.info("alerts retention: %d unconfirmed deleted, %d notices, %d expired and deleted",
                 report.pending_deleted, report.notices, report.expired)
    return report


def daily(runtime: Runtime, now: datetime | None = None) -> None:
    """The daily step: digests and retries sent, then retention. Never raises (logged)."""
    now = now or utcnow()
    try:
        _deliver(runtime, now)
    except Exception:  # noqa: BLE001 - retention must still run
        log.exception("alerts: the daily delivery failed")
    try:
        retention(runtime, now)
    except Exception:  # noqa: BLE001 - the worker's other retention must still run
        log.exception("alerts: retention failed")
