"""``jobsai worker`` (scheduled jobs) and ``jobsai index`` (blue/green re-index, switch, rollback)."""

from __future__ import annotations

import json
import logging
import signal
from collections.abc import Callable
from typing import Annotated, Any

import typer

from jobsai.cli.locks import INDEX_BUSY_EXIT, index_lock
from jobsai.config import Settings
from jobsai.errors import JobsAIError

log = logging.getLogger(__name__)

index_app = typer.Typer(help="Blue/green index builds: list, build (and switch), rollback.", no_args_is_help=True)
__all__ = ["INDEX_BUSY_EXIT", "index_app", "index_lock", "register", "worker"]


def worker(
    once: Annotated[bool, typer.Option("--once", help="Run the jobs that are due, then exit.")] = False,
) -> None:
    """Run the incremental update every JOBSAI_UPDATE_INTERVAL_MIN minutes, training on a schedule
    and feedback retention, until SIGTERM/SIGINT (the running job finishes first).

    Do not run it beside `jobsai serve`: the server runs the same jobs in-process
    (JOBSAI_SERVE_WORKER), and the embedded index allows one process.
    """
    from jobsai.jobs import worker_jobs
    from jobsai.runtime import Runtime
    from jobsai.worker import Worker

    logging.getLogger("jobsai").setLevel(logging.INFO)
    settings = Settings()
    try:
        holder: dict[str, Runtime] = {"rt": Runtime(settings)}

        def swap(new: Runtime) -> None:
            old, holder["rt"] = holder["rt"], new
            old.close()

        metrics = _serve_worker_metrics(settings, lambda: holder["rt"])
        w = Worker(settings, lambda: holder["rt"], on_swap=swap, metrics=metrics, **worker_jobs())

        def on_signal(signum: int, _frame: Any) -> None:
            log.info("signal %d: stopping after the current job", signum)
            w.stop()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        try:
            if once:
                w.run_due()
            else:
                w.run_forever()
        finally:
            holder["rt"].close()
    except JobsAIError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(1) from None


def _serve_worker_metrics(settings: Settings, runtime: Callable[[], Any]) -> Any:
    """With ``JOBSAI_WORKER_METRICS_PORT``: the worker's metrics (job outcomes, what updates ingested, the
    store's state) served on that port, all interfaces (Prometheus scrapes it; it holds no personal data)."""
    if settings.worker_metrics_port is None:
        return None
    from prometheus_client import start_http_server

    from jobsai.metrics import Metrics
    from jobsai.sync.health import store_health

    def health() -> Any:
        rt = runtime()
        opened = rt.__dict__.get("index")  # counted only when the worker has it open already, or on a server:
        if opened is not None:  # opening the embedded index here could lock the worker's own update out
            return store_health(settings, rt.db, index=opened, index_name=rt.index_name)
        return store_health(settings, rt.db, count_index=bool(settings.qdrant_url))

    metrics = Metrics()
    metrics.watch_state(health, lambda: None)
    start_http_server(settings.worker_metrics_port, registry=metrics.registry)
    log.info("worker metrics on port %d", settings.worker_metrics_port)
    return metrics


@index_app.command("list")
def index_list() -> None:
    """Registered indexes (newest first) with their model and status; "points" is counted by each index
    that still exists ("points_recorded": what its build recorded), and the active one is compared with
    the store's live ads ("mismatch")."""
    from jobsai.index import catalog
    from jobsai.store import ads as ads_repo
    from jobsai.store.db import Database
    from jobsai.sync.health import count_points, describe_count_error
    from jobsai.sync.reindex import index_exists

    settings = Settings()
    db = Database.from_settings(settings)
    try:
        db.migrate()
        with db.begin(readonly=True) as conn:
            records = catalog.list_indexes(conn)
            live = ads_repo.count_ads(conn).live
    finally:
        db.dispose()
    rows: list[dict[str, Any]] = []
    for r in records:
        points: int | None = None
        error: str | None = None
        if r.status == "retired" and r.activated_at is None and r.point_count is None:
            error = "deleted (pruned after a switch)"
        elif not index_exists(settings, r.name):
            error = "its data is missing"
        else:
            try:
                points = count_points(settings, r)
            except JobsAIError as exc:
                error = describe_count_error(exc)
        row: dict[str, Any] = {
            "name": r.name, "status": r.status, "model": r.model_name, "weights_sha256": r.model_sha256[:12],
            "points": points, "points_recorded": r.point_count,
            "activated_at": r.activated_at.isoformat() if r.activated_at else None,
        }
        if error:
            row["points_error"] = error
        if r.status == "active":
            row["store_live"] = live
            row["mismatch"] = points is not None and points != live
        rows.append(row)
    typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))


@index_app.command("build")
def index_build(
    model: Annotated[str | None, typer.Option(help="Model path or id (default JOBSAI_MODEL).")] = None,
    name: Annotated[str | None, typer.Option(help="Index name (default ads-<n>).")] = None,
    switch: Annotated[bool, typer.Option(help="Activate it when built and verified.")] = True,
) -> None:
    """Build a new index beside the active one (resumable), verify it and switch to it.

    Stop `jobsai serve`/`jobsai worker` first when they use the embedded index, or let the
    server's worker do it (a promotion re-indexes in-process).
    """
    from jobsai.embed.model import Embedder
    from jobsai.embed.model_ref import ModelRef
    from jobsai.index.catalog import next_index_name
    from jobsai.runtime import Runtime
    from jobsai.sync.reindex import build_index, switch_active

    settings = Settings()
    try:
        with index_lock(settings), Runtime(settings) as rt:
            embedder = Embedder.load(settings, model=ModelRef.configured(settings, model) if model else None)
            with rt.db.begin(readonly=True) as conn:
                name = name or next_index_name(conn)
            report = build_index(settings, rt.db, embedder, name)
            typer.echo(f"built {name}: {report.record.point_count} points "
                       f"({report.embedded} embedded, {report.resumed_with} kept from an earlier attempt)")
            if switch:
                switch_active(settings, rt.db, name)
                _sync_active_index(settings)
                typer.echo(f"{name} is now active")
    except JobsAIError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(1) from None


@index_app.command("rollback")
def index_rollback(
    name: Annotated[str | None, typer.Argument(help="Retired index (default: the previous one).")] = None,
) -> None:
    """Switch back to a retired index that still exists, without re-embedding; then sync the delta."""
    from jobsai.store.db import Database
    from jobsai.sync.reindex import rollback

    settings = Settings()
    try:
        with index_lock(settings):
            db = Database.from_settings(settings)
            try:
                db.migrate()
                record = rollback(settings, db, name)
            finally:
                db.dispose()
            _sync_active_index(settings)
        typer.echo(f"{record.name} is active again")
    except JobsAIError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(1) from None


def _sync_active_index(settings: Settings) -> None:
    """Bring the index just switched to up to date with the store: ads changed while it was built (or since it
    was retired) reach it now, not at the worker's next update. A fresh runtime, as it opens the active index."""
    from jobsai.runtime import Runtime

    with Runtime(settings) as rt:
        rt.ingestor.sync_index()


def register(app: typer.Typer) -> None:
    app.command()(worker)
    app.add_typer(index_app, name="index")
