"""How fast is the embedded (Qdrant Edge) index at the size JobsAI serves? (~50k live ads)

Builds an index of synthetic points (random unit vectors, which are the worst case for HNSW,
plus BM25 vectors of generated Swedish-like ad text and random taxonomy payloads), then
reports load time, HNSW build time, reopen time, and latency and recall@limit of dense,
filtered and hybrid queries against exact numpy ground truth.

    python bench/index_speed.py                 # 50,000 points, 384-d, limit 100
    python bench/index_speed.py --n 5000 --queries 50
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from jobsai.embed.fingerprint import ModelFingerprint
from jobsai.index.base import BODY_VECTOR, TITLE_VECTOR, AdPayload, Hit, IndexPoint, SearchFilter
from jobsai.index.bm25 import Bm25Encoder
from jobsai.index.qdrant_edge import EdgeIndex

_WORDS = (
    "sjuksköterska undersköterska läkare lärare förskollärare utvecklare programmerare systemutvecklare "
    "ekonom redovisning lön kundtjänst säljare butik lager truck chaufför lastbil bygg snickare "
    "elektriker rörmokare svetsare montör produktion operatör kock restaurang städ lokalvård "
    "projektledare ingenjör konstruktör mekaniker fordon personlig assistent omsorg vård äldreboende "
    "hemtjänst skola gymnasium matematik svenska engelska java python sql molnet data analys "
    "erfarenhet utbildning körkort heltid deltid tillsvidare visstid provanställning kollektivavtal "
    "ansvar samarbete kommunikation service kvalitet säkerhet miljö kund team arbetsplats region "
    "kommun stockholm göteborg malmö uppsala linköping örebro västerås umeå luleå sundsvall"
)
_STOP = "och att det som en på är av för med till den har de inte om ett vi du ni"
WORDS = _WORDS.split()
STOP = _STOP.split()


@dataclass
class Timing:
    name: str
    ms: list[float]
    recall: float | None

    def line(self) -> str:
        q = statistics.quantiles(self.ms, n=100)
        rec = f"  recall@limit {self.recall:.3f}" if self.recall is not None else ""
        return f"{self.name:<34} p50 {q[49]:7.2f} ms  p95 {q[94]:7.2f} ms{rec}"


def unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float32)


class OccupationSpace:
    """Vectors that cluster like ad embeddings do: a shared direction (embeddings are
    anisotropic), then occupation field, group and occupation, then per-ad noise."""

    def __init__(self, rng: np.random.Generator, dim: int) -> None:
        self.common = unit(rng.standard_normal(dim))
        self.field = unit(rng.standard_normal((20, dim)))
        self.group = unit(rng.standard_normal((100, dim)))
        self.occ = unit(rng.standard_normal((400, dim)))
        self.dim = dim

    def sample(self, rng: np.random.Generator, occupations: np.ndarray) -> np.ndarray:
        noise = unit(rng.standard_normal((len(occupations), self.dim)))
        x = (
            self.common
            + 0.7 * self.field[occupations % 20]
            + 0.6 * self.group[occupations % 100]
            + 0.6 * self.occ[occupations]
            + 0.8 * noise
        )
        return unit(x)


def synthetic_words(rng: np.random.Generator, n_extra: int = 20_000) -> list[str]:
    """Real job words plus pseudo-Swedish words, drawn with a Zipf-like frequency."""
    syll = ["an", "ber", "da", "ek", "for", "ga", "hem", "is", "jo", "kra", "lo", "mu", "ny", "or", "pe"]
    syll += ["ra", "sa", "tu", "ul", "ve", "yr", "ål", "är", "ös", "ning", "het", "are", "else", "skap"]
    extra = {"".join(rng.choice(syll, size=rng.integers(2, 5))) for _ in range(n_extra)}
    return WORDS + sorted(extra)


def make_texts(rng: np.random.Generator, n: int, vocab: list[str]) -> list[str]:
    ranks = np.arange(1, len(vocab) + 1, dtype=np.float64)
    p = 1.0 / ranks**1.05
    p /= p.sum()
    lengths = rng.integers(120, 420, size=n)
    vocab_arr = np.array(vocab + STOP)
    p_all = np.concatenate([p * 0.6, np.full(len(STOP), 0.4 / len(STOP))])
    words = vocab_arr[rng.choice(len(vocab_arr), size=int(lengths.sum()), p=p_all)].tolist()
    ends = np.cumsum(lengths).tolist()
    return [" ".join(words[end - length : end]) for end, length in zip(ends, lengths.tolist(), strict=True)]


def make_payloads(rng: np.random.Generator, n: int, t_end: int) -> list[AdPayload]:
    mun = rng.integers(0, 290, n)
    occ = rng.integers(0, 400, n)
    emp = rng.integers(0, 5, n)
    hours = rng.integers(0, 3, n)
    ts = t_end - rng.integers(0, 60 * 86400, n)
    return [
        AdPayload(
            ad_id=f"ad-{i}",
            municipality=f"mun-{mun[i]}",
            region=f"reg-{mun[i] % 21}",
            country="sv",
            occupation=f"occ-{occ[i]}",
            occupation_group=f"grp-{occ[i] % 100}",
            occupation_field=f"fld-{occ[i] % 20}",
            employment_type=f"emp-{emp[i]}",
            working_hours_type=f"hrs-{hours[i]}",
            published_ts=int(ts[i]),
        )
        for i in range(n)
    ]


def timed(
    name: str, queries: int, run: Callable[[int], list[Hit]], truth: Callable[[int], set[str]] | None
) -> Timing:
    ms: list[float] = []
    recalls: list[float] = []
    for q in range(queries):
        t = time.perf_counter()
        hits = run(q)
        ms.append((time.perf_counter() - t) * 1000)
        if truth is not None:
            want = truth(q)
            if want:
                recalls.append(len(want & {h.ad_id for h in hits}) / len(want))
    return Timing(name, ms, statistics.mean(recalls) if recalls else None)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=50_000)
    ap.add_argument("--dim", type=int, default=384)
    ap.add_argument("--limit", type=int, default=100)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--dir", type=Path, default=None, help="index directory (default: a temp dir)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--reuse", action="store_true", help="keep an index already built in --dir")
    ap.add_argument(
        "--vectors",
        choices=("random", "taxonomy"),
        default="random",
        help="random unit vectors (worst case) or vectors clustered by occupation (closer to real)",
    )
    args = ap.parse_args()

    rng = np.random.default_rng(args.seed)
    workdir = args.dir or Path(tempfile.mkdtemp(prefix="jobsai-bench-"))
    path = workdir / "ads"
    if not args.reuse:
        shutil.rmtree(path, ignore_errors=True)
    fp = ModelFingerprint(name=f"bench-{args.vectors}", weights_sha256="0" * 64, dim=args.dim)
    n, limit = args.n, args.limit
    t_end = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
    print(
        f"{n:,} points, {args.vectors} {args.dim}-d vectors, limit {limit}, "
        f"{args.queries} queries per kind, dir {path}"
    )

    t = time.perf_counter()
    payloads = make_payloads(rng, n, t_end)
    if args.vectors == "random":
        vecs = unit(rng.standard_normal((n, args.dim), dtype=np.float32))
        qvecs = unit(rng.standard_normal((args.queries, 3, args.dim), dtype=np.float32))
    else:
        space = OccupationSpace(rng, args.dim)
        vecs = space.sample(rng, np.array([int(p.occupation[4:]) for p in payloads]))
        qocc = rng.integers(0, 400, args.queries * 3)
        qvecs = space.sample(rng, qocc).reshape(args.queries, 3, args.dim)
    vocab = synthetic_words(rng)
    texts = make_texts(rng, n, vocab)
    print(f"generate data                      {time.perf_counter() - t:7.1f} s")

    encoder = Bm25Encoder()
    t = time.perf_counter()
    sparse = encoder.embed_documents(texts)
    print(f"BM25 encode documents              {time.perf_counter() - t:7.1f} s")
    points = [IndexPoint(
            payload=payloads[i], dense={TITLE_VECTOR: vecs[i], BODY_VECTOR: vecs[i]}, sparse=sparse[i]
        ) for i in range(n)]

    index = EdgeIndex.open(path, fp, encoder=encoder)
    if index.count() != n:  # --reuse finds the same data (same seed) already built
        t = time.perf_counter()
        for start in range(0, n, 1000):
            index.upsert(points[start : start + 1000])
        index.flush()
        print(f"load (upsert + flush)              {time.perf_counter() - t:7.1f} s")
        t = time.perf_counter()
        index.optimize()
        print(f"HNSW build (optimize)              {time.perf_counter() - t:7.1f} s")
    t = time.perf_counter()
    index.close(optimize=False)
    index = EdgeIndex.open(path, fp, create=False, encoder=encoder)
    print(f"close + reopen                     {time.perf_counter() - t:7.2f} s   count {index.count():,}")

    qrng = np.random.default_rng(args.seed + 1)
    qtexts = [
        " ".join(qrng.choice(texts[int(qrng.integers(n))].split(), size=12)) for _ in range(args.queries)
    ]
    qsparse = [encoder.embed_query(t) for t in qtexts]
    ts_arr = np.array([p.published_ts for p in payloads])
    region = np.array([p.region for p in payloads])
    field = np.array([p.occupation_field for p in payloads])
    ids = np.array([p.ad_id for p in payloads])

    def exact(q: np.ndarray, mask: np.ndarray | None = None) -> set[str]:
        scores = vecs @ q
        if mask is not None:
            scores = np.where(mask, scores, -np.inf)
        k = min(limit, int(mask.sum()) if mask is not None else n)
        top = np.argpartition(-scores, k - 1)[:k]
        return set(ids[top].tolist())

    def filters(q: int) -> tuple[SearchFilter, np.ndarray]:
        reg = f"reg-{q % 21}"
        fld = f"fld-{q % 20}"
        if q % 3 == 0:  # ~1/21 of the ads: answered from the payload index
            return SearchFilter(regions=(reg,)), region == reg
        if q % 3 == 1:  # ~1/420: a narrow combination
            return SearchFilter(regions=(reg,), occupation_fields=(fld,)), (region == reg) & (field == fld)
        since = t_end - 30 * 86400  # ~20%: filtered HNSW
        after = datetime.fromtimestamp(since, tz=UTC)
        return SearchFilter(published_after=after, employment_types=("emp-1", "emp-2")), (
            ts_arr >= since
        ) & np.isin(np.array([p.employment_type for p in payloads]), ["emp-1", "emp-2"])

    flts = [filters(q) for q in range(args.queries)]

    def suite() -> list[Timing]:
        results = [
            timed(
                "dense",
                args.queries,
                lambda q: index.search_dense(qvecs[q, 0], limit),
                lambda q: exact(qvecs[q, 0]),
            ),
            timed(
                "filtered dense (mixed selectivity)",
                args.queries,
                lambda q: index.search_dense(qvecs[q, 0], limit, flts[q][0]),
                lambda q: exact(qvecs[q, 0], flts[q][1]),
            ),
        ]
        for kind, label in (
            (0, "  region (~5%)"),
            (1, "  region+field (~0.2%)"),
            (2, "  date+type (~20%, ACORN)"),
        ):
            sub = [q for q in range(args.queries) if q % 3 == kind]
            results.append(
                timed(
                    label,
                    len(sub),
                    lambda i, sub=sub: index.search_dense(qvecs[sub[i], 0], limit, flts[sub[i]][0]),
                    lambda i, sub=sub: exact(qvecs[sub[i], 0], flts[sub[i]][1]),
                )
            )
        lean = index.tuning
        sub = [q for q in range(args.queries) if q % 3 == 2]
        for label, tuning in (
            ("  date+type, exact filtered scan", replace(lean, exact_filtered=True)),
            ("  date+type, plain HNSW (no ACORN)", replace(lean, exact_filtered=False, acorn=False)),
        ):
            index.tuning = tuning
            results.append(
                timed(
                    label,
                    len(sub),
                    lambda i: index.search_dense(qvecs[sub[i], 0], limit, flts[sub[i]][0]),
                    lambda i: exact(qvecs[sub[i], 0], flts[sub[i]][1]),
                )
            )
        index.tuning = replace(lean, exact=True)
        results.append(
            timed(
                "dense, exact scan (reference)",
                args.queries,
                lambda q: index.search_dense(qvecs[q, 0], limit),
                None,
            )
        )
        index.tuning = lean
        results += [
            timed("sparse (BM25)", args.queries, lambda q: index.search_sparse(qsparse[q], limit), None),
            timed(
                "hybrid (3 dense + BM25, RRF)",
                args.queries,
                lambda q: index.search_hybrid([(TITLE_VECTOR, v) for v in qvecs[q]], qsparse[q], limit),
                None,
            ),
            timed(
                "hybrid, filtered",
                args.queries,
                lambda q: index.search_hybrid([(TITLE_VECTOR, v) for v in qvecs[q]], qsparse[q], limit, flts[q][0]),
                None,
            ),
        ]
        return results

    suite()  # first pass only warms the page cache (vectors, graph, payload are memory-mapped)
    results = suite()
    for r in results:
        print(r.line())
    index.close(optimize=False)
    if args.dir is None:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
