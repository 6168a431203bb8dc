"""JobStreamClient against a real HTTP server on 127.0.0.1 (tests/fake_jobstream.py)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

from jobsai import __version__
from jobsai.config import Settings
from jobsai.errors import ConfigError, IncompleteSnapshotError, SourceError
from jobsai.sources.ads import Ad, RemovedAd, parse_item
from jobsai.sources.jobstream import ACCEPT_JSONL, JobStreamClient, parse_retry_after

from fake_jobstream import FakeJobStream, epoch_ms, wants_jsonl

T0 = datetime(2025, 9, 11, 9, 25, 57, tzinfo=UTC)  # 11:25:57 in Stockholm (CEST)


def make_ad(n: int, when: datetime, **extra: Any) -> dict[str, Any]:
    """A small but schema-shaped ad; the text makes bodies span several chunks."""
    ad: dict[str, Any] = {
        "id": str(30_000_000 + n),
        "headline": f"Annons {n}",
        "description": {"text": f"Beskrivning {n}. " + "Vi söker dig! " * 200, "text_formatted": None},
        "occupation": {"concept_id": f"occ_{n:03d}", "label": "Yrke", "legacy_ams_taxonomy_id": None},
        "occupation_group": {"concept_id": "grp_001", "label": "Grupp", "legacy_ams_taxonomy_id": None},
        "occupation_field": {"concept_id": "fld_001", "label": "Fält", "legacy_ams_taxonomy_id": None},
        "workplace_address": {
            "municipality": "Stockholm",
            "municipality_concept_id": "mun_0180",
            "region": "Stockholms län",
            "region_concept_id": "reg_01",
            "country": "Sverige",
            "country_concept_id": "i46j_HmG_v64",
            "coordinates": [18.06858, 59.329323],
        },
        "publication_date": "2025-09-11T11:25:57",
        "last_publication_date": "2025-10-11T23:59:59",
        "timestamp": epoch_ms(when),
    }
    ad.update(extra)
    return ad


ADS = [make_ad(i, T0 + timedelta(minutes=i)) for i in range(12)]


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """httpx honours proxy variables; requests to 127.0.0.1 must not go through one."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture
def srv() -> Iterator[FakeJobStream]:
    with FakeJobStream(ads=ADS) as server:
        yield server


def settings_for(url: str, tmp_path: Path, **kw: Any) -> Settings:
    base: dict[str, Any] = {
        "jobstream_url": url,
        "data_dir": tmp_path / "data",
        "http_timeout_s": 5.0,
        "http_max_retries": 4,
        "http_backoff_base_s": 1.0,
        "http_backoff_max_s": 30.0,
    }
    base.update(kw)
    return Settings(**base)


def client_for(url: str, tmp_path: Path, sleeps: list[float] | None = None, **kw: Any) -> JobStreamClient:
    rec = sleeps if sleeps is not None else []
    return JobStreamClient(settings_for(url, tmp_path, **kw), sleep=rec.append)


def snapshot_body(srv: FakeJobStream) -> bytes:
    """The bytes the fake sends for a snapshot (a one-line array), to pick cut points."""
    return ("[" + ",".join(json.dumps(a, ensure_ascii=False) for a in srv.current_ads()) + "]").encode()


def read_ids(path: Path) -> list[str]:
    return [a["id"] for a in json.loads(path.read_text(encoding="utf-8"))]


# -- happy paths, versions, headers -------------------------------------------------------------


def test_v2_snapshot_downloads_verifies_and_reports(srv: FakeJobStream, tmp_path: Path) -> None:
    seen: list[int] = []
    s = settings_for(srv.url, tmp_path)
    with JobStreamClient(s, sleep=pytest.fail, progress=seen.append) as client:
        dest = client.download_snapshot(tmp_path / "out" / "snap.json")
        info = client.last_download
    assert read_ids(dest) == [a["id"] for a in ADS]
    assert not (tmp_path / "out" / "snap.json.part").exists()
    assert info is not None and (info.attempts, info.items, info.format) == (1, 12, "array")
    assert seen == sorted(seen) and seen[-1] == dest.stat().st_size == info.bytes
    assert len(seen) > 1, "progress is reported while the body arrives"
    (req,) = srv.requests
    assert req.path == "/v2/snapshot" and req.params == {}
    assert req.headers["accept"] == "application/json"
    assert req.headers["user-agent"] == f"jobsai/{__version__}"
    assert "api-key" not in req.headers


