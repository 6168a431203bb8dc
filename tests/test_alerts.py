"""Job alerts (issue 12), end to end against real parts: the app, the fake JobStream, a local SMTP server.

A match in the real app → an e-mail alert → the confirmation link → JobStream publishes new ads → the
worker's real update job → exactly the fitting new ads arrive once at the SMTP server, with working links.
The tiny model's similarities sit in a narrow band, so the alert model here carries a steeper score curve
(``jobsai-model.json``) to spread its match scores over 0-100 the way the real model's do.
"""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, inspect, select

from jobsai.alerts.service import AlertRequest, AlertService
from jobsai.config import Settings
from jobsai.index.base import SearchFilter
from jobsai.jobs import worker_jobs
from jobsai.runtime import Runtime
from jobsai.sources.demo import iter_demo_items
from jobsai.store import alerts as repo
from jobsai.store.schema import alert_deliveries, alerts
from jobsai.web.app import create_app
from jobsai.worker import Worker

from fake_jobstream import FakeJobStream
from support.atom import ATOM, atom_problems
from support.privacy import cv_pieces, leaked
from support.smtp_server import LocalSmtp, text_of
from support.tiny_model import make_tiny_model
from support.ui_events import call_event
from support.web import CV_NURSE, PII, offline_settings

BASE = "http://testserver"
ADDRESS = "jobb.sokare@example.net"
LINK = re.compile(re.escape(BASE) + r"(/api/v1/alerts/[A-Za-z0-9_\-/.]+)")
AD_LINK = re.compile(re.escape(BASE) + r"/api/v1/alerts/open/[A-Za-z0-9_\-]+/([A-Za-z0-9_\-]+)")


