"""jsonstream (incremental JSON array / JSON Lines reader) and files.iter_file_items."""

from __future__ import annotations

import gzip
import io
import json
import logging
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from jobsai.errors import IncompleteSnapshotError, SourceError
from jobsai.sources.files import iter_file_items
from jobsai.sources.jsonstream import (
    check_json_file,
    iter_json_objects,
    iter_json_stream,
)

ITEMS: list[dict[str, Any]] = [
    {"id": "1", "headline": "Snickare", "n": 1, "x": 1.5, "nested": {"c": [18.06858, 59.329323], "q": None}},
    {"id": "2", "headline": "Sjuksköterska – natt", "label": "[]", "big": 12345678901234},
    {"id": "3", "removed": True, "removed_date": "2025-09-11T11:25:57", "occupation": "abc_DEF_123"},
]


def one_line_array(items: list[dict[str, Any]]) -> bytes:
    return json.dumps(items, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def jsonl(items: list[dict[str, Any]], sep: bytes = b"\n") -> bytes:
    return sep.join(json.dumps(i, ensure_ascii=False).encode("utf-8") for i in items) + sep


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


class ReadOnly:
    """A non-seekable stream that only has read(), like a socket or a pipe."""

    def __init__(self, data: bytes, step: int = 7) -> None:
        self._buf = io.BytesIO(data)
        self._step = step

    def read(self, size: int = -1) -> bytes:
        return self._buf.read(self._step if size < 0 else min(size, self._step))


# -- shapes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        one_line_array(ITEMS),
        json.dumps(ITEMS, indent=2, ensure_ascii=False).encode("utf-8"),
        b"\xef\xbb\xbf  \n" + one_line_array(ITEMS) + b"\n",
        jsonl(ITEMS),
        jsonl(ITEMS, b"\r\n"),
        b"\n\n" + jsonl(ITEMS, b"\n\n\n"),
        jsonl(ITEMS).rstrip(b"\n"),
    ],
    ids=["array-line", "array-pretty", "array-bom", "jsonl", "jsonl-crlf", "jsonl-blanks", "jsonl-no-eol"],
)
def test_array_and_jsonl_give_the_same_objects(tmp_path: Path, data: bytes) -> None:
    assert list(iter_json_objects(write(tmp_path, "f.json", data))) == ITEMS


def test_numbers_are_plain_int_and_float_not_decimal(tmp_path: Path) -> None:
    (first, second, _) = iter_json_objects(write(tmp_path, "f.json", one_line_array(ITEMS)))
    assert type(first["n"]) is int and type(first["x"]) is float
    assert all(type(v) is float for v in first["nested"]["c"])
    assert type(second["big"]) is int


@pytest.mark.parametrize("maker", [one_line_array, jsonl])
def test_gzip_is_detected_from_the_bytes(tmp_path: Path, maker: Any) -> None:
    p = write(tmp_path, "no-gz-suffix.json", gzip.compress(maker(ITEMS)))
    assert list(iter_json_objects(p)) == ITEMS
    assert list(iter_file_items(write(tmp_path, "ads.json.gz", gzip.compress(maker(ITEMS))))) == ITEMS


def test_binary_stream_that_only_reads_in_small_pieces() -> None:
    assert list(iter_json_stream(ReadOnly(one_line_array(ITEMS)))) == ITEMS
    assert list(iter_json_stream(ReadOnly(gzip.compress(jsonl(ITEMS)), step=3))) == ITEMS


def test_long_leading_whitespace_before_the_format_byte(tmp_path: Path) -> None:
    p = write(tmp_path, "f.json", b" " * 200_000 + jsonl(ITEMS))
    assert list(iter_json_objects(p)) == ITEMS


@pytest.mark.parametrize("data", [b"", b"  \n\t\r\n", b"[]", b"[ ]\n"])
def test_empty_inputs_yield_nothing(tmp_path: Path, data: bytes) -> None:
    assert list(iter_json_objects(write(tmp_path, "f.json", data))) == []


def test_non_object_items_are_skipped_and_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    p = write(tmp_path, "f.json", b'[{"id":"1"}, null, 5, "x", [1], {"id":"2"}]')
    with caplog.at_level(logging.WARNING, logger="jobsai.sources.jsonstream"):
        assert [o["id"] for o in iter_json_objects(p)] == ["1", "2"]
    assert sum("not a JSON object" in r.getMessage() for r in caplog.records) == 4


# -- truncation and bad content -----------------------------------------------------------------


def _collect(path: Path) -> tuple[list[dict[str, Any]], BaseException | None]:
    got: list[dict[str, Any]] = []
    try:
        for obj in iter_json_objects(path):
            got.append(obj)
    except SourceError as exc:
        return got, exc
    return got, None


@pytest.mark.parametrize("cut", [1, 30, -1, -2, -5])
def test_truncated_array_yields_what_parsed_then_raises(tmp_path: Path, cut: int) -> None:
    data = one_line_array(ITEMS)
    got, exc = _collect(write(tmp_path, "f.json", data[:cut]))
    assert isinstance(exc, IncompleteSnapshotError)
    assert "closing ']'" in str(exc)
    assert got == ITEMS[: len(got)]
    if cut == -1:  # only the final bracket is missing: every item parsed
        assert got == ITEMS


