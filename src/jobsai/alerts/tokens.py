"""The secret links of an alert, derived from a server key so the database never holds them.

Each alert has a random nonce; its ``manage`` (pause, change, delete), ``read`` (feed, ad links) and
``confirm`` tokens are HMAC-SHA256 of the nonce under the key. The database keeps the nonce and each
token's sha256 (for look-ups): a leaked table opens no link, while the worker can still put the links in
every message. The key is ``JOBSAI_ALERTS_SECRET`` or, unset, a random one made once in ``data_dir``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from jobsai.config import Settings

TokenKind = Literal["manage", "read", "confirm"]
KEY_FILE = "alerts.key"


def alert_key(settings: Settings) -> bytes:
    """The configured key, else the one in ``data_dir/alerts.key`` (created 0600 on first use)."""
    if settings.alerts_secret is not None:
        return settings.alerts_secret.get_secret_value().encode("utf-8")
    path = Path(settings.data_dir) / KEY_FILE
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it a moment ago
        return path.read_bytes()
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
    return key


@dataclass(frozen=True, slots=True)
class AlertTokens:
    key: bytes

    def token(self, nonce: str, kind: TokenKind) -> str:
        digest = hmac.new(self.key, f"{kind}:{nonce}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    @staticmethod
    def new_nonce() -> str:
        return secrets.token_urlsafe(24)
