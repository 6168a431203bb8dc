"""Sending e-mail through the SMTP server in ``JOBSAI_SMTP_URL`` (plain, STARTTLS or TLS from the start).

Failures are sorted into permanent (the server refused the recipient with a 5xx: a bounce; the alert is
paused) and transient (connection trouble, 4xx: retried with backoff). Addresses never reach the log.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from jobsai.alerts.errors import AlertUnavailableError, DeliveryError

SCHEMES = {"smtp": (25, None), "smtp+starttls": (587, "starttls"), "smtps": (465, "ssl")}


@dataclass(frozen=True, slots=True)
class SmtpSender:
    host: str
    port: int
    security: str | None
    """``None`` (plain), ``starttls`` or ``ssl``."""
    username: str | None = None
    password: str | None = None
    timeout_s: float = 30.0
    ssl_context: ssl.SSLContext | None = None

    @classmethod
    def from_url(cls, url: str, timeout_s: float = 30.0) -> SmtpSender:
        parts = urlsplit(url)
        if parts.scheme not in SCHEMES or not parts.hostname:
            raise AlertUnavailableError(
                "JOBSAI_SMTP_URL must look like smtp://host:25, smtp+starttls://user:password@host:587 "
                "or smtps://user:password@host:465.")
        default_port, security = SCHEMES[parts.scheme]
        return cls(parts.hostname, parts.port or default_port, security,
                   unquote(parts.username) if parts.username else None,
                   unquote(parts.password) if parts.password else None, timeout_s)

    def send(self, msg: EmailMessage) -> None:
        """Send one message; :class:`DeliveryError` says whether trying again may help."""
        context = self.ssl_context or ssl.create_default_context()
        try:
            if self.security == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout_s, context=context)
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout_s)
            with client:
                if self.security == "starttls":
                    client.starttls(context=context)
                if self.username:
                    client.login(self.username, self.password or "")
                client.send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise DeliveryError("the mail server refused the recipient",
                                permanent=all(c >= 500 for c in codes)) from None
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(f"the mail server answered {exc.smtp_code}",
                                permanent=exc.smtp_code >= 500 and exc.smtp_code not in (530, 535)) from None
        except (smtplib.SMTPException, OSError) as exc:
            reason = type(exc).__name__
            raise DeliveryError(f"the mail server could not be reached ({reason})", permanent=False) from None