def test_v2_stream_path_and_local_time_params(srv: FakeJobStream, tmp_path: Path) -> None:
    with client_for(srv.url, tmp_path) as client:
        client.download_stream(T0, T0 + timedelta(minutes=3), tmp_path / "s.json")
        # winter time: Stockholm is UTC+1
        winter_start = datetime(2025, 12, 1, 8, 0, tzinfo=UTC)
        client.download_stream(winter_start, winter_start + timedelta(hours=1), tmp_path / "w.json")
    summer, winter = srv.requests
    assert summer.path == "/v2/stream"
    assert summer.param("updated-after") == "2025-09-11T11:25:57"
    assert summer.param("updated-before") == "2025-09-11T11:28:57"
    assert set(summer.params) == {"updated-after", "updated-before"}
    assert winter.param("updated-after") == "2025-12-01T09:00:00"
    assert winter.param("updated-before") == "2025-12-01T10:00:00"
    assert read_ids(tmp_path / "s.json") == [a["id"] for a in ADS[:4]]


def test_v1_paths_and_param_names(srv: FakeJobStream, tmp_path: Path) -> None:
    with client_for(srv.url, tmp_path, jobstream_api_version="v1") as client:
        snap = client.download_snapshot(tmp_path / "snap.json")
        stream = client.download_stream(T0, T0 + timedelta(minutes=1), tmp_path / "stream.json")
    assert len(read_ids(snap)) == 12
    assert read_ids(stream) == [ADS[0]["id"], ADS[1]["id"]]
    first, second = srv.requests
    assert first.path == "/snapshot"
    assert second.path == "/stream"
    assert second.params == {"date": ["2025-09-11T11:25:57"], "updated-before-date": ["2025-09-11T11:26:57"]}


@pytest.mark.parametrize("url", ["jobstream.api.jobtechdev.se", "ftp://example.org", ""])
def test_a_base_url_that_is_not_http_is_a_config_error(tmp_path: Path, url: str) -> None:
    with pytest.raises(ConfigError, match="JOBSAI_JOBSTREAM_URL"):
        JobStreamClient(settings_for(url, tmp_path))


def test_base_url_with_trailing_slash(srv: FakeJobStream, tmp_path: Path) -> None:
    with client_for(srv.url + "/", tmp_path) as client:
        client.download_snapshot(tmp_path / "snap.json")
    assert srv.requests[0].path == "/v2/snapshot"


def test_api_key_header_only_when_configured(srv: FakeJobStream, tmp_path: Path) -> None:
    srv.require_api_key("s3cret")
    with client_for(srv.url, tmp_path, jobstream_api_key="s3cret") as client:
        client.download_snapshot(tmp_path / "a.json")
    assert srv.requests[-1].headers["api-key"] == "s3cret"

    with (
        client_for(srv.url, tmp_path) as client,
        pytest.raises(SourceError, match="requires an API key") as err,
    ):
        client.download_snapshot(tmp_path / "b.json")
    assert "api-key" not in srv.requests[-1].headers
    assert "JOBSAI_JOBSTREAM_API_KEY" in str(err.value)

    with (
        client_for(srv.url, tmp_path, jobstream_api_key="wrong") as client,
        pytest.raises(SourceError, match="rejected the API key"),
    ):
        client.download_snapshot(tmp_path / "c.json")
    assert len(srv.requests) == 3, "401 is not retried"
    assert not (tmp_path / "b.json").exists() and not (tmp_path / "c.json").exists()


