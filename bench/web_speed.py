"""How fast is the web API for a job seeker, alone and under load?

Two measurements against ``POST /api/v1/match`` on loopback, with the index that the
settings (``JOBSAI_*``) point at:

1. **Upload to results**: one client uploads a two-page PDF CV (multipart) and waits for the
   ranked, explained and rendered results; repeated sequentially, reporting p50/p95/max.
   Target: p95 ≤ 1.5 s against 50,000 ads on 2 cores.
2. **Bounded load run**: N concurrent clients (default 20) upload CVs for D seconds (default
   60). Reports throughput, p50/p95 of successful requests and every status seen. A 429 is
   the rate limiter working as intended (clients honour ``Retry-After``); anything else —
   5xx, timeouts, connection errors — counts as an error.

By default the bench starts the server itself in a subprocess (``uvicorn --factory
jobsai.web.app:create_app``; the embedded index allows one process, so stop any running
``jobsai serve`` first), or give ``--url`` of a running one. All clients come from
127.0.0.1, i.e. one client IP, so with the default limits most of the load run is 429s;
``--no-rate-limit`` lifts the limits in the started server to measure capacity.

    python bench/web_speed.py                          # 30 uploads, then 20 clients x 60 s
    python bench/web_speed.py --no-rate-limit --json-out /tmp/web.json
    python bench/web_speed.py --url http://127.0.0.1:7860 --clients 20 --duration 60
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from support.cv_files import PAGE_BREAK, make_cv_pdf  # noqa: E402 - test helpers double as bench fixtures

CVS = (
    """Maria Exempelsson
Undersköterska – äldreomsorg och hemsjukvård
Exempelstad | 070-174 06 60 | maria.exempelsson@example.com

PROFIL
Utbildad undersköterska med sju års erfarenhet från särskilt boende och hemtjänst. Jag trivs med att
arbeta nära människor, har god vana av dokumentation och delegerade hälso- och sjukvårdsuppgifter.

ERFARENHET
2020 – nu   Undersköterska, Solgläntans äldreboende: omvårdnad och personlig hygien för boende med
demenssjukdom, läkemedelsöverlämning, insulin och såromläggning, kontaktman för sex boende,
dokumentation i Treserva och avvikelserapportering, handledning av elever.
2017 – 2020 Vårdbiträde, hemtjänsten Norra distriktet: hygien, måltider, inköp, städning, nattpatrull.
""" + PAGE_BREAK + """UTBILDNING
2015 – 2017 Vård- och omsorgsprogrammet (undersköterska). 2022 Demens ABC plus. 2023 HLR.

ÖVRIGT
B-körkort. Svenska (modersmål), engelska (god). Van vid TES, Treserva och Microsoft 365.
Lugn i pressade situationer, tycker om att arbeta i team och att skapa trygghet.
""",
    """Erik Provsson
Backend developer – Python, PostgreSQL, Kubernetes
Göteborg | erik@example.org | +46 70 123 45 67

PROFILE
Backend developer with eight years of experience building APIs and data pipelines in Python
(FastAPI, Django), PostgreSQL and Kafka, deployed on Kubernetes in AWS and Azure.

EXPERIENCE
2019 – now  Senior backend developer, Exempel Tech AB: payment APIs, event streaming, observability
with Prometheus and Grafana, mentoring, code review, CI/CD with GitHub Actions.
2016 – 2019 Developer, Konsult AB: integrations, REST services, SQL performance tuning.
""" + PAGE_BREAK + """EDUCATION
M.Sc. Computer Science, Chalmers, 2016.

