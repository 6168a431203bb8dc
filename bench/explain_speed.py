"""How long do explanations take, and what do the all-ads term statistics cost to build?

Why: every shown result is explained (skills found in the ad's text, shared words filtered by
rarity among all live ads), and a page shows up to 100 results; explaining must stay a small
part of a match. The statistics are built once over every live ad (seconds at 45,000 ads) and
rebuilt in the background; this measures that build too, on a synthetic corpus of realistic size.

Measured:

* ``explain`` of 100 ads for three invented CVs (Swedish nurse, warehouse worker, English
  developer): *cold* (a fresh explainer: no ad seen before, statistics already built) and
  *warm* (the same ads again: their analysis is cached), best of ``--rounds``;
* with ``--baseline FILE``, the same for another version of ``jobsai/match/explain.py``
  (e.g. ``git show HEAD~1:src/jobsai/match/explain.py > /tmp/old_explain.py``), so before and
  after run in one process on the same ads;
* the statistics build over ``--corpus`` synthetic ads (sentences of the 91 real reference ads
  and the demo ads recombined, plus rare invented words so the vocabulary grows like a real
  snapshot's), its key count and the memory it holds, as shipped (a spread sample of at most
  ``MAX_STATS_ADS``) and counting every ad; with ``--store``, the same ads written to a
  temporary SQLite store and read back through ``StoreCorpus`` (SQL + JSON included).

    python bench/explain_speed.py
    python bench/explain_speed.py --baseline /tmp/old_explain.py --corpus 45000 --store
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import random
import re
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from jobsai.index.bm25 import Bm25Encoder
from jobsai.match import corpus as corpus_module
from jobsai.match.corpus import StaticCorpus, StoreCorpus
from jobsai.match.explain import Explainer
from jobsai.sources.ads import Ad, parse_item
from jobsai.sources.demo import iter_demo_items

REAL_ADS = Path(__file__).resolve().parents[2] / "shared" / "data" / "jobtech" / "ads.jsonl"

CVS = {
    "sv-nurse": """Maria Exempel
Undersköterska
Undersköterska med sju års erfarenhet av hemtjänst och äldreboende. Jag hanterar dagligen
läkemedelsöverlämning, omvårdnad och dokumentation i journalsystem. Jag har arbetat med demensvård,
palliativ vård och basal hygien, och har delegering för insulin. Ansvarsfull, driven och tekniskt
kunnig, jag trivs med att arbeta i team. Körkort B. Varje dag planerar jag insatser tillsammans med
sjuksköterska och arbetsterapeut. Utbildning: Vård- och omsorgsprogrammet. Kontaktman för brukare,
genomförandeplaner och social dokumentation.""",
    "sv-warehouse": """Ahmed Exempel
Lagerarbetare och truckförare
Lagerarbetare med truckkort A och B och fem års erfarenhet av plock, pack, inleverans och utleverans.
Jag har kört motviktstruck, skjutstativtruck och ledstaplare, och arbetat i WMS och SAP. Jag hanterar
godsmottagning, inventering och lastning av lastbilar. Noggrann, ansvarsfull och driven.
Har B-körkort och C-körkort. Erfarenhet av ordningsamhet och 5S, säkerhetsarbete och heta arbeten.
Jag har också arbetat som chaufför med distribution i Stockholm.""",
    "en-developer": """Alex Example
Software developer
I am a passionate and motivated software developer looking for a new challenge. I contribute to
backend services utilizing Python, SQL and PostgreSQL, and I have worked daily with Docker, Kubernetes,
AWS and Git for 36 months. Full-time experience building REST APIs with Django and FastAPI, writing
unit tests, CI/CD pipelines and agile Scrum teams. I also know JavaScript, React and TypeScript.
Responsible for data pipelines, Linux servers and monitoring. Excellent communication skills in English
and Swedish. Education: BSc Computer Science, Chalmers. Looking forward to contributing to your team.""",
}


def load_ads() -> list[Ad]:
    """The 91 real reference ads (when ``../shared`` is there) first, then the demo ads."""
    items: list[Any] = []
    if REAL_ADS.exists():  # split on "\n" only: ad texts hold U+2028, which splitlines() would cut at
        items += [json.loads(line) for line in REAL_ADS.read_text(encoding="utf-8").split("\n") if line.strip()]
    items += list(iter_demo_items())
    ads = [parse_item(i) for i in items]
    return [a for a in ads if isinstance(a, Ad)]


def synthetic_items(ads: Sequence[Ad], n: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    """``n`` raw ads whose texts recombine the real ones' sentences, each with a few rare invented words."""
    rng = random.Random(seed)
    sentences = [s for a in ads for s in re.split(r"(?<=[.!?])\s+", a.description) if len(s.split()) >= 4]
    letters = "abcdefghijklmnoprstuvyåäö"
    rare = ["".join(rng.choice(letters) for _ in range(rng.randint(7, 14))) for _ in range(max(1000, n * 6))]
    for i in range(n):
        base = ads[i % len(ads)]
        raw = dict(base.raw)
        text = " ".join(rng.sample(sentences, 22)) + " " + " ".join(rng.sample(rare, 8))
        raw["id"] = str(80_000_000 + i)
        raw["description"] = {**(raw.get("description") or {}), "text": text}
        yield raw