def test_truncation_right_after_an_inner_bracket_is_still_detected(tmp_path: Path) -> None:
    """A tail check for ']' would be fooled here; the parser is not."""
    data = one_line_array(ITEMS)
    end = data.index(b"]") + 1  # the end of the first ad's coordinates list
    assert data[:end].endswith(b"]")
    with pytest.raises(IncompleteSnapshotError):
        list(iter_json_objects(write(tmp_path, "f.json", data[:end])))
    with pytest.raises(IncompleteSnapshotError):
        check_json_file(tmp_path / "f.json")


def test_truncated_last_json_line_raises_after_the_complete_lines(tmp_path: Path) -> None:
    data = jsonl(ITEMS)
    got, exc = _collect(write(tmp_path, "f.jsonl", data[:-10]))
    assert isinstance(exc, IncompleteSnapshotError)
    assert got == ITEMS[:2]


def test_truncated_gzip_is_incomplete(tmp_path: Path) -> None:
    data = gzip.compress(one_line_array(ITEMS * 50))
    with pytest.raises(IncompleteSnapshotError):
        list(iter_json_objects(write(tmp_path, "f.json.gz", data[: len(data) // 2])))


def test_corrupt_gzip_is_a_source_error_not_incomplete(tmp_path: Path) -> None:
    data = bytearray(gzip.compress(one_line_array(ITEMS)))
    data[2] = 9  # compression method 9 does not exist: not valid gzip
    with pytest.raises(SourceError) as err:
        list(iter_json_objects(write(tmp_path, "f.gz", bytes(data))))
    assert not isinstance(err.value, IncompleteSnapshotError)


@pytest.mark.parametrize(
    "data",
    [
        b"<html><body>Bad gateway</body></html>",
        b"hello",
        b'"just a string"',
        b'[{"id":"1","secret":"070-123 45 67"}, garbage]',
        b'[{"id":"1","secret":"070-123 45 67 \xff\xfe"}, {"id":"2"}]',
        b'[{"id":"1"}] trailing',
        b'{"id":"1"}\n{"id": nope}\n',
    ],
)
def test_invalid_json_is_a_source_error_without_quoting_the_data(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(SourceError) as err:
        list(iter_json_objects(write(tmp_path, "bad.json", data)))
    assert not isinstance(err.value, IncompleteSnapshotError)
    assert "bad.json" in str(err.value)
    assert "070-123" not in str(err.value)


# -- validation pass ----------------------------------------------------------------------------


def test_check_json_file_reports_format_and_item_count(tmp_path: Path) -> None:
    a = check_json_file(write(tmp_path, "a.json", one_line_array(ITEMS)))
    b = check_json_file(write(tmp_path, "b.jsonl", gzip.compress(jsonl(ITEMS))))
    c = check_json_file(write(tmp_path, "c.json", b"\n"))
    assert (a.format, a.items) == ("array", 3)
    assert (b.format, b.items) == ("jsonl", 3)
    assert (c.format, c.items) == ("empty", 0)
    with pytest.raises(IncompleteSnapshotError):
        check_json_file(write(tmp_path, "d.json", one_line_array(ITEMS)[:-1]))
    with pytest.raises(SourceError):
        check_json_file(write(tmp_path, "e.json", b"[1,,2]"))


def test_memory_stays_bounded_on_a_large_one_line_array(tmp_path: Path) -> None:
    """~24 MB on one line; the Python heap must not grow with the file."""
    ad = {"id": "0", "headline": "x" * 100, "description": {"text": "Vi söker dig. " * 800}}
    p = tmp_path / "big.json"
    with p.open("wb") as fh:
        fh.write(b"[")
        for i in range(2000):
            ad["id"] = str(i)
            fh.write((b"," if i else b"") + json.dumps(ad, ensure_ascii=False).encode("utf-8"))
        fh.write(b"]")
    assert p.stat().st_size > 20_000_000
    tracemalloc.start()
    try:
        count = sum(1 for _ in iter_json_objects(p))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 2000
    assert peak < 3_000_000, f"peak Python heap {peak} bytes"


# -- files.iter_file_items -----------------------------------------------------------------------


def test_file_items_from_array_and_jsonl(tmp_path: Path) -> None:
    assert list(iter_file_items(write(tmp_path, "a.json", one_line_array(ITEMS)))) == ITEMS
    assert list(iter_file_items(str(write(tmp_path, "b.jsonl", jsonl(ITEMS))))) == ITEMS


def test_file_missing_is_reported_at_once(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        iter_file_items(tmp_path / "nope.json")


def test_file_that_is_a_directory(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="directory"):
        iter_file_items(tmp_path)


def test_file_unreadable(tmp_path: Path) -> None:
    p = write(tmp_path, "locked.json", one_line_array(ITEMS))
    p.chmod(0)
    try:
        try:
            p.open("rb").close()
        except PermissionError:
            pass
        else:
            pytest.skip("running as a user that can read any file (root)")
        with pytest.raises(SourceError, match="cannot read"):
            iter_file_items(p)
    finally:
        p.chmod(0o600)


def test_file_not_json(tmp_path: Path) -> None:
    p = write(tmp_path, "cv.pdf", b"%PDF-1.7\n...")
    with pytest.raises(SourceError, match="neither a JSON array nor JSON Lines"):
        list(iter_file_items(p))


def test_file_truncated_array_is_incomplete(tmp_path: Path) -> None:
    p = write(tmp_path, "snap.json", one_line_array(ITEMS)[:-1])
    it = iter_file_items(p)
    got = [next(it), next(it), next(it)]
    assert got == ITEMS
    with pytest.raises(IncompleteSnapshotError, match="snap.json"):
        next(it)
