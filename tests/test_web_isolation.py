"""Two people at once: each gets their own results, and each one's feedback stores only their own CV.

The original app kept one process-wide "current CV", so a feedback click could store another
user's CV. Here two clients hit a real uvicorn server from two threads at the same moment,
several rounds each, and the database is checked afterwards.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest

from jobsai.runtime import Runtime
from jobsai.store import feedback as feedback_repo
from jobsai.web.app import create_app

from support.web import CV_NURSE, CV_WAREHOUSE, PII, serve_in_thread

pytest_plugins = ["web_fixtures"]

ROUNDS = 4
TOP_K = 60


@pytest.fixture(scope="module")
def server(web_runtime: Runtime) -> Iterator[str]:
    settings = web_runtime.settings.model_copy(update={"web_rate_limit_per_min": 100_000.0,
                                                       "web_rate_limit_burst": 1000})
    with serve_in_thread(create_app(settings, runtime=web_runtime)) as base:
        yield base


def _match(client: httpx.Client, text: str) -> dict:
    r = client.post("/api/v1/match", json={"text": text, "top_k": TOP_K})
    assert r.status_code == 200, r.text
    return r.json()


def test_concurrent_clients_get_their_own_results_and_store_their_own_cv(
    server: str, web_runtime: Runtime
) -> None:
    with httpx.Client(base_url=server, timeout=60) as c:
        expected = {name: [r["id"] for r in _match(c, cv)["results"]]
                    for name, cv in (("nurse", CV_NURSE), ("warehouse", CV_WAREHOUSE))}
    assert expected["nurse"] != expected["warehouse"]
    shared = [i for i in expected["nurse"] if i in expected["warehouse"]]
    assert shared, "both result lists should share at least one ad, to check that feedback rows do not collapse"
    common_ad = shared[0]

    start = threading.Barrier(2)
    sessions: dict[str, list[str]] = {"nurse": [], "warehouse": []}
    failures: list[str] = []

    def person(name: str, cv: str) -> None:
        try:
            with httpx.Client(base_url=server, timeout=60) as client:
                start.wait(timeout=30)
                for round_no in range(ROUNDS):
                    body = _match(client, cv)
                    got = [r["id"] for r in body["results"]]
                    if got != expected[name]:
                        failures.append(f"{name} round {round_no}: got another result list")
                    own = body["results"][round_no]["id"]
                    for ad_id in dict.fromkeys((own, common_ad)):
                        r = client.post("/api/v1/feedback", json={
                            "session_id": body["session_id"], "ad_id": ad_id, "label": "relevant", "consent": True,
                        })
                        if r.status_code != 200:
                            failures.append(f"{name}: feedback {r.status_code} {r.text}")
                    sessions[name].append(body["session_id"])
        except Exception as exc:  # surface thread errors in the test
            failures.append(f"{name}: {exc!r}")

    threads = [threading.Thread(target=person, args=("nurse", CV_NURSE)),
               threading.Thread(target=person, args=("warehouse", CV_WAREHOUSE))]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=300)
    assert not failures, failures
    assert all(len(v) == ROUNDS for v in sessions.values())
    assert not set(sessions["nurse"]) & set(sessions["warehouse"])

    markers = {"nurse": "Solgläntans äldreboende", "warehouse": "tredjepartslager"}
    with web_runtime.db.begin(readonly=True) as conn:
        for name, session_ids in sessions.items():
            other = "warehouse" if name == "nurse" else "nurse"
            for sid in session_ids:
                rows = feedback_repo.get_feedback(conn, session_id=sid)
                assert rows and {r.ad_id for r in rows} >= {common_ad}
                for row in rows:
                    cv = row.cv_text_redacted or ""
                    assert markers[name] in cv and markers[other] not in cv
                    assert not any(secret in cv for secret in PII[name])
        # the ad both people judged has a row per session: nothing collapsed into one
        common_rows = feedback_repo.get_feedback(conn, ad_id=common_ad)
        mine = set(sessions["nurse"]) | set(sessions["warehouse"])
        assert len([r for r in common_rows if r.session_id in mine]) == 2 * ROUNDS
