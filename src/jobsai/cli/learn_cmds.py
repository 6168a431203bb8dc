"""``jobsai feedback export``, ``jobsai train`` and ``jobsai models``: the learning loop's commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from jobsai.config import Settings
from jobsai.errors import JobsAIError

out = Console()
err = Console(stderr=True)

feedback_app = typer.Typer(help="Relevance feedback.", no_args_is_help=True)
models_app = typer.Typer(help="Trained model versions: list, promote, roll back, plot.", invoke_without_command=True)


def _db(settings: Settings):  # -> Database
    from jobsai.store.db import Database

    settings.ensure_dirs()
    db = Database(settings.resolved_database_url)
    db.migrate()
    return db


def _fail(exc: Exception) -> typer.Exit:
    err.print(f"[bold red]Error:[/] {exc}")
    return typer.Exit(1)


@feedback_app.command("export")
def feedback_export(
    file: Annotated[Path, typer.Argument(help="JSON Lines file to write (contains redacted CVs: personal data).")],
    seed: Annotated[int, typer.Option(help="Split seed.")] = 13,
) -> None:
    """Export the training set (consented, redacted feedback only), split by CV."""
    from jobsai.learn.dataset import build_training_set, export_jsonl
    from jobsai.store.feedback import get_feedback

    db = _db(Settings())
    with db.begin(readonly=True) as conn:
        rows = get_feedback(conn)
    ts = build_training_set(rows, seed=seed)
    n = export_jsonl(ts, file)
    out.print(f"Wrote {n} CVs to {file}: {ts.sizes()}")


def _index_search(settings: Settings):  # -> tuple[SearchFn | None, Runtime | None]
    """Hard negatives from the live index through the current matcher (None if it cannot run)."""
    from jobsai.learn.pipeline import index_search
    from jobsai.runtime import Runtime

    try:
        rt = Runtime(settings)
        rt.matcher  # noqa: B018 - opens the model and the index now, so a failure shows here
    except Exception as exc:  # no index yet: train without mined negatives
        err.print(f"No index to mine hard negatives from ({exc}); using explicit negatives only.")
        return None, None
    return index_search(rt), rt


def train(
    base: Annotated[str, typer.Option(help="Start from the registry's 'champion' or the configured 'base' model.")] = (
        "champion"
    ),
    epochs: Annotated[float, typer.Option(help="Training epochs.")] = 1.0,
    max_steps: Annotated[int, typer.Option(help="Stop after this many steps (-1: all epochs).")] = -1,
    batch_size: Annotated[int, typer.Option(help="Batch size.")] = 16,
    learning_rate: Annotated[float, typer.Option(help="Learning rate.")] = 2e-5,
    margin: Annotated[float, typer.Option(help="Gain on held-out feedback needed to promote.")] = 0.01,
    tolerance: Annotated[float, typer.Option(help="Loss allowed on the fixed benchmarks.")] = 0.01,
    no_eval_dev: Annotated[bool, typer.Option("--no-eval-dev", help="Skip ../shared/eval-dev.")] = False,
    no_hard_negatives: Annotated[bool, typer.Option("--no-hard-negatives", help="Do not mine the index.")] = False,
    domain: Annotated[bool, typer.Option(
        "--domain", help="Adapt the base model to the stored ads instead (no feedback needed; what the worker "
        "runs on its own every JOBSAI_DOMAIN_ADAPT_INTERVAL_DAYS).")] = False,
) -> None:
    """Fine-tune on consented feedback (or, with --domain, on the stored ads), gate against the
    champion, record the run in the registry."""
    from jobsai.learn.gate import GateConfig
    from jobsai.learn.train import TrainConfig, run_domain_training, run_training

    settings = Settings()
    if domain:
        _train_domain(settings, TrainConfig(
            epochs=epochs, max_steps=max_steps if max_steps > 0 else settings.domain_adapt_steps,
            batch_size=batch_size, learning_rate=learning_rate, progress=err.is_terminal,
        ), GateConfig(margin=margin, tolerance=tolerance), include_eval_dev=not no_eval_dev, run=run_domain_training)
        return
    try:
        db = _db(settings)
        search, rt = (None, None) if no_hard_negatives else _index_search(settings)
        try:
            report = run_training(
                settings, db, search=search, base=base,
                config=TrainConfig(epochs=epochs, max_steps=max_steps, batch_size=batch_size,
                                   learning_rate=learning_rate, progress=err.is_terminal),
                gate=GateConfig(margin=margin, tolerance=tolerance), include_eval_dev=not no_eval_dev,
                say=lambda m: err.print(m, markup=False),
            )
        finally:
            if rt is not None:
                rt.close()  # releases the embedded index for `serve`/`worker`
    except JobsAIError as exc:
        raise _fail(exc) from None
    out.print(f"{report.version}: {report.status} — {report.reason}")


def _train_domain(settings: Settings, config, gate, *, include_eval_dev: bool, run) -> None:  # noqa: ANN001
    """``jobsai train --domain``: the live ads in the store as weak supervision."""
    from jobsai.learn.domain import live_ads_sample

    try:
        db = _db(settings)
        with db.begin(readonly=True) as conn:
            ads = live_ads_sample(conn, settings.domain_adapt_max_ads)
        report = run(settings, db, ads, config=config, gate=gate, include_eval_dev=include_eval_dev,
                      say=lambda m: err.print(m, markup=False))
    except JobsAIError as exc:
        raise _fail(exc) from None
    out.print(f"{report.version}: {report.status} — {report.reason}")


def _metric(metrics: dict, who: str, name: str, key: str = "ndcg@10") -> str:
    value = metrics.get(who, {}).get(name, {}).get(key)
    return f"{value:.3f}" if isinstance(value, (int, float)) else "-"


@models_app.callback()
def models(ctx: typer.Context) -> None:
    """List model versions with their status and metrics."""
    if ctx.invoked_subcommand is not None:
        return
    from jobsai.store import registry

    with _db(Settings()).begin(readonly=True) as conn:
        rows = registry.list_models(conn)
    if not rows:
        out.print("No trained models yet (the configured base model serves).")
        return
    table = Table("version", "status", "created (UTC)", "feedback nDCG@10", "project nDCG@10", "eval-dev nDCG@10",
                  "train CVs", "reason")
    for r in rows:
        scores = [_metric(r.metrics, "challenger", name) for name in ("feedback", "project", "eval-dev")]
        table.add_row(r.version, r.status, f"{r.created_at:%Y-%m-%d %H:%M}", *scores,
                      str(r.data_sizes.get("train_cvs", "-")), r.reason or "")
    out.print(table)


@models_app.command("promote")
def models_promote(version: Annotated[str, typer.Argument(help="Version to make champion.")]) -> None:
    """Make VERSION the champion in the registry; the worker (`jobsai worker`, or the one inside
    `jobsai serve`) re-indexes with it after its next update, within JOBSAI_UPDATE_INTERVAL_MIN."""
    from jobsai.store import registry

    try:
        rec = registry.promote(_db(Settings()), version, reason="promoted by hand")
    except JobsAIError as exc:
        raise _fail(exc) from None
    out.print(f"{rec.version} is now the champion; the worker serves it after its next update.")


@models_app.command("rollback")
def models_rollback(version: Annotated[str, typer.Argument(help="A former champion to return to.")]) -> None:
    """Return to a former champion (served after the worker's next update, like a promotion)."""
    from jobsai.store import registry

    try:
        rec = registry.rollback(_db(Settings()), version)
    except JobsAIError as exc:
        raise _fail(exc) from None
    out.print(f"Rolled back: {rec.version} is the champion again; the worker serves it after its next update.")


@models_app.command("plot")
def models_plot(file: Annotated[Path, typer.Argument(help="PNG file to write.")]) -> None:
    """Plot nDCG@10 per version over time (held-out feedback and benchmarks)."""
    from jobsai.learn.plot import plot_models
    from jobsai.store import registry

    with _db(Settings()).begin(readonly=True) as conn:
        rows = registry.list_models(conn)
    plot_models(rows, file)
    out.print(f"Wrote {file} ({len(rows)} versions).")


def register(app: typer.Typer) -> None:
    """Add the learning commands to the main ``jobsai`` app."""
    app.add_typer(feedback_app, name="feedback")
    app.add_typer(models_app, name="models")
    app.command("train")(train)
