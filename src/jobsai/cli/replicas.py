"""``jobsai serve --workers N``: N server processes on one host, each on a port of its own.

Why not uvicorn's ``--workers`` (N processes sharing one port): the UI is Gradio, whose page state
and event queue live in the process that served the page (gradio-app/gradio#7224, #10487), while
uvicorn's processes take connections in any order, so a page's next request lands on another
process and fails. The HTTP API alone would survive that; the UI would not. So each process gets
its own port (P, P+1, …) and the reverse proxy in front keeps each browser on one of them (sticky
by client address or cookie: ``deploy/Caddyfile``); API calls may land anywhere, because match
sessions and rate limits are shared through the database (or Redis).

Every replica opens the same index, which the embedded Qdrant Edge shard allows to one process
only: several processes need a Qdrant server (``JOBSAI_QDRANT_URL``). The in-process worker is
turned off in all of them (it would run the same jobs N times; ``jobsai worker`` runs them once),
and rate limits go to the database unless Redis is configured.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from jobsai.config import Settings
from jobsai.errors import ConfigError

STOP_GRACE_S = 30.0


@dataclass(frozen=True, slots=True)
class ReplicaPlan:
    ports: list[int]
    env: dict[str, str]
    """Settings every replica gets on top of the current environment."""
    notes: list[str] = field(default_factory=list)


def plan_replicas(settings: Settings, workers: int, port: int) -> ReplicaPlan:
    """What ``--workers N`` will start; ConfigError when it cannot work (the embedded index)."""
    if workers < 2:
        raise ValueError("a plan is for two or more replicas")
    if not settings.qdrant_url:
        raise ConfigError(
            "--workers needs a Qdrant server (set JOBSAI_QDRANT_URL): the embedded index can be opened by one "
            "process at a time. Run a single `jobsai serve`, or start Qdrant (deploy/compose.yaml has one)."
        )
    if port + workers - 1 > 65535:
        raise ConfigError(f"ports {port}..{port + workers - 1} do not all exist; choose a lower --port")
    env = {"JOBSAI_SERVE_WORKER": "false"}
    notes = []
    if settings.serve_worker:
        notes.append("The scheduled jobs (updates, training, retention) do not run inside the replicas "
                     "(JOBSAI_SERVE_WORKER=false in each): run one `jobsai worker` beside them.")
    if settings.rate_limit_storage == "auto" and settings.redis_url is None:
        env["JOBSAI_RATE_LIMIT_STORAGE"] = "database"
        notes.append("Rate limits are shared through the database (set JOBSAI_REDIS_URL to use Redis).")
    ports = list(range(port, port + workers))
    notes.append(f"Replicas listen on ports {ports[0]}-{ports[-1]}: put a reverse proxy in front that keeps each "
                 "browser on one replica (sticky sessions: the UI's state lives in the process that served it), "
                 "e.g. deploy/Caddyfile.")
    return ReplicaPlan(ports, env, notes)


def serve_command(host: str, port: int) -> list[str]:
    return [sys.executable, "-m", "jobsai.cli.main", "serve", "--host", host, "--port", str(port)]


def run_replicas(
    plan: ReplicaPlan, commands: Sequence[list[str]], *, on_exit: Callable[[int, int], None] | None = None
) -> int:
    """Start one process per command with the plan's environment and supervise them until one ends or
    SIGTERM/SIGINT arrives; then stop the others (SIGTERM, then SIGKILL after 30 s). Returns the exit
    status: 0 after a signal, else the first process's own status (1 when it was 0: it was not asked to end)."""
    env = {**os.environ, **plan.env}
    procs = [subprocess.Popen(cmd, env=env) for cmd in commands]
    stopping = False

    def stop(signum: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    status = 0
    try:
        while not stopping:
            ended = [(i, p.poll()) for i, p in enumerate(procs) if p.poll() is not None]
            if ended:
                index, code = ended[0]
                if on_exit is not None:
                    on_exit(index, int(code or 0))
                status = int(code) if code else 1
                break
            time.sleep(0.2)
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        for p in procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return status
