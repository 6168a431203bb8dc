"""Helpers for the web tests: CVs with personal data, offline settings, a live uvicorn server.

The fixtures that use them live in ``tests/web_fixtures.py`` (a plugin, so the slow demo-data
runtime is built once per test session and shared by every web test module).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from sqlalchemy import select

from jobsai.config import Settings
from jobsai.runtime import Runtime
from jobsai.store.schema import ads as ads_table

CLOSED_PORT_URL = "http://127.0.0.1:9"  # nothing listens on the discard port: JobStream is "unreachable"

CV_NURSE = """Maria Testsson
Undersköterska – äldreomsorg och hemsjukvård
Storgatan 12, 123 45 Exempelstad | 070-123 45 67 | maria.testsson@example.com
Personnummer: 19850612-1234

PROFIL
Utbildad undersköterska med sju års erfarenhet från särskilt boende och hemtjänst. Jag trivs
med att arbeta nära människor, har god vana av dokumentation och delegerade hälso- och
sjukvårdsuppgifter och söker en tillsvidaretjänst inom äldreomsorg.

ERFARENHET
2020 – nu   Undersköterska, Solgläntans äldreboende: omvårdnad, personlig hygien, demenssjukdom,
läkemedelsöverlämning, kontaktman och dokumentation i Treserva.
2017 – 2020 Vårdbiträde, hemtjänsten: hygien, måltider, inköp och nattpatrull med trygghetslarm.
"""

CV_WAREHOUSE = """Karl Provsson
Lagerarbetare och truckförare
Lillvägen 3, 456 78 Provstad | +46 73 987 65 43 | karl.provsson@example.org
Personnummer: 900101-5678

Erfaren lagerarbetare med truckkort A och B. Jag har arbetat med plock och pack, inleveranser,
inventering och orderhantering i WMS-system på ett stort tredjepartslager. Van vid skiftarbete,
ordning och reda och att arbeta säkert. B-körkort.

Erfarenhet
2019 – nu  Lagerarbetare, Exempel Logistik AB: truck, plock, pack och lastning.
2016 – 2019 Terminalarbetare, Godsterminalen: sortering, lastning och lossning.
"""

PII = {
    "nurse": ("maria.testsson@example.com", "070-123 45 67", "19850612-1234", "Storgatan 12"),
    "warehouse": ("karl.provsson@example.org", "+46 73 987 65 43", "900101-5678", "Lillvägen 3"),
}


def offline_settings(data_dir: Path, model: Path, **overrides: Any) -> Settings:
    """Settings for a test app: the tiny model, a private data dir, JobStream unreachable."""
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "model": str(model),
        "embed_quantize": False,
        "jobstream_url": CLOSED_PORT_URL,
        "http_max_retries": 0,
        "http_timeout_s": 2.0,
        "database_url": None,
        "qdrant_url": None,
    }
    values.update(overrides)
    return Settings(**values)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serve_in_thread(app: Any, *, ready_timeout: float = 120.0) -> Iterator[str]:
    """Serve ``app`` with uvicorn on 127.0.0.1 in a background thread; yields the base URL.

    Waits until ``/readyz`` says ready (the app may be loading its data), and shuts the
    server down (running the app's shutdown) at the end.
    """
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + ready_timeout
    last = "no answer"
    try:
        while True:
            if not thread.is_alive():
                raise RuntimeError("the test server stopped during start-up")
            try:
                r = httpx.get(f"{base}/readyz", timeout=5)
                last = r.text
                if r.status_code == 200:
                    break
            except httpx.HTTPError as exc:
                last = repr(exc)
            if time.monotonic() > deadline:
                raise RuntimeError(f"the test server did not get ready: {last}")
            time.sleep(0.2)
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def some_ad_ids(runtime: Runtime, n: int = 5) -> list[str]:
    with runtime.db.begin(readonly=True) as conn:
        rows = conn.execute(select(ads_table.c.id).where(ads_table.c.removed_at.is_(None)).limit(n))
        return [r.id for r in rows]