# -- JSON Lines ---------------------------------------------------------------------------------


def test_json_lines_body_is_accepted(tmp_path: Path) -> None:
    with FakeJobStream(ads=ADS, jsonl=True) as server, client_for(server.url, tmp_path) as client:
        items = list(client.iter_snapshot(tmp_path))
        assert client.last_download is not None and client.last_download.format == "jsonl"
    assert [a["id"] for a in items] == [a["id"] for a in ADS]
    assert items[0] == ADS[0] | {"removed": False, "removed_date": None}


def test_client_can_ask_for_json_lines(srv: FakeJobStream, tmp_path: Path) -> None:
    s = settings_for(srv.url, tmp_path)
    with JobStreamClient(s, accept=ACCEPT_JSONL) as client:
        dest = client.download_snapshot(tmp_path / "snap.jsonl")
        assert client.last_download is not None and client.last_download.format == "jsonl"
    assert srv.requests[0].headers["accept"] == ACCEPT_JSONL
    assert dest.read_bytes().count(b"\n") == 12


def test_truncated_json_lines_body_is_retried(tmp_path: Path) -> None:
    sleeps: list[float] = []
    with FakeJobStream(ads=ADS, jsonl=True) as server:
        server.truncate_next(5000, "/v2/snapshot")
        with client_for(server.url, tmp_path, sleeps) as client:
            assert len(list(client.iter_snapshot(tmp_path))) == 12
        assert len(server.requests) == 2 and len(sleeps) == 1


def test_accept_negotiation_in_the_fake() -> None:
    assert not wants_jsonl("application/json")
    assert not wants_jsonl(None)
    assert wants_jsonl("application/x-ndjson,application/json")
    assert wants_jsonl("application/jsonl")
    assert not wants_jsonl("application/x-ndjson;q=0.5, application/json")


# -- retries ------------------------------------------------------------------------------------


def test_429_with_retry_after_seconds_is_honoured(srv: FakeJobStream, tmp_path: Path) -> None:
    sleeps: list[float] = []
    srv.fail_next("/v2/snapshot", status=429, retry_after=7)
    with client_for(srv.url, tmp_path, sleeps) as client:
        dest = client.download_snapshot(tmp_path / "snap.json")
        assert client.last_download is not None and client.last_download.attempts == 2
    assert sleeps == [7.0]
    assert len(read_ids(dest)) == 12
    assert [r.path for r in srv.requests] == ["/v2/snapshot"] * 2


def test_429_with_retry_after_http_date_is_honoured(srv: FakeJobStream, tmp_path: Path) -> None:
    sleeps: list[float] = []
    when = datetime.now(UTC) + timedelta(seconds=20)
    srv.fail_next("/v2/snapshot", status=429, retry_after=format_datetime(when, usegmt=True))
    with client_for(srv.url, tmp_path, sleeps) as client:
        client.download_snapshot(tmp_path / "snap.json")
    assert len(sleeps) == 1 and 17 <= sleeps[0] <= 20


def test_retry_after_is_capped_at_backoff_max(srv: FakeJobStream, tmp_path: Path) -> None:
    sleeps: list[float] = []
    srv.fail_next("/v2/snapshot", status=503, retry_after=3600)
    with client_for(srv.url, tmp_path, sleeps, http_backoff_max_s=12.0) as client:
        client.download_snapshot(tmp_path / "snap.json")
    assert sleeps == [12.0]


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
def test_transient_statuses_are_retried_with_backoff(srv: FakeJobStream, tmp_path: Path, status: int) -> None:
    sleeps: list[float] = []
    srv.fail_next("/v2/snapshot", status=status, times=3)
    with client_for(srv.url, tmp_path, sleeps, http_backoff_base_s=2.0) as client:
        dest = client.download_snapshot(tmp_path / "snap.json")
    assert len(read_ids(dest)) == 12
    assert len(srv.requests) == 4
    # exponential backoff with jitter: attempt n waits within [b*2^(n-1)/2, b*2^(n-1)]
    assert len(sleeps) == 3
    for n, delay in enumerate(sleeps, start=1):
        assert 2.0 * 2 ** (n - 1) / 2 <= delay <= 2.0 * 2 ** (n - 1)


