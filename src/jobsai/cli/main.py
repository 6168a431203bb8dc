"""The ``jobsai`` command line: thin shells over the library, with progress and clear errors."""

from __future__ import annotations

import functools
import inspect
import json
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from jobsai import __version__
from jobsai.cli.locks import index_lock
from jobsai.config import Settings
from jobsai.cv.extract import extract_cv_text
from jobsai.errors import JobsAIError
from jobsai.index import catalog
from jobsai.index.filters import PUBLIC_FILTERS, PUBLISHED_WITHIN
from jobsai.match.filters import FilterInput, resolve_filter
from jobsai.match.matcher import MatchResult
from jobsai.private import private_dir
from jobsai.runtime import Runtime
from jobsai.store import ads as ads_repo
from jobsai.store import runs
from jobsai.sync.ingest import CHECKPOINT, IngestReport
from jobsai.web.render import ad_summary, why_text
from jobsai.worker import ensure_data_unless_busy

app = typer.Typer(
    help="JobsAI: match your CV against every live job ad in Sweden.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)


def _setup_logging(verbose: bool) -> None:
    """Text lines on stderr, or JSON lines with ``JOBSAI_LOG_FORMAT=json`` (:mod:`jobsai.logs`)."""
    from jobsai.logs import configure_logging

    json_logs = os.environ.get("JOBSAI_LOG_FORMAT", "text").strip().lower() == "json"
    configure_logging("json" if json_logs else "text", logging.INFO if verbose else logging.WARNING)


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress counts.")] = False,
) -> None:
    _setup_logging(verbose)


@contextmanager
def _runtime(bars: bool = True, *, writes_index: bool = False) -> Iterator[Runtime]:
    """A Runtime with a progress display; JobsAI errors become a message and exit code 1.

    ``writes_index``: hold the worker's index lock throughout (exit 75 at once while a worker's
    update or re-index, or another such command, holds it), so two writers never interleave.
    """
    progress = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), _RateColumn(),
        TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
        console=err, transient=True, disable=not bars or not err.is_terminal,
    )
    if not err.is_terminal:  # no bar: a progress line every ~30 s instead (sync/progress.py)
        logging.getLogger("jobsai.sync.progress").setLevel(logging.INFO)
    tasks: dict[str, TaskID] = {}
    labels = {"ads": "Reading and storing ads", "embed": "Embedding and indexing", "index": "Embedding and indexing"}

    def report(stage: str, done: int, total: int | None) -> None:
        if stage not in tasks:
            tasks[stage] = progress.add_task(labels.get(stage, stage), total=total)
        progress.update(tasks[stage], completed=done, total=total)

    settings = Settings()
    try:
        with ExitStack() as stack:
            if writes_index:
                stack.enter_context(index_lock(settings))
            with progress, Runtime(settings, progress=report) as rt:
                yield rt
    except JobsAIError as exc:
        err.print(f"[bold red]Error:[/] {exc}")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        err.print("Interrupted; nothing is lost — run the same command again to resume.")
        raise typer.Exit(130) from None