SKILLS
Python, Go, SQL, PostgreSQL, Kafka, Docker, Kubernetes, Terraform, AWS, Linux, agile teams.
Swedish (native), English (fluent).
""",
)


@dataclass
class Sample:
    seconds: float
    status: int | str


@dataclass
class LoadResult:
    samples: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)


def quantile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q * 100) - 1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(no_rate_limit: bool, timeout_s: float) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = dict(os.environ)
    if no_rate_limit:
        env.update({"JOBSAI_WEB_RATE_LIMIT_PER_MIN": "1000000", "JOBSAI_WEB_RATE_LIMIT_BURST": "100000"})
    cmd = [sys.executable, "-m", "uvicorn", "--factory", "jobsai.web.app:create_app",
           "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--timeout-keep-alive", "30"]
    proc = subprocess.Popen(cmd, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode} during start-up")
        try:
            r = httpx.get(base + "/readyz", timeout=5)
            if r.status_code == 200:
                return proc, base
            state = r.json()
            if state.get("stage") == "failed" or (state.get("stage") == "ready" and not state.get("ads")):
                proc.terminate()
                raise SystemExit(f"the server cannot serve matches: {state.get('message')}")
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.terminate()
    raise SystemExit("the server did not get ready in time")


def unique_cv(text: str, n: int) -> str:
    """``text`` made a CV of its own: one more line, so its text (and its vectors) differ."""
    return f"{text}\nÖvrigt: referenser lämnas på begäran (ansökan nr {n + 1}, {1975 + n % 40})."


def upload(client: httpx.Client, pdf: bytes, top_k: int) -> httpx.Response:
    return client.post(
        "/api/v1/match", files={"file": ("cv.pdf", pdf, "application/pdf")}, data={"top_k": str(top_k)}
    )


def sequential(base: str, pdfs: list[bytes], runs: int, top_k: int) -> dict[str, Any]:
    """Upload-to-results latency, one request at a time (after one warm-up request).

    A 429 (when the server's rate limit is on) is waited out as ``Retry-After`` says and
    not counted: this figure is about the matcher, the load run is about the limiter.
    """
    times: list[float] = []
    statuses: Counter[str] = Counter()
    with httpx.Client(base_url=base, timeout=120) as client:
        upload(client, pdfs[-1], top_k)  # warm-up: first-touch caches in the server
        i = 0
        while len(times) < runs and i < runs * 10:
            start = time.perf_counter()
            r = upload(client, pdfs[i % len(pdfs)], top_k)
            elapsed = time.perf_counter() - start
            statuses[str(r.status_code)] += 1
            i += 1
            if r.status_code == 200:
                times.append(elapsed)
                assert len(r.json()["results"]) > 0
            elif r.status_code == 429:  # the limiter, not the matcher: wait as told and measure again
                time.sleep(float(r.headers.get("Retry-After", "1")))
    return {
        "runs": runs, "ok": len(times), "statuses": dict(statuses),
        "p50_s": quantile(times, 0.50), "p95_s": quantile(times, 0.95), "max_s": max(times, default=float("nan")),
    }


def load(base: str, pdfs: list[bytes], clients: int, duration: float, top_k: int) -> dict[str, Any]:
    """N clients for ``duration`` seconds, each sending its next request as soon as the last returns."""
    result = LoadResult()
    start_gate = threading.Barrier(clients)
    stop_at: list[float] = []

    def client_loop(n: int) -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            start_gate.wait()
            if not stop_at:
                stop_at.append(time.monotonic() + duration)
            i = n
            while time.monotonic() < stop_at[0]:
                t0 = time.perf_counter()
                try:
                    r = upload(client, pdfs[i % len(pdfs)], top_k)
                    status: int | str = r.status_code
                except httpx.HTTPError as exc:
                    r, status = None, type(exc).__name__
                result.add(Sample(time.perf_counter() - t0, status))
                if r is not None and r.status_code == 429:
                    wait = float(r.headers.get("Retry-After", "1"))
                    time.sleep(max(0.0, min(wait, stop_at[0] - time.monotonic())))
                i += 1

    threads = [threading.Thread(target=client_loop, args=(n,)) for n in range(clients)]
    began = time.monotonic()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.monotonic() - began
    ok = [s.seconds for s in result.samples if s.status == 200]
    statuses = Counter(str(s.status) for s in result.samples)
    errors = sum(n for status, n in statuses.items() if status not in ("200", "429"))
    return {
        "clients": clients, "duration_s": round(wall, 1), "requests": len(result.samples), "ok": len(ok),
        "rate_limited_429": statuses.get("429", 0), "errors": errors, "statuses": dict(statuses),
        "throughput_ok_per_s": len(ok) / wall if wall else 0.0,
        "p50_s": quantile(ok, 0.50), "p95_s": quantile(ok, 0.95), "max_s": max(ok, default=float("nan")),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running server (default: start one in a subprocess)")
    parser.add_argument("--runs", type=int, default=30, help="sequential uploads for the latency figure")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of the load run (0: skip it)")
    parser.add_argument("--top-k", type=int, default=10)
    parser.add_argument("--no-rate-limit", action="store_true", help="lift the limits in the started server")
    parser.add_argument("--start-timeout", type=float, default=1800.0)
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        # One distinct CV per upload: the server keeps the vectors of CVs it has seen (a person who
        # re-uploads gets them at once), so repeating a few CVs would time that cache, not a match.
        pdfs = [make_cv_pdf(unique_cv(CVS[i % len(CVS)], i), Path(tmp) / f"cv{i}.pdf").read_bytes()
                for i in range(max(args.runs * 3, len(CVS)))]
    proc = None
    base = args.url
    if base is None:
        proc, base = start_server(args.no_rate_limit, args.start_timeout)
    try:
        ready = httpx.get(base + "/readyz", timeout=10).json()
        print(f"server {base}: {ready.get('ads')} ads, model {ready.get('model')}, {os.cpu_count()} CPUs")
        seq = sequential(base, pdfs, args.runs, args.top_k)
        print(f"upload 2-page PDF -> results (top {args.top_k}), {seq['ok']}/{seq['runs']} ok: "
              f"p50 {seq['p50_s']:.3f} s  p95 {seq['p95_s']:.3f} s  max {seq['max_s']:.3f} s  {seq['statuses']}")
        out: dict[str, Any] = {"ads": ready.get("ads"), "model": ready.get("model"), "upload": seq}
        if args.duration > 0:
            ld = load(base, pdfs, args.clients, args.duration, args.top_k)
            print(f"load: {ld['clients']} clients x {ld['duration_s']} s: {ld['requests']} requests, "
                  f"{ld['ok']} ok ({ld['throughput_ok_per_s']:.2f}/s), {ld['rate_limited_429']} rate-limited (429), "
                  f"{ld['errors']} errors; ok latency p50 {ld['p50_s']:.3f} s  p95 {ld['p95_s']:.3f} s  "
                  f"max {ld['max_s']:.3f} s  {ld['statuses']}")
            out["load"] = ld
        if args.json_out:
            args.json_out.write_text(json.dumps(out, indent=2))
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    main()