def test_persistent_500_fails_after_max_retries(srv: FakeJobStream, tmp_path: Path) -> None:
    sleeps: list[float] = []
    srv.fail_next("/v2/snapshot", status=500, times=100)
    client = client_for(srv.url, tmp_path, sleeps, http_max_retries=3)
    with client, pytest.raises(SourceError) as err:
        client.download_snapshot(tmp_path / "snap.json")
    assert "JobStream unreachable after 4 attempts" in str(err.value)
    assert "HTTP 500" in str(err.value)
    assert not isinstance(err.value, IncompleteSnapshotError)
    assert len(srv.requests) == 4
    assert len(sleeps) == 3
    assert not list(tmp_path.glob("snap.json*"))


def test_backoff_is_capped(srv: FakeJobStream, tmp_path: Path) -> None:
    sleeps: list[float] = []
    srv.fail_next("/v2/snapshot", status=500, times=100)
    client = client_for(srv.url, tmp_path, sleeps, http_max_retries=6, http_backoff_max_s=4.0)
    with client, pytest.raises(SourceError):
        client.download_snapshot(tmp_path / "snap.json")
    assert len(sleeps) == 6 and max(sleeps) <= 4.0


@pytest.mark.parametrize("status", [400, 403, 404, 410])
def test_other_4xx_fail_at_once_with_a_readable_message(
    srv: FakeJobStream, tmp_path: Path, status: int
) -> None:
    srv.fail_next("/v2/stream", status=status, body='{"message": "bad date"}')
    with client_for(srv.url, tmp_path) as client, pytest.raises(SourceError) as err:
        client.download_stream(T0, T0 + timedelta(minutes=1), tmp_path / "s.json")
    assert f"HTTP {status}" in str(err.value)
    assert "unreachable" not in str(err.value)
    assert len(srv.requests) == 1


def test_unknown_endpoint_404_mentions_the_api_version(tmp_path: Path) -> None:
    with (
        FakeJobStream(ads=ADS) as server,
        client_for(server.url + "/wrong-prefix", tmp_path) as client,
        pytest.raises(SourceError, match="JOBSAI_JOBSTREAM_API_VERSION"),
    ):
        client.download_snapshot(tmp_path / "snap.json")


def test_slow_response_beyond_read_timeout_is_retried(srv: FakeJobStream, tmp_path: Path) -> None:
    sleeps: list[float] = []
    srv.slow_next(2.0, "/v2/snapshot")
    with client_for(srv.url, tmp_path, sleeps, http_timeout_s=0.3) as client:
        dest = client.download_snapshot(tmp_path / "snap.json")
    assert len(read_ids(dest)) == 12
    assert len(srv.requests) == 2 and len(sleeps) == 1


def test_stall_in_the_middle_of_the_body_is_retried(srv: FakeJobStream, tmp_path: Path) -> None:
    sleeps: list[float] = []
    srv.slow_next(2.0, "/v2/snapshot", after_bytes=10_000)
    with client_for(srv.url, tmp_path, sleeps, http_timeout_s=0.3) as client:
        dest = client.download_snapshot(tmp_path / "snap.json")
    assert len(read_ids(dest)) == 12
    assert len(srv.requests) == 2


