"""``jobsai backup`` and ``jobsai restore``: the system of record and the trained models, in one archive.

The vector index is not in the archive (it is derived from the store); after a restore,
``jobsai index build`` rebuilds it. See :mod:`jobsai.store.backup` for what is kept and why.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from jobsai.cli.locks import index_lock
from jobsai.config import Settings
from jobsai.errors import JobsAIError


def backup(
    file: Annotated[Path, typer.Argument(help="Archive to write (.tar, or .tar.gz/.tgz compressed).")],
    fmt: Annotated[str, typer.Option("--format", help="auto, sqlite (SQLite only) or jsonl (portable).")] = "auto",
    models: Annotated[bool, typer.Option("--models/--no-models", help="Include the trained model folders.")] = True,
) -> None:
    """Back up the store (SQLite: online backup API; PostgreSQL: JSON Lines in one snapshot) and the model
    registry's model folders into one tar archive, while the server and worker keep running."""
    from jobsai.store.backup import backup as run_backup
    from jobsai.store.db import Database

    if fmt not in ("auto", "sqlite", "jsonl"):
        typer.echo("Error: --format must be auto, sqlite or jsonl.", err=True)
        raise typer.Exit(2)
    settings = Settings()
    try:
        with Database.from_settings(settings) as db:
            report = run_backup(settings, db, file, db_format=None if fmt == "auto" else fmt,  # type: ignore[arg-type]
                                include_models=models)
    except JobsAIError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"backup written: {report.summary()}")


def restore(
    file: Annotated[Path, typer.Argument(help="An archive written by `jobsai backup`.")],
    force: Annotated[bool, typer.Option("--force", help="Replace a store that already holds data.")] = False,
) -> None:
    """Replace the store and the trained model folders with a backup's. Stop `jobsai serve` and `jobsai worker`
    first. The index is rebuilt afterwards with `jobsai index build`."""
    from jobsai.store.backup import describe, read_manifest
    from jobsai.store.backup import restore as run_restore

    settings = Settings()
    try:
        typer.echo(describe(read_manifest(file)))
        with index_lock(settings):
            report = run_restore(settings, file, force=force)
    except JobsAIError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(report.summary())
    build = "jobsai index build" + (f" --model {report.champion_path}" if report.champion_path else "")
    typer.echo(f"Next: rebuild the index from the restored store: `{build}` "
               "(it embeds every live ad; README: how long that takes).")


def register(app: typer.Typer) -> None:
    app.command()(backup)
    app.command()(restore)