def timed_explain(explainer: Any, cv: str, ads: Sequence[Ad], rounds: int) -> tuple[float, float, float]:
    """(cold, ads not cached, repeated), CPU ms of this process: a fresh explainer; the same ads again
    with the per-ad cache emptied (word caches warm: a server seeing new ads); the same ads again.

    CPU time, not wall time: on a shared two-core machine other processes' load doubles wall times
    from one run to the next, while the CPU a call uses stays put."""
    passages = [""] * len(ads)
    clock = time.process_time
    started = clock()
    explainer.explain(cv, ads, passages)
    cold = clock() - started
    fresh, warm = [], []
    for _ in range(rounds):
        if hasattr(explainer, "_ads"):
            explainer._ads.clear()
        started = clock()
        explainer.explain(cv, ads, passages)
        fresh.append(clock() - started)
        started = clock()
        explainer.explain(cv, ads, passages)
        warm.append(clock() - started)
    return cold * 1000, min(fresh) * 1000, min(warm) * 1000


def load_module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("baseline_explain", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", type=int, default=100, help="ads explained per call")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--baseline", type=Path, help="another explain.py to time on the same ads")
    parser.add_argument("--corpus", type=int, default=45_000, help="synthetic ads for the statistics build")
    parser.add_argument("--store", action="store_true", help="also build the statistics from a SQLite store")
    args = parser.parse_args()

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"cpus={os.cpu_count()} load={load:.2f}")
    ads = load_ads()
    shown = ads[: args.results]
    bm25 = Bm25Encoder()
    texts = [f"{a.headline}\n{a.description}" for a in ads]

    print(f"\nexplain {len(shown)} ads (statistics over {len(ads)} ads), CPU ms, best of {args.rounds}: "
          "cold (new explainer) / new ads (word caches warm) / repeated", flush=True)
    versions: list[tuple[str, Any]] = []
    if args.baseline:
        versions.append(("baseline", load_module(args.baseline)))
    versions.append(("current", None))
    for label, module in versions:
        for name, cv in CVS.items():
            if module is None:
                explainer: Any = Explainer(bm25, StaticCorpus(texts), background_refresh=False)
                explainer.stats.warm()
            else:
                explainer = module.Explainer(bm25)
            cold, fresh, warm = timed_explain(explainer, cv, shown, args.rounds)
            print(f"  {label:9s} {name:13s} {cold:7.1f} / {fresh:6.1f} / {warm:6.1f}", flush=True)

    if args.corpus:
        print(f"\nterm statistics over {args.corpus} synthetic ads")
        corpus_texts = [f"{i['headline']}\n{i['description']['text']}" for i in synthetic_items(ads, args.corpus)]
        shipped = corpus_module.MAX_STATS_ADS
        for label, cap in (("as shipped", shipped), ("every ad", 10**9)):
            corpus_module.MAX_STATS_ADS = cap
            explainer = Explainer(bm25, StaticCorpus(corpus_texts), background_refresh=False)
            gc.collect()
            started, cpu = time.perf_counter(), time.process_time()
            stats = explainer.stats.warm()
            took, cpu = time.perf_counter() - started, time.process_time() - cpu
            held = sys.getsizeof(stats.df) + sum(sys.getsizeof(k) + sys.getsizeof(v) for k, v in stats.df.items())
            print(f"  {label:10s} (texts in memory): {stats.n_docs} of {stats.n_live} ads counted in "
                  f"{took:.2f} s wall, {cpu:.2f} s CPU; {len(stats.df)} keys kept, ~{held / 2**20:.0f} MiB", flush=True)
        corpus_module.MAX_STATS_ADS = shipped
        if args.store:
            store_build(ads, args.corpus, bm25)


def store_build(ads: Sequence[Ad], n: int, bm25: Bm25Encoder) -> None:
    from jobsai.config import Settings
    from jobsai.store import ads as ads_repo
    from jobsai.store.db import Database

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), database_url=None, qdrant_url=None)
        settings.ensure_dirs()
        db = Database.from_settings(settings)
        db.migrate()
        started = time.perf_counter()
        batch: list[Ad] = []
        for raw in synthetic_items(ads, n):
            item = parse_item(raw)
            assert isinstance(item, Ad)
            batch.append(item)
            if len(batch) == 1000:
                with db.begin() as conn:
                    ads_repo.upsert_ads(conn, batch)
                batch = []
        if batch:
            with db.begin() as conn:
                ads_repo.upsert_ads(conn, batch)
        print(f"  (store written in {time.perf_counter() - started:.0f} s)")
        corpus = StoreCorpus(db)
        started = time.perf_counter()
        count = corpus.count()
        counted = time.perf_counter() - started
        started = time.perf_counter()
        for _ in corpus.texts():
            pass
        read_s = time.perf_counter() - started
        explainer = Explainer(bm25, corpus, background_refresh=False)
        started, cpu = time.perf_counter(), time.process_time()
        stats = explainer.stats.warm()
        print(f"  from the store: count {counted * 1000:.0f} ms ({count} live); reading every ad's text alone "
              f"{read_s:.2f} s; as shipped, read + count {time.perf_counter() - started:.2f} s wall, "
              f"{time.process_time() - cpu:.2f} s CPU ({stats.n_docs} ads counted, {len(stats.df)} keys)")
        db.dispose()


if __name__ == "__main__":
    sys.exit(main())
