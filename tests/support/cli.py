"""Run the ``jobsai`` command line in-process, as the operations tests do."""

from __future__ import annotations

from typer.testing import CliRunner

from jobsai.cli.main import app


def invoke(env: dict[str, str | None], *args: str, code: int = 0) -> str:
    """``jobsai ARGS`` under ``env``; fails unless it exits with ``code``. Returns its stdout when
    it succeeds, else all it printed (the error message is the point then)."""
    result = CliRunner().invoke(app, list(args), env=env)
    assert result.exit_code == code, result.output
    return result.stdout if code == 0 else result.output
