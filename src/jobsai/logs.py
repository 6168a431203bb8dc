"""Log lines as text (the default) or as one JSON object per line (``JOBSAI_LOG_FORMAT=json``), with the
web request's id.

Why JSON: a log shipper (Loki, Elasticsearch, CloudWatch) then reads fields instead of guessing them
from text, and the request id ties together every line one request caused, in the server and in its
worker threads (the id lives in a context variable, which anyio copies into the threads that run
blocking work). What is logged does not change: messages carry counts and ids, never CV text
(see the README's privacy section), and the JSON object has a fixed set of fields, so nothing a
library attaches to a record leaks into it.
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Literal

REQUEST_ID: ContextVar[str | None] = ContextVar("jobsai_request_id", default=None)
"""The id of the web request being handled in this context (None outside a request)."""

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RequestIdFilter(logging.Filter):
    """Give every record a ``request_id`` attribute (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """``{"ts", "level", "logger", "message", "request_id"}`` (+ ``"exception"``) as one JSON line."""

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or REQUEST_ID.get(),
        }
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


def configure_logging(fmt: Literal["text", "json"], level: int) -> None:
    """One handler on the root logger, on stderr, in ``fmt``; uvicorn's loggers propagate to it."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
