"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives, for the alert tests.

    with LocalSmtp() as smtp:
        settings = Settings(smtp_url=smtp.url, ...)
        ...
        assert smtp.messages[0]["To"] == "a@example.com"

``refuse`` holds addresses refused with a 550 at RCPT (a bounce); ``fail_data`` makes the next n DATA
commands answer 451 (a transient failure).
"""

from __future__ import annotations

import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from support.web import free_port


class _Handler:
    def __init__(self, box: LocalSmtp) -> None:
        self.box = box

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address.casefold() in self.box.refuse:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.box.lock:
            if self.box.fail_data > 0:
                self.box.fail_data -= 1
                return "451 4.3.0 Try again later"
            msg = message_from_bytes(envelope.content, policy=policy.default)
            assert isinstance(msg, EmailMessage)
            self.box.received.append((list(envelope.rcpt_tos), msg))
        return "250 Message accepted"


class LocalSmtp:
    def __init__(self) -> None:
        self.port = free_port()
        self.lock = threading.Lock()
        self.received: list[tuple[list[str], EmailMessage]] = []
        self.refuse: set[str] = set()
        self.fail_data = 0
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def messages(self) -> list[EmailMessage]:
        with self.lock:
            return [m for _, m in self.received]

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for rcpt, m in self.received if address in rcpt]

    def clear(self) -> None:
        with self.lock:
            self.received.clear()

    def __enter__(self) -> LocalSmtp:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()


def text_of(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())
