"""Fixtures for the web tests: a tiny model and one demo-data runtime shared by the test session.

Use from a test module with ``pytest_plugins = ["web_fixtures"]``. The runtime is built once
per session (the demo set loaded through ``ensure_data`` with JobStream pointed at a closed
local port, exactly as ``jobsai serve`` loads it offline), because loading it is the slow
part; each test module builds its own app(s) around it with the settings it needs.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from jobsai.runtime import Runtime

from support.tiny_model import make_tiny_model
from support.web import offline_settings


@pytest.fixture(scope="session")
def web_tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_model(tmp_path_factory.mktemp("web-tiny-model"))


@pytest.fixture(scope="session")
def web_runtime(tmp_path_factory: pytest.TempPathFactory, web_tiny_model: Path) -> Iterator[Runtime]:
    """The demo set, loaded the way ``jobsai serve`` loads it offline (JobStream fails, demo fallback)."""
    settings = offline_settings(tmp_path_factory.mktemp("web-data"), web_tiny_model)
    with Runtime(settings) as runtime:
        messages: list[str] = []
        runtime.ensure_data(on_fallback=messages.append)
        assert messages and "demo" in messages[0]
        yield runtime
