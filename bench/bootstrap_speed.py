"""End to end: a bootstrap from an empty data dir to a ready index, the pipeline against the old order.

A snapshot of ``-n`` synthetic ads (``bench/gen_snapshot.py``, varied from the real ads in
``shared/``) is served by the fake JobStream (``tests/fake_jobstream.py``) on loopback. Each mode
runs in a fresh child process with a fresh data dir, one after the other in the same run, so
the ratio is fair on a shared machine even when absolute times are not. Per mode it prints wall
time, live ads/s, peak RSS of the child (``wait4``), CPU use, and seconds per stage.

    python bench/bootstrap_speed.py -n 3000                 # pipeline vs sequential
    python bench/bootstrap_speed.py -n 43000 --modes pipeline

``pipeline``: the shipped ingestor (encoding in its own thread, token-budget batches).
``sequential``: the order before issue 13 (store everything, then embed 64 ads at a time).
Uses the configured model (the built-in multilingual-e5-small unless JOBSAI_MODEL says otherwise).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def child(mode: str, data_dir: Path, url: str) -> None:
    """Runs in the child: one bootstrap, its report as JSON on the last stdout line."""
    from jobsai.config import Settings
    from jobsai.embed.model import Embedder
    from jobsai.index.points import AdPointBuilder
    from jobsai.runtime import Runtime
    from jobsai.sources.jobstream import JobStreamClient
    from jobsai.sync.ingest import Ingestor

    sys.path.insert(0, str(ROOT / "tests"))
    from support.memory import PeakRss, rss_mb

    settings = Settings(data_dir=data_dir, jobstream_url=url, database_url=None, qdrant_url=None,
                        model_cache_dir=data_dir.parent / "models")
    if mode == "prepare":  # convert and export the built-in model once, outside the measured children
        Embedder.load(settings)
        print(json.dumps({"peak_rss_mib": None}))  # wait4's figure: the preparing grandchild's peak
        return
    t0 = time.perf_counter()
    with Runtime(settings) as rt:
        points = AdPointBuilder(rt.embedder, rt.bm25)
        ingestor = Ingestor(settings, rt.db, rt.index, points, pipeline=mode == "pipeline")
        setup = time.perf_counter() - t0
        rt.embedder.encode_passages(["warm-up"])
        encoder = f"{rt.embedder.backend} {rt.embedder.precision}, vectors {rt.embedder.fingerprint.vectors}"
        rss_ready = rss_mb()
        sampler = PeakRss(interval_s=1.0)  # the peak before the index is closed
        with sampler, JobStreamClient(settings) as client:
            report = ingestor.bootstrap(client)
        live = rt.live_count()
        points_n = rt.index.count()
        closing = time.perf_counter()
    close_s = time.perf_counter() - closing  # releasing the model, then the index's optimizer (HNSW)
    print(json.dumps({
        "setup_s": setup, "live": live, "points": points_n, "seconds": {**report.seconds, "close": close_s},
        "counts": report.counts(), "rss_ready_mib": rss_ready, "rss_bootstrap_peak_mib": sampler.peak,
        "peak_rss_mib": rss_mb("VmHWM"), "encoder": encoder,
    }))


def run_mode(mode: str, url: str, work: Path) -> dict:
    data_dir = work / f"data-{mode}"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", mode, str(data_dir), url],
        stdout=subprocess.PIPE, env=env, text=True,
    )
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{mode} child failed with {proc.returncode}")
    result = json.loads(out.strip().splitlines()[-1])
    # The child's own peak is its VmHWM: wait4's ru_maxrss starts from this process's peak (Linux
    # carries the forking process's high-water mark across exec), ~1.8 GB here with 43k ads held.
    # ru_maxrss still counts the child's own children (the model's preparation).
    peak = result.get("peak_rss_mib") or usage.ru_maxrss / 1024
    result.update(mode=mode, wall_s=wall, peak_rss_mb=peak, cpu_s=usage.ru_utime + usage.ru_stime)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--count", type=int, default=3000)
    parser.add_argument("--modes", nargs="+", default=["sequential", "pipeline"],
                        choices=["sequential", "pipeline"])
    parser.add_argument("--child", nargs=3, metavar=("MODE", "DATA_DIR", "URL"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], Path(args.child[1]), args.child[2])
        return 0

    sys.path[:0] = [str(HERE), str(ROOT / "tests")]
    from gen_snapshot import DEFAULT_TEMPLATES, load_templates, synth_ads

    from fake_jobstream import FakeJobStream

    ads = list(synth_ads(args.count, load_templates(DEFAULT_TEMPLATES)))
    print(f"{len(ads)} synthetic ads (~10 KB each); {os.cpu_count()} CPUs; modes run one after the other")
    results = []
    with tempfile.TemporaryDirectory(prefix="jobsai-bootstrap-bench-") as tmp, FakeJobStream(ads=ads) as srv:
        prep = run_mode("prepare", srv.url, Path(tmp))
        print(f"model prepared once (conversion and export, in a child process of its own): "
              f"{prep['wall_s']:.0f} s, peak RSS {prep['peak_rss_mb']:.0f} MiB")
        for mode in args.modes:
            r = run_mode(mode, srv.url, Path(tmp))
            results.append(r)
            job_s = r["seconds"].get("download", 0.0) + r["seconds"].get("run", 0.0)
            print(f"\n{mode} ({r['encoder']}): wall {r['wall_s']:.1f} s (bootstrap {job_s:.1f} s after "
                  f"{r['setup_s']:.1f} s loading the model), {r['live']} live ads, {r['points']} points, "
                  f"{r['live'] / job_s:.1f} live ads/s, peak RSS {r['peak_rss_mb']:.0f} MiB "
                  f"({r['rss_ready_mib']:.0f} MiB with the model loaded, before the bootstrap; "
                  f"{r['rss_bootstrap_peak_mib']:.0f} MiB before closing the index), "
                  f"CPU {100 * r['cpu_s'] / r['wall_s']:.0f} %")
            print("  seconds per stage: " + ", ".join(f"{k} {v:.1f}" for k, v in r["seconds"].items()))
            r["job_s"] = job_s
    if len(results) == 2:
        a, b = results
        print(f"\n{b['mode']} vs {a['mode']}: bootstrap {a['job_s'] / b['job_s']:.2f}x faster, "
              f"peak RSS {b['peak_rss_mb'] / a['peak_rss_mb']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