def test_connection_refused_is_retried_then_reported(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sleeps: list[float] = []
    client = client_for(f"http://127.0.0.1:{port}", tmp_path, sleeps, http_max_retries=2)
    with client, pytest.raises(SourceError, match="unreachable after 3 attempts: ConnectError"):
        client.download_snapshot(tmp_path / "snap.json")
    assert len(sleeps) == 2


# -- truncated bodies ---------------------------------------------------------------------------


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "content-length"])
@pytest.mark.parametrize("abort", [False, True], ids=["clean-end", "dropped-connection"])
def test_truncated_snapshot_is_retried(tmp_path: Path, chunked: bool, abort: bool) -> None:
    sleeps: list[float] = []
    with FakeJobStream(ads=ADS, chunked=chunked) as server:
        server.truncate_next(20_000, "/v2/snapshot", times=2, abort=abort)
        with client_for(server.url, tmp_path, sleeps) as client:
            dest = client.download_snapshot(tmp_path / "snap.json")
            assert client.last_download is not None and client.last_download.attempts == 3
        assert len(server.requests) == 3
    assert read_ids(dest) == [a["id"] for a in ADS]
    assert len(sleeps) == 2


def test_always_truncated_snapshot_is_never_treated_as_complete(srv: FakeJobStream, tmp_path: Path) -> None:
    body = snapshot_body(srv)
    srv.truncate_next(len(body) - 40, "/v2/snapshot", times=100)  # cut inside the last ad
    dest = tmp_path / "snap.json"
    dest.write_text("previous good snapshot")
    client = client_for(srv.url, tmp_path, http_max_retries=2)
    with client, pytest.raises(IncompleteSnapshotError, match="unreachable after 3 attempts") as err:
        client.download_snapshot(dest)
    assert isinstance(err.value, SourceError)
    assert "closing ']'" in str(err.value)
    assert dest.read_text() == "previous good snapshot", "a failed download leaves the old file alone"
    assert not (tmp_path / "snap.json.part").exists()


def test_snapshot_cut_right_after_a_bracket_is_detected(srv: FakeJobStream, tmp_path: Path) -> None:
    """The cut ends with ']' (the coordinates list), so only a real parse can tell."""
    body = snapshot_body(srv)
    cut = body.index(b"59.329323]") + len(b"59.329323]")
    srv.truncate_next(cut, "/v2/snapshot", times=100)
    with client_for(srv.url, tmp_path, http_max_retries=1) as client, pytest.raises(IncompleteSnapshotError):
        client.download_snapshot(tmp_path / "snap.json")


def test_empty_200_body_is_retried(tmp_path: Path) -> None:
    with FakeJobStream(ads=ADS) as server:
        server.truncate_next(0, "/v2/snapshot")
        with client_for(server.url, tmp_path) as client:
            client.download_snapshot(tmp_path / "snap.json")
        assert len(server.requests) == 2


def test_iter_snapshot_removes_its_temp_file(srv: FakeJobStream, tmp_path: Path) -> None:
    work = tmp_path / "work"
    with client_for(srv.url, tmp_path) as client:
        it = client.iter_snapshot(work)
        first = next(it)
        assert first["id"] == ADS[0]["id"]
        assert len(list(work.iterdir())) == 1
        it.close()
        assert list(work.iterdir()) == []
        assert len(list(client.iter_snapshot(work))) == 12
        assert list(work.iterdir()) == []
        srv.fail_next("/v2/snapshot", status=500, times=100)
        with pytest.raises(SourceError):
            list(client.iter_snapshot(work))
        assert list(work.iterdir()) == []


def test_iter_snapshot_defaults_to_the_data_dir(srv: FakeJobStream, tmp_path: Path) -> None:
    with client_for(srv.url, tmp_path) as client:
        assert len(list(client.iter_snapshot())) == 12
    assert list((tmp_path / "data").iterdir()) == []


# -- the change window --------------------------------------------------------------------------