@pytest.fixture(scope="module")
def alert_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = make_tiny_model(tmp_path_factory.mktemp("alert-model"))
    marker = path / "jobsai-model.json"
    meta = json.loads(marker.read_text(encoding="utf-8")) if marker.exists() else {}
    meta["score_calibration"] = {"slope": 200.0, "midpoint": 2.505}
    marker.write_text(json.dumps(meta), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def demo() -> list[dict[str, Any]]:
    return list(iter_demo_items())


@pytest.fixture
def smtp() -> Iterator[LocalSmtp]:
    with LocalSmtp() as server:
        yield server


def _settings(data_dir: Path, model: Path, srv: FakeJobStream, smtp: LocalSmtp, **extra: Any) -> Settings:
    return offline_settings(data_dir, model, jobstream_url=srv.url, smtp_url=smtp.url, public_base_url=BASE,
                            web_rate_limit_per_min=100_000.0, web_rate_limit_burst=1000, http_max_retries=1,
                            **extra)


@contextlib.contextmanager
def _running(tmp_path: Path, model: Path, ads: list[dict[str, Any]], smtp: LocalSmtp,
             **extra: Any) -> Iterator[tuple[FakeJobStream, Settings, Runtime]]:
    """JobStream serving ``ads``, and a runtime that has read them: where the end-to-end tests start,
    so each one says only what it does with them."""
    with FakeJobStream(ads=ads) as srv:
        settings = _settings(tmp_path / "data", model, srv, smtp, **extra)
        with Runtime(settings) as rt:
            rt.ensure_data()
            yield srv, settings, rt


def _copy(srv: FakeJobStream, ad_id: str, new_id: str) -> None:
    raw = next(a for a in srv.current_ads() if str(a["id"]) == ad_id)
    srv.add_or_update({**raw, "id": new_id, "timestamp": None})


def _links(msg: Any) -> list[str]:
    return LINK.findall(text_of(msg))


def test_match_to_confirmed_email_alert_to_new_ads_once(tmp_path: Path, alert_model: Path, demo: list,
                                                        smtp: LocalSmtp) -> None:
    with _running(tmp_path, alert_model, demo, smtp) as (srv, settings, rt):
        app = create_app(settings, runtime=rt)
        with TestClient(app) as client:
            match = client.post("/api/v1/match", json={"text": CV_NURSE, "top_k": 20}).json()
            ranked = client.post("/api/v1/match", json={"text": CV_NURSE, "top_k": 100}).json()["results"]
            r = client.post("/api/v1/alerts", json={
                "session_id": match["session_id"], "deletion_token": match["deletion_token"], "channel": "email",
                "email": ADDRESS, "language": "sv", "level": "good", "frequency": "instant", "consent": True})
            assert r.status_code == 201, r.text
            created = r.json()
            assert created["status"] == "pending" and created["title_line"]
            assert "Testsson" not in json.dumps(created)

            # only the confirmation so far, in Swedish, and an update before confirming sends nothing
            [confirm_mail] = smtp.to(ADDRESS)
            assert "Bekräfta" in confirm_mail["Subject"]
            confirm = next(link for link in _links(confirm_mail) if "/confirm/" in link)
            top = [x["id"] for x in match["results"][:2]]
            bottom = [x["id"] for x in ranked[-2:]]
            _copy(srv, top[0], "alert-fit-0")
            worker = Worker(settings, lambda: rt, **worker_jobs())
            assert worker.run_job("update")
            assert len(smtp.to(ADDRESS)) == 1

            page = client.get(confirm)  # a GET (a mail scanner's prefetch) confirms nothing
            assert page.status_code == 200 and "<form" in page.text
            assert client.get(f"/api/v1/alerts/{created['manage_token']}").json()["status"] == "pending"
            done = client.post(confirm, data={"action": "confirm"})
            assert done.status_code == 200 and "Klart" in done.text

            # JobStream publishes fitting and unfitting ads; the worker's update job runs
            _copy(srv, top[1], "alert-fit-1")
            for i, ad_id in enumerate(bottom):
                _copy(srv, ad_id, f"alert-misfit-{i}")
            assert worker.run_job("update")
            mails = smtp.to(ADDRESS)[1:]
            assert len(mails) == 1, [m["Subject"] for m in mails]
            body = text_of(mails[0])
            told = AD_LINK.findall(body)
            # alert-fit-0 arrived before the confirmation, after the alert was made: it is news too
            assert sorted(told) == ["alert-fit-0", "alert-fit-1"], body
            assert "nya jobb" in mails[0]["Subject"] and "Matchning" in body and "Yrke:" in body
            html = mails[0].get_body(preferencelist=("html",))
            assert html is not None and "alert-fit-1" in str(html.get_content())

            # the links work: an ad link leads to the ad, the management link to the alert's page
            ad_link = next(link for link in _links(mails[0]) if link.endswith("/alert-fit-1"))
            go = client.get(ad_link, follow_redirects=False)
            assert go.status_code == 303
            assert go.headers["location"] == rt.lookup_ads(["alert-fit-1"])["alert-fit-1"].webpage_url
            manage = next(link for link in _links(mails[0]) if "/manage/" in link)
            assert client.get(manage).status_code == 200
            forged = ad_link.rsplit("/", 1)[0] + "/" + bottom[0]  # an ad this alert never told about
            assert client.get(forged, follow_redirects=False).status_code == 404

            # nothing new: nothing sent; the same ads again (a re-published ad): never twice
            assert worker.run_job("update")
            _copy(srv, top[1], "alert-fit-1")
            assert worker.run_job("update")
            assert len(smtp.to(ADDRESS)) == 2
            with rt.db.begin(readonly=True) as conn:
                rows = repo.deliveries(conn)
            assert sorted((d.ad_id, d.status) for d in rows) == [("alert-fit-0", "sent"), ("alert-fit-1", "sent")]


def _made_alert(rt: Runtime, email: str | None, *, level: str = "good", filters: SearchFilter | None = None,
                frequency: str = "instant") -> str:
    """An alert made straight through the service (the API path is tested above); its management token."""
    prepared = rt.matcher.prepare(CV_NURSE)
    scores = [r.score for r in rt.matcher.match_prepared(prepared, top_k=20)]
    service = AlertService(rt.settings, rt.db.begin)
    created = service.create(AlertRequest("email" if email else "feed", email, "en", level, frequency, True),
                             prepared, rt.embedder.fingerprint, filters or SearchFilter(), scores)
    if email:
        with rt.db.begin(readonly=True) as conn:
            row = repo.by_manage_token(conn, created.manage_token)
        assert row is not None
        service.confirm(service.tokens.token(row.token_nonce, "confirm"))
    return created.manage_token


CRASH_SCRIPT = """
import os, sys
from jobsai.config import Settings
from jobsai.runtime import Runtime
from jobsai.alerts import jobs
from jobsai.alerts.smtp import SmtpSender

settings = Settings.model_validate_json(sys.argv[2])
import logging
logging.basicConfig(level=logging.INFO)
if sys.argv[1] == "before-send":  # the update and the queueing happen; the process dies before any send
    jobs._deliver = lambda *a, **k: os._exit(17)
else:  # the first message is accepted by the SMTP server; the process dies before it is marked sent
    real = SmtpSender.send
    def send(self, msg):
        real(self, msg)
        os._exit(17)
    SmtpSender.send = send
rt = Runtime(settings)
with rt.client() as client:
    rt.ingestor.update(client)
jobs.after_update(rt)
"""


def _crash(settings: Settings, how: str, tmp_path: Path) -> None:
    script = tmp_path / "crash.py"
    script.write_text(textwrap.dedent(CRASH_SCRIPT), encoding="utf-8")
    src = Path(__file__).resolve().parents[1] / "src"
    values = json.loads(settings.model_dump_json())
    values["smtp_url"] = settings.smtp_url.get_secret_value() if settings.smtp_url else None  # dumped masked
    done = subprocess.run([sys.executable, str(script), how, json.dumps(values)], capture_output=True,
                          text=True, timeout=300, env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 17, (done.stdout + done.stderr)[-3000:]


def test_a_crash_between_queueing_and_sending_sends_nothing_twice(tmp_path: Path, alert_model: Path, demo: list,
                                                                  smtp: LocalSmtp) -> None:
    addresses = ["first@example.net", "second@example.net", "third@example.net"]
    with FakeJobStream(ads=demo) as srv:
        settings = _settings(tmp_path / "data", alert_model, srv, smtp)
        with Runtime(settings) as rt:
            rt.ensure_data()
            for address in addresses:
                _made_alert(rt, address)
            top = [r.id for r in rt.matcher.match(CV_NURSE, top_k=3)]
        smtp.clear()  # the confirmations
        for i, ad_id in enumerate(top):
            _copy(srv, ad_id, f"crash-fit-{i}")

        _crash(settings, "before-send", tmp_path)  # queued, then dead: nothing sent
        assert smtp.messages == []
        with Runtime(settings) as rt, rt.db.begin(readonly=True) as conn:
            queued = [d for d in repo.deliveries(conn) if d.status == "queued"]
        assert len(queued) == 3 * 3

        _crash(settings, "after-first-send", tmp_path)  # one message out, then dead before marking it
        assert len(smtp.messages) == 1

        with Runtime(settings) as rt:
            assert Worker(settings, lambda: rt, **worker_jobs()).run_job("update")  # the next update resumes sending
            with rt.db.begin(readonly=True) as conn:
                statuses = sorted({d.status for d in repo.deliveries(conn)})
        assert statuses == ["sent"]
        for address in addresses:
            [mail] = smtp.to(address)
            assert sorted(AD_LINK.findall(text_of(mail))) == ["crash-fit-0", "crash-fit-1", "crash-fit-2"]


def test_delivery_failures_retry_then_pause_and_bounces_pause(tmp_path: Path, alert_model: Path, demo: list,
                                                              smtp: LocalSmtp) -> None:
    with _running(tmp_path, alert_model, demo[:120], smtp, alerts_max_attempts=2,
                  alerts_retry_base_s=1.0) as (srv, settings, rt):
        flaky = _made_alert(rt, "flaky@example.net")
        bounce = _made_alert(rt, "gone@example.net")
        smtp.clear()
        smtp.refuse.add("gone@example.net")
        smtp.fail_data = 1
        _copy(srv, rt.matcher.match(CV_NURSE, top_k=1)[0].id, "retry-fit")
        worker = Worker(settings, lambda: rt, **worker_jobs())
        assert worker.run_job("update")
        service = AlertService(settings, rt.db.begin)
        assert service.view(bounce).status == "paused" and service.view(bounce).paused_reason == "bounced"
        assert service.view(flaky).status == "active" and smtp.messages == []  # 451: retried later
        with rt.db.begin(readonly=True) as conn:
            due = conn.execute(select(func.max(alert_deliveries.c.next_attempt_at))).scalar()
        from jobsai.alerts.delivery import deliver_due

        deliver_due(rt.db.begin, service.mailer(), due)  # the backoff has passed
        [mail] = smtp.to("flaky@example.net")
        assert AD_LINK.findall(text_of(mail)) == ["retry-fit"]
        assert smtp.to("gone@example.net") == []


def test_the_management_link_pauses_resumes_and_deletes_every_row(tmp_path: Path, alert_model: Path, demo: list,
                                                                   smtp: LocalSmtp) -> None:
    with _running(tmp_path, alert_model, demo[:120], smtp) as (srv, settings, rt):
        token = _made_alert(rt, "owner@example.net")
        _copy(srv, rt.matcher.match(CV_NURSE, top_k=1)[0].id, "manage-fit")
        app = create_app(settings, runtime=rt)
        with TestClient(app) as client:
            manage = f"/api/v1/alerts/manage/{token}"
            assert "Pause" in client.get(manage).text
            paused = client.post(manage, data={"action": "pause"})
            assert paused.status_code == 200 and "paused" in paused.text
            assert Worker(settings, lambda: rt, **worker_jobs()).run_job("update")
            assert smtp.to("owner@example.net")[1:] == []  # paused: not scored, nothing sent
            assert client.patch(f"/api/v1/alerts/{token}", json={"paused": False}).json()["status"] == "active"
            _copy(srv, "manage-fit", "manage-fit-2")
            assert Worker(settings, lambda: rt, **worker_jobs()).run_job("update")
            [_, mail] = smtp.to("owner@example.net")
            assert AD_LINK.findall(text_of(mail)) == ["manage-fit-2"]  # what came while paused is not told
            with rt.db.begin(readonly=True) as conn:
                assert conn.execute(select(func.count()).select_from(alert_deliveries)).scalar() == 1
            gone = client.post(manage, data={"action": "delete"})
            assert gone.status_code == 200
            with rt.db.begin(readonly=True) as conn:
                assert conn.execute(select(func.count()).select_from(alerts)).scalar() == 0
                assert conn.execute(select(func.count()).select_from(alert_deliveries)).scalar() == 0
            assert client.get(manage).status_code == 404
            assert client.delete(f"/api/v1/alerts/{token}").status_code == 404


def test_the_database_holds_no_cv_text_name_or_phone_after_an_alert_is_saved(
    tmp_path: Path, alert_model: Path, demo: list, smtp: LocalSmtp
) -> None:
    with _running(tmp_path, alert_model, demo[:120], smtp) as (srv, settings, rt):
        app = create_app(settings, runtime=rt)
        with TestClient(app) as client:
            match = client.post("/api/v1/match", json={"text": CV_NURSE}).json()
            for channel, email in (("email", "privacy@example.net"), ("feed", None)):
                r = client.post("/api/v1/alerts", json={
                    "session_id": match["session_id"], "deletion_token": match["deletion_token"],
                    "channel": channel, "email": email, "consent": True})
                assert r.status_code == 201, r.text
            scan = _scan_database(rt, tmp_path)  # the alerts are saved: nothing personal beyond the address
            # deleting the match's data (its deletion token) deletes the alerts made from it too
            assert client.delete(f"/api/v1/feedback/{match['deletion_token']}").json() == {"deleted": 2}
            with rt.db.begin(readonly=True) as conn:
                assert conn.execute(select(func.count()).select_from(alerts)).scalar() == 0
    scan()


def _scan_database(rt: Runtime, tmp_path: Path) -> Any:
    """Check every table now (no name, phone, personnummer, CV address; no CV text in the alert tables) and
    return the same check of the database's files on disk, to run once the app has closed."""
    title = next(line for line in CV_NURSE.splitlines() if line.startswith("Undersköterska"))
    pieces = cv_pieces(["\n".join(line for line in CV_NURSE.splitlines() if line != title)])  # the title is kept
    personal = ("Testsson", *PII["nurse"])  # "Maria" alone is in ads (Mariestad)
    with rt.db.begin(readonly=True) as conn:
        dump = {name: "\n".join(repr(tuple(row)) for row in conn.exec_driver_sql(f'SELECT * FROM "{name}"'))
                for name in inspect(conn).get_table_names()}
        rows = conn.execute(select(alerts.c.title_line, alerts.c.email)).all()
    for name, text in dump.items():
        for value in personal:
            assert value not in text, f"{value!r} is stored in table {name}"
        if name.startswith("alert"):
            assert leaked(text, pieces) == [], f"CV text is stored in table {name}"
    assert sorted(r.email or "" for r in rows) == ["", "privacy@example.net"] and all(r.title_line for r in rows)

    def files() -> None:
        raw = b"".join(p.read_bytes() for p in (tmp_path / "data").glob("jobsai.sqlite3*"))
        for value in personal:
            assert value.encode() not in raw

    return files


# -- the Atom feed -------------------------------------------------------------------------------

def test_the_atom_checks_catch_broken_feeds() -> None:
    good = (b'<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:uuid:1</id><title>t</title>'
            b'<updated>2026-01-01T00:00:00Z</updated><author><name>x</name></author></feed>')
    assert atom_problems(good) == []
    assert atom_problems(good.replace(b"<id>urn:uuid:1</id>", b""))  # no id
    assert atom_problems(good.replace(b"2026-01-01T00:00:00Z", b"2026-01-01T00:00:00"))  # no zone
    assert atom_problems(good.replace(b"<author><name>x</name></author>", b""))  # no author
    entry = b"<entry><id>urn:uuid:2</id><title>e</title><updated>2026-01-01T00:00:00Z</updated></entry>"
    assert atom_problems(good.replace(b"</feed>", entry + b"</feed>"))  # no link, no content


def test_a_feed_alert_serves_a_valid_atom_feed_of_the_new_ads(tmp_path: Path, alert_model: Path, demo: list,
                                                             smtp: LocalSmtp) -> None:
    with _running(tmp_path, alert_model, demo[:120], smtp) as (srv, settings, rt):
        app = create_app(settings, runtime=rt)
        with TestClient(app) as client:
            match = client.post("/api/v1/match", json={"text": CV_NURSE, "top_k": 10}).json()
            r = client.post("/api/v1/alerts", json={
                "session_id": match["session_id"], "deletion_token": match["deletion_token"], "channel": "feed",
                "language": "en", "level": "good", "consent": True})
            assert r.status_code == 201, r.text
            created = r.json()
            assert created["status"] == "active" and created["feed_url"].endswith(".atom")
            feed_path = created["feed_url"].removeprefix(BASE)
            empty = client.get(feed_path)
            assert empty.status_code == 200 and empty.headers["content-type"].startswith("application/atom+xml")
            assert atom_problems(empty.content) == []

            _copy(srv, match["results"][0]["id"], "feed-fit-<&>")  # an id that must be escaped in XML
            _copy(srv, match["results"][0]["id"], "feed-fit-0")
            assert Worker(settings, lambda: rt, **worker_jobs()).run_job("update")
            doc = client.get(feed_path)
            assert atom_problems(doc.content) == []
            from lxml import etree

            root = etree.fromstring(doc.content)
            links = [e.find(f"{ATOM}link").get("href") for e in root.findall(f"{ATOM}entry")]
            assert sorted(link.rsplit("/", 1)[1] for link in links) == ["feed-fit-%3C%26%3E", "feed-fit-0"]
            assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
            for link in links:
                assert client.get(link.removeprefix(BASE), follow_redirects=False).status_code == 303
            assert smtp.messages == []  # a feed alert sends no mail
            assert client.get("/api/v1/alerts/" + "x" * 43 + ".atom").status_code == 404
            # the management token is not the feed's, and the feed token manages nothing
            feed_token = feed_path.rsplit("/", 1)[1].removesuffix(".atom")
            assert client.delete(f"/api/v1/alerts/{feed_token}").status_code == 404
            assert client.delete(f"/api/v1/alerts/{created['manage_token']}").status_code == 200
            assert client.get(feed_path).status_code == 404


def test_the_ui_panel_makes_an_alert_from_the_pages_match(tmp_path: Path, alert_model: Path, demo: list,
                                                          smtp: LocalSmtp) -> None:
    import gradio as gr

    from jobsai.match.filters import FilterInput
    from jobsai.web.ui import build_ui
    from jobsai.web.ui_alerts import alert_panel

    with _running(tmp_path, alert_model, demo[:60], smtp) as (srv, settings, rt):
        app = create_app(settings, runtime=rt)
        with TestClient(app):
            service = app.state.service
            cv = service.paste_cv(CV_NURSE)
            outcome = service.match(cv, FilterInput(), 10)
            blocks = build_ui(service)
            assert alert_panel.__name__ == "alert_panel"
            event = next(f for f in blocks.fns.values() if f.name == "on_create")
            [session] = [c for c in event.inputs if isinstance(c, gr.State)]
            request = gr.Request()

            def on_create(ref: Any, lang: str, channel: str, email: str, level: str, frequency: str,
                          consent: bool) -> str:
                return call_event(blocks, "on_create", request, {session: ref}, jobsai_lang=lang,  # type: ignore[no-any-return]
                                  alert_channel=channel, alert_email=email, alert_level=level,
                                  alert_frequency=frequency, alert_consent=consent)

            args = ("en", "email", "ui@example.net", "good", "daily", True)
            assert "Search first" in on_create(None, *args)
            assert "consent" in on_create(outcome.ref, *args[:5], False)
            done = on_create(outcome.ref, *args)
            assert "Done!" in done and "/api/v1/alerts/manage/" in done and "ui@example.net" in done
            swedish = on_create(outcome.ref, "sv", "feed", "", "very_good", "instant", True)
            assert "Klart!" in swedish and ".atom" in swedish
            [mail] = smtp.to("ui@example.net")
            assert "Confirm" in mail["Subject"]
            with rt.db.begin(readonly=True) as conn:
                rows = repo.alerts_where(conn)
            assert sorted((r.channel, r.frequency, r.level, r.language) for r in rows) == [
                ("email", "daily", "good", "en"), ("feed", "instant", "very_good", "sv")]


def test_alert_links_are_masked_in_access_logs() -> None:
    from jobsai.web.middleware import _mask

    token = "A" * 43
    for path in (f"/api/v1/alerts/{token}.atom", f"/api/v1/alerts/manage/{token}", f"/api/v1/alerts/confirm/{token}",
                 f"/api/v1/alerts/open/{token}/123", f"/api/v1/alerts/{token}"):
        assert token not in _mask(f'"GET {path} HTTP/1.1" 200')