class _RateColumn(ProgressColumn):
    """Ads per second over rich's recent window (blank until it has two samples)."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:.1f} ads/s" if speed else "", style="progress.data.speed")


def _print_report(report: IngestReport | None) -> None:
    if report is None:
        return
    err.print(f"{report.kind}: {report.summary()}")
    for reason in report.skip_reasons[:5]:
        err.print(f"  skipped: {reason}")


@app.command()
def bootstrap() -> None:
    """Fetch the full JobStream snapshot (every live ad), store it and index it."""
    with _runtime(writes_index=True) as rt, rt.client() as client:
        _print_report(rt.ingestor.bootstrap(client))


@app.command()
def update() -> None:
    """Apply everything changed since the last run: new, changed, removed and expired ads."""
    with _runtime(writes_index=True) as rt, rt.client() as client:
        _print_report(rt.ingestor.update(client))


@app.command()
def load(file: Annotated[Path, typer.Argument(help="JobTech ads: JSON array or JSON Lines (.gz ok).")]) -> None:
    """Ingest ads from a JobTech-format file (for offline use)."""
    with _runtime(writes_index=True) as rt:
        _print_report(rt.ingestor.load_file(file))


@app.command()
def reindex() -> None:
    """Re-embed every live ad into a fresh index (after changing the model)."""
    with _runtime(writes_index=True) as rt:
        with rt.db.begin() as conn:
            ads_repo.reset_index_state(conn)
        _print_report(rt.ingestor.sync_index())


def _with_filter_options(command: Callable[..., None]) -> Callable[..., None]:
    """``command`` with one repeatable option per public filter (``index.filters``) and
    ``--published-within-days`` in place of its ``filters`` parameter, which receives them as a FilterInput."""
    own = list(inspect.signature(command, eval_str=True).parameters.values())
    at = [p.name for p in own].index("filters")
    options = [
        inspect.Parameter(
            f.name, inspect.Parameter.KEYWORD_ONLY, default=[],
            annotation=Annotated[list[str], typer.Option(f"--{f.option}", help=f.help or f"{f.label_en}.")],
        )
        for f in PUBLIC_FILTERS
    ]
    options.append(inspect.Parameter(
        PUBLISHED_WITHIN, inspect.Parameter.KEYWORD_ONLY, default=None,
        annotation=Annotated[int | None, typer.Option("--published-within-days", min=1, help="Only recent ads.")],
    ))
    params = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own[:at]] + options + [
        p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own[at + 1 :]
    ]

    @functools.wraps(command)
    def with_filters(**kwargs: Any) -> None:
        values = {f.name: tuple(kwargs.pop(f.name) or ()) for f in PUBLIC_FILTERS}
        kwargs["filters"] = FilterInput(published_within_days=kwargs.pop(PUBLISHED_WITHIN), **values)
        command(**kwargs)

    with_filters.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    with_filters.__annotations__ = {p.name: p.annotation for p in params}
    return with_filters


@app.command()
@_with_filter_options
def match(
    cv_files: Annotated[list[Path], typer.Argument(help="CV files: PDF, DOCX or text.")],
    top_k: Annotated[int, typer.Option("--top-k", "-k", min=1, max=200, help="Number of ads.")] = 10,
    filters: FilterInput = FilterInput(),  # noqa: B008 - replaced by one option per filter
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """Print the best-matching ads for one or more CVs (one model load for all)."""
    if fmt not in ("table", "json"):
        err.print("[bold red]Error:[/] --format must be 'table' or 'json'.")
        raise typer.Exit(2)
    with _runtime() as rt:
        if not ensure_data_unless_busy(rt, on_fallback=lambda m: err.print(f"[yellow]{m}[/]")):
            err.print("[yellow]Another JobsAI process is updating the index; matching against the ads "
                      "indexed so far.[/]")
        with rt.db.begin(readonly=True) as conn:
            flt = resolve_filter(conn, filters)
        results: dict[str, list[dict[str, object]]] = {}
        for path in cv_files:
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise JobsAIError(f"Cannot read {path}: {exc.strerror or exc}") from exc
            cv = extract_cv_text(data, filename=path.name, max_bytes=rt.settings.max_upload_bytes,
                                 min_words=rt.settings.min_cv_words)
            found = rt.matcher.match(cv.text, flt, top_k=top_k)
            results[path.name] = [_result_json(r) for r in found]
            if fmt == "table":
                _print_results(path.name, found)
        if fmt == "json":
            payload: object = results[cv_files[0].name] if len(cv_files) == 1 else results
            out.print_json(json.dumps(payload, ensure_ascii=False))


def _result_json(r: MatchResult) -> dict[str, object]:
    """One result in ``jobsai match --format json``."""
    ad = ad_summary(r.ad)
    published = ad.published.isoformat() if ad.published else None
    return {"id": ad.id, "score": r.score, "headline": ad.headline, "employer": ad.employer,
            "municipality": ad.municipality, "occupation": ad.occupation, "published": published, "url": ad.url,
            "why": why_text(r)}


def _print_results(name: str, results: list[MatchResult]) -> None:
    """A readable list (works at any terminal width, and when piped)."""
    if not results:
        out.print(f"No ads match {name} with these filters.")
        return
    out.print(f"[bold]Best matches for {name}[/]")
    for i, r in enumerate(results, 1):
        ad = ad_summary(r.ad)
        published = ad.published.date().isoformat() if ad.published else "—"
        place = " · ".join(x for x in (ad.occupation, ad.municipality, f"published {published}") if x)
        out.print(f"\n{i:>3}. [bold green]{r.score:>3}[/]  [bold]{escape(ad.headline)}[/]"
                  + (f" — {escape(ad.employer)}" if ad.employer else ""))
        out.print(f"       {escape(place)}")
        out.print(f"       [dim]Why:[/] {escape(why_text(r))}")
        out.print(f"       [link={ad.url}]{ad.url}[/link]")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address (default 127.0.0.1, or JOBSAI_WEB_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 7860, or JOBSAI_WEB_PORT).")] = None,
    workers: Annotated[int, typer.Option(
        "--workers", min=1, help="Server processes, on ports PORT..PORT+N-1 (needs a Qdrant server).")] = 1,
) -> None:
    """Start the web app (Gradio UI at /) and the HTTP API (/api/v1, docs at /docs).

    With an empty store it fetches JobStream first, or loads the demo set when JobStream is unreachable.

    The embedded index allows one process: stop the server before `update` or `load` (or use a Qdrant server).
    `--workers N` starts N processes on consecutive ports for a sticky reverse proxy (JOBSAI_QDRANT_URL needed;
    the in-process worker is off in all of them: run `jobsai worker` beside them).
    """
    import uvicorn

    settings = Settings()
    # Gradio saves uploads before any handler runs; keep them in the private data dir, not /tmp.
    os.environ.setdefault("GRADIO_TEMP_DIR", str(private_dir(settings.data_dir / "uploads")))
    from jobsai.web.app import create_app

    host = host or settings.web_host
    port = port or settings.web_port
    if workers > 1:
        _serve_replicas(settings, workers, host, port)
        return
    logging.getLogger("jobsai").setLevel(logging.INFO)  # start-up progress and the demo fallback
    try:
        web_app = create_app(settings)
    except (JobsAIError, ValueError) as exc:  # ValueError: a setting such as JOBSAI_WEB_TRUSTED_PROXIES
        err.print(f"[bold red]Error:[/] {exc}")
        raise typer.Exit(1) from None
    err.print(f"JobsAI is starting on [bold]http://{host}:{port}/[/] (HTTP API docs: http://{host}:{port}/docs)")
    # proxy_headers=False: the app believes X-Forwarded-For only from JOBSAI_WEB_TRUSTED_PROXIES (web.proxies);
    # uvicorn's default would believe it from 127.0.0.1, letting any local program pick its rate-limit key.
    # JSON logs: uvicorn's own loggers (access log included) propagate to the JSON handler on the root logger.
    log_config = None if settings.log_format == "json" else uvicorn.config.LOGGING_CONFIG
    uvicorn.run(web_app, host=host, port=port, log_level="info", timeout_keep_alive=5, server_header=False,
                proxy_headers=False, log_config=log_config)


def _serve_replicas(settings: Settings, workers: int, host: str, port: int) -> None:
    from jobsai.cli.replicas import plan_replicas, run_replicas, serve_command

    try:
        plan = plan_replicas(settings, workers, port)
    except JobsAIError as exc:
        err.print(f"[bold red]Error:[/] {exc}")
        raise typer.Exit(1) from None
    for note in plan.notes:
        err.print(f"[yellow]{escape(note)}[/]")

    def ended(index: int, code: int) -> None:
        err.print(f"[bold red]Replica on port {plan.ports[index]} exited ({code}); stopping the others.[/]")

    raise typer.Exit(run_replicas(plan, [serve_command(host, p) for p in plan.ports], on_exit=ended))


@app.command()
def status() -> None:
    """Counts, the model and index in use (its points counted by the index, against the store's live ads:
    "mismatch" when they differ), and the last successful update ("stale" when older than
    JOBSAI_STALE_AFTER_INTERVALS update intervals)."""
    from jobsai.sync.health import store_health

    with _runtime(bars=False) as rt:
        with rt.db.begin(readonly=True) as conn:
            counts = ads_repo.count_ads(conn)
            checkpoint = runs.get_checkpoint(conn, CHECKPOINT)
            last = runs.last_successful_run(conn)
            index = catalog.active_index(conn)
        health = store_health(rt.settings, rt.db)  # the index's points counted by the index, not recalled
        info = {
            "version": __version__,
            "data_dir": str(rt.settings.data_dir),
            "database": rt.db.display_url,
            "ads": {"live": counts.live, "removed": counts.removed, "expired": counts.expired,
                    "pending_index": counts.pending_index},
            "model": rt.settings.model,
            "index": None if index is None else {
                "name": index.name, "backend": index.backend, "model": index.model_name,
                "weights_sha256": index.model_sha256[:12], "points": health.index_points,
                "points_error": health.index_error, "store_live": health.store_live, "mismatch": health.mismatch,
            },
            "freshness": {k: v for k, v in health.to_json().items()
                          if k in ("last_update", "last_update_age_s", "stale_after_s", "stale")},
            "index_backend": "qdrant server " + rt.settings.qdrant_url if rt.settings.qdrant_url
            else f"qdrant-edge at {rt.settings.index_dir}",
            "jobstream_checkpoint": checkpoint.isoformat() if checkpoint else None,
            "last_successful_run": None if last is None else {
                "kind": last.kind, "finished": last.finished_at.isoformat() if last.finished_at else None,
                "counts": last.counts,
            },
        }
        out.print_json(json.dumps(info, ensure_ascii=False))


from jobsai.cli import worker_cmds  # noqa: E402 - `jobsai worker` and `jobsai index`

worker_cmds.register(app)

from jobsai.cli import learn_cmds  # noqa: E402 - `jobsai feedback|train|models`

learn_cmds.register(app)

from jobsai.cli import ops_cmds  # noqa: E402 - `jobsai backup|restore`

ops_cmds.register(app)

if __name__ == "__main__":
    app()