def test_stream_window_has_changed_ads_and_removal_records(tmp_path: Path) -> None:
    ads = [make_ad(i, T0 + timedelta(minutes=i)) for i in range(6)]
    with FakeJobStream(ads=ads) as server:
        server.remove(ads[1]["id"], when=T0 + timedelta(minutes=2, seconds=30))
        server.remove(ads[5]["id"], when=T0 + timedelta(hours=1))  # outside the window
        changed = server.add_or_update(ads[0] | {"headline": "Ändrad"}, when=T0 + timedelta(minutes=4.5))
        edge = server.add_or_update(make_ad(90, T0), when=T0 + timedelta(minutes=5, seconds=1))
        server.add_or_update(make_ad(91, T0), when=T0 + timedelta(minutes=5, seconds=1, milliseconds=1))
        with client_for(server.url, tmp_path) as client:
            items = list(client.iter_stream(T0 + timedelta(minutes=2), T0 + timedelta(minutes=5), tmp_path))
            snapshot_ids = {a["id"] for a in client.iter_snapshot(tmp_path)}

    ids = [i["id"] for i in items]
    # ads 2..4 changed in the window; ad 1 removed in it; ad 0 changed at +4.5 min; the
    # window reaches 1 s past updated-before, inclusive, and no further.
    assert ids == [ads[2]["id"], ads[1]["id"], ads[3]["id"], ads[4]["id"], changed["id"], edge["id"]]
    removal = items[1]
    assert removal == {
        "id": ads[1]["id"],
        "removed": True,
        "removed_date": "2025-09-11T11:28:27",
        "occupation": "occ_001",
        "occupation_group": "grp_001",
        "occupation_field": "fld_001",
        "municipality": "mun_0180",
        "region": "reg_01",
        "country": "i46j_HmG_v64",
    }
    parsed = [parse_item(i) for i in items]
    assert isinstance(parsed[1], RemovedAd) and parsed[1].removed_at == T0 + timedelta(minutes=2, seconds=30)
    assert all(isinstance(p, Ad) for i, p in enumerate(parsed) if i != 1)
    assert isinstance(parsed[4], Ad) and parsed[4].headline == "Ändrad"
    # the snapshot has current ads only, never removal records
    assert ads[1]["id"] not in snapshot_ids and ads[5]["id"] not in snapshot_ids
    assert ads[0]["id"] in snapshot_ids and len(snapshot_ids) == 6


def test_removal_records_given_up_front(tmp_path: Path) -> None:
    removed = [
        {"id": "1", "removed": True, "removed_date": "2025-09-11T11:26:00", "occupation": "x"},
        {"id": "2", "removed": True, "removed_date": "2020-01-01T00:00:00", "timestamp": epoch_ms(T0)},
    ]
    with FakeJobStream(ads=ADS[:1], removed=removed) as server, client_for(server.url, tmp_path) as client:
        items = list(client.iter_stream(T0, T0 + timedelta(minutes=1), tmp_path))
    assert sorted(i["id"] for i in items) == sorted([ADS[0]["id"], "1", "2"])


def test_fake_can_expire_ads_like_v1(tmp_path: Path) -> None:
    live = make_ad(1, T0, last_publication_date="2025-09-30T23:59:59")
    expired = make_ad(2, T0, last_publication_date="2025-09-12T23:59:59")
    now = datetime(2025, 9, 20, tzinfo=UTC)
    with (
        FakeJobStream(ads=[live, expired], expire=True, now=lambda: now) as server,
        client_for(server.url, tmp_path) as client,
    ):
        ids = [a["id"] for a in client.iter_snapshot(tmp_path)]
        stream_ids = [a["id"] for a in client.iter_stream(T0 - timedelta(days=1), now, tmp_path)]
    assert ids == stream_ids == [live["id"]]


def test_window_must_not_be_reversed(srv: FakeJobStream, tmp_path: Path) -> None:
    with client_for(srv.url, tmp_path) as client:
        with pytest.raises(ValueError):
            client.download_stream(T0, T0 - timedelta(seconds=1), tmp_path / "s.json")
        with pytest.raises(ValueError):
            client.iter_stream(T0, T0 - timedelta(seconds=1), tmp_path)
    assert srv.requests == []


# -- Retry-After parsing ------------------------------------------------------------------------


def test_parse_retry_after_forms() -> None:
    now = datetime(2025, 9, 11, 12, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after("-3") == 0.0
    assert parse_retry_after("Thu, 11 Sep 2025 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("Thu, 11 Sep 2025 11:00:00 GMT", now) == 0.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("") is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("nan") is None
