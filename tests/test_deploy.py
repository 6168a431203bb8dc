"""The deployment recipe (issue 11): what can be checked without a container engine.

* the entrypoint script (``deploy/entrypoint.sh``): its healthcheck and how it dispatches commands;
* ``deploy/compose.yaml``: the invariants the README promises (one worker, replicas without the
  in-process worker, proxy headers believed only from the proxy's address, shared data directory,
  health checks), and ``docker-compose config`` when that binary is installed;
* the ``Dockerfile``'s promises (torch 2.13.0 CPU, the model converted at build time, a non-root user,
  a HEALTHCHECK on /healthz);
* ``deploy/Caddyfile`` in front of a real ``jobsai serve`` when the ``caddy`` binary is installed:
  a client cannot choose its rate-limit key with ``X-Forwarded-For``, ``/metrics`` is not served to
  the outside, a request id reaches the app, and a sticky cookie is set.

Images are never built and no container runs here (no daemon): deploy/README.md says so.
"""

from __future__ import annotations

import http.server
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from support.web import CLOSED_PORT_URL, CV_NURSE, free_port

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
ENTRYPOINT = DEPLOY / "entrypoint.sh"


def _entrypoint(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run(["sh", str(ENTRYPOINT), *args], env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def http_server() -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            body = b"jobsai_index_points 3\n" if self.path == "/metrics" else b'{"status": "ok"}'
            self.send_response(200 if self.path != "/broken" else 500)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return None

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_entrypoint_healthcheck(http_server: str) -> None:
    assert _entrypoint("healthcheck", f"{http_server}/healthz").returncode == 0
    assert _entrypoint("healthcheck", f"{http_server}/metrics", "jobsai_index_points").returncode == 0
    missing = _entrypoint("healthcheck", f"{http_server}/metrics", "no_such_series")
    assert missing.returncode == 1 and "no_such_series" in missing.stderr
    assert _entrypoint("healthcheck", f"{http_server}/broken").returncode == 1
    assert _entrypoint("healthcheck", f"{CLOSED_PORT_URL}/healthz").returncode == 1
    port = http_server.rsplit(":", 1)[1]
    env = {**os.environ, "JOBSAI_WEB_PORT": port}
    assert subprocess.run(["sh", str(ENTRYPOINT), "healthcheck"], env=env, timeout=60).returncode == 0


def test_entrypoint_runs_jobsai_commands_and_programs() -> None:
    help_text = _entrypoint("--help")
    assert help_text.returncode == 0 and "serve" in help_text.stdout and "backup" in help_text.stdout
    assert "Start the web app" in _entrypoint("serve", "--help").stdout  # a jobsai command
    program = _entrypoint("python3", "-c", "print('a program of its own')")
    assert program.returncode == 0 and program.stdout.strip() == "a program of its own"


def _compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def test_compose_services_follow_the_readme() -> None:
    services = _compose()["services"]
    assert {"postgres", "qdrant", "redis", "worker", "web1", "web2", "proxy"} <= set(services)
    workers = [n for n, s in services.items() if s.get("command") == ["worker"]]
    webs = [n for n, s in services.items() if s.get("command") == ["serve"]]
    assert workers == ["worker"] and sorted(webs) == ["web1", "web2"]
    proxy_ip = services["proxy"]["networks"]["front"]["ipv4_address"]
    for name in webs:
        env = services[name]["environment"]
        assert env["JOBSAI_SERVE_WORKER"] == "false"  # the jobs run once, in the worker
        assert env["JOBSAI_WEB_TRUSTED_PROXIES"] == proxy_ip  # proxy headers only from the proxy
        assert env["JOBSAI_QDRANT_URL"].startswith("http://qdrant:") and env["JOBSAI_DATABASE_URL"].startswith(
            "postgresql://")
        assert services[name]["volumes"] == services["worker"]["volumes"] == ["jobsai-data:/data"]
        assert "front" in services[name]["networks"] and "ports" not in services[name]
        assert services[name]["depends_on"]["worker"]["condition"] == "service_healthy"
    for store in ("postgres", "qdrant", "redis"):
        assert "ports" not in services[store] and services[store]["networks"] == ["back"]
        assert "healthcheck" in services[store]
    assert services["worker"]["environment"]["JOBSAI_WORKER_METRICS_PORT"] == "9108"
    assert "9108" in " ".join(services["worker"]["healthcheck"]["test"])


def test_docker_compose_config_parses() -> None:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.skip("docker-compose is not installed (apt-get install docker-compose)")
    result = subprocess.run([binary, "-f", str(DEPLOY / "compose.yaml"), "config", "--quiet"],
                            cwd=DEPLOY, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_dockerfile_promises() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r'pip install "torch==2\.13\.0" --index-url "\$\{TORCH_INDEX_URL\}"', text)
    assert "ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu" in text
    assert "pip install -c requirements.lock ." in text
    assert "Embedder.load(Settings())" in text and "JOBSAI_MODEL_CACHE_DIR=/opt/jobsai-models" in text
    final = text[text.rindex("\nFROM "):]
    assert re.search(r"^USER jobsai$", final, re.M) and "useradd --uid 10001" in final
    assert 'HEALTHCHECK' in final and '"jobsai-entrypoint", "healthcheck"' in final
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".git", ".venv", "tests"} <= set(ignored)


# -- Caddy in front of a real server ------------------------------------------------------------


def _wait(url: str, proc: subprocess.Popen[str], ok: object = 200, timeout: float = 120) -> httpx.Response:
    deadline = time.monotonic() + timeout
    last: object = "no answer"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{proc.args[0]} exited: {proc.communicate()[0]}")
        try:
            r = httpx.get(url, timeout=5)
            if r.status_code == ok:
                return r
            last = r.text
        except httpx.HTTPError as exc:
            last = exc
        time.sleep(0.3)
    raise AssertionError(f"{url} never answered {ok}: {last}")


def test_the_caddyfile_in_front_of_a_replica(tmp_path: Path, tiny_model: Path) -> None:
    caddy = shutil.which("caddy")
    if caddy is None:
        pytest.skip("caddy is not installed (apt-get install caddy)")
    app_port, proxy_port = free_port(), free_port()
    env = {**os.environ, "JOBSAI_DATA_DIR": str(tmp_path / "data"), "JOBSAI_MODEL": str(tiny_model),
           "JOBSAI_EMBED_QUANTIZE": "false", "JOBSAI_JOBSTREAM_URL": CLOSED_PORT_URL, "JOBSAI_HTTP_MAX_RETRIES": "0",
           "JOBSAI_WEB_TRUSTED_PROXIES": "127.0.0.1", "JOBSAI_WEB_RATE_LIMIT_PER_MIN": "1",
           "JOBSAI_WEB_RATE_LIMIT_BURST": "2", "JOBSAI_SERVE_WORKER": "false", "JOBSAI_METRICS_TOKEN": "t" * 32}
    env.pop("JOBSAI_DATABASE_URL", None)
    env.pop("JOBSAI_QDRANT_URL", None)
    caddyfile = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
    caddyfile = caddyfile.replace(":80 {", f":{proxy_port} {{").replace(
        "reverse_proxy web1:7860 web2:7860", f"reverse_proxy 127.0.0.1:{app_port}")
    (tmp_path / "Caddyfile").write_text(caddyfile, encoding="utf-8")
    app = subprocess.Popen([sys.executable, "-m", "jobsai.cli.main", "serve", "--port", str(app_port)], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    proxy = subprocess.Popen([caddy, "run", "--config", str(tmp_path / "Caddyfile"), "--adapter", "caddyfile"],
                             env={**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "caddy")},
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        _wait(f"http://127.0.0.1:{app_port}/readyz", app)
        base = f"http://127.0.0.1:{proxy_port}"
        ready = _wait(f"{base}/readyz", proxy)
        assert re.fullmatch(r"[0-9a-f-]{36}", ready.headers["X-Request-ID"])  # Caddy's id reached the app
        assert "jobsai_replica" in ready.headers.get("set-cookie", "")  # sticky: the UI stays on one replica
        assert httpx.get(f"{base}/metrics", headers={"Authorization": "Bearer " + "t" * 32}).status_code == 404
        # a client naming other addresses gets no fresh rate limit: Caddy replaces X-Forwarded-For
        codes = [httpx.post(f"{base}/api/v1/match", json={"text": CV_NURSE, "top_k": 1}, timeout=60,
                            headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code for i in range(3)]
        assert codes == [200, 200, 429]
        assert httpx.get(f"{base}/admin").status_code == 403  # through a proxy: no admin without the token
    finally:
        for proc in (proxy, app):
            proc.send_signal(signal.SIGINT)
        for proc in (proxy, app):
            try:
                proc.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
