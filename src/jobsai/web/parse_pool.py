"""Read uploaded CV files in a few reused worker processes, under hard limits set by the OS.

Why (issue 14): an upload is untrusted input to pypdf, python-docx and lxml, and their cost is
not bounded by the file's size. A 2 kB PDF whose forms draw each other runs text extraction for
minutes; a 300 kB DOCX of honest XML took 16 s and 1.4 GB that the server never gave back; a
9 MB PDF of 99,000 pages cost 7 s and 220 MB before the page limit could refuse it. Parsed in a
thread of the server, such a file cannot be stopped (Python threads cannot be killed: after a
504 the thread went on), holds the GIL against every other request, and leaves its memory in
the server's heap. So every uploaded file is read in a separate process that:

* sets its own ``RLIMIT_CPU`` (CPU seconds per parse: the kernel stops it with SIGXCPU) and
  ``RLIMIT_AS`` (address space: allocation fails, Python raises MemoryError) before it reads
  any upload, and runs at a lower CPU priority (``nice``) so that matching wins a busy core;
* is killed by the parent when the wall-clock limit passes, when the request is abandoned (the
  client went away, the API answered 504) or when the pool closes;
* is reused for the next upload (start-up costs ~0.3 s) and replaced after ``max_parses``
  parses, after a parse that left it large, and after any failure.

The pool holds ``workers`` slots and lets at most ``queue`` more uploads wait for one; anything
beyond that is refused at once with 503 (:class:`~jobsai.web.errors.BusyError`). Parse slots
are separate from the match slots, so a flood of hostile files cannot starve matching.

What crosses the process boundary is JSON, never pickle: the child sends the extracted text and
what the caller needs about it (kind, language, words, pages), or the name of a typed
:class:`~jobsai.errors.CVError` and its message, which the parent raises again as the same type
with the same text. A child over a limit becomes :class:`~jobsai.errors.ParseLimitError`.

Why a plain ``python -m jobsai.web.parse_pool`` child and not ``multiprocessing``: its
``spawn`` and ``forkserver`` start methods import the parent's ``__main__`` in the child (or in
the fork server), so a server started from a script that imports torch or Gradio would begin
every worker with gigabytes of address space and fail ``RLIMIT_AS`` on its first allocation;
``fork`` copies a process that holds torch's threads and locks. ``subprocess`` starts a fresh
interpreter with vfork+exec (safe from a threaded process), ~45 MB before the first file. The
pipes carry length-prefixed messages through :class:`multiprocessing.connection.Connection`.

The CV text is never logged, here or in the child (its stderr goes to /dev/null: a traceback
could quote the file).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import math
import os
import resource  # POSIX: the limits are what this module is for
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import jobsai
from jobsai import errors as error_types
from jobsai.cv.extract import CVText
from jobsai.cv.messages import subject
from jobsai.errors import CorruptFileError, CVError, ParseLimitError
from jobsai.web.errors import BusyError, NotReadyError

log = logging.getLogger(__name__)

PARSE_NICE = 10
"""The child's niceness: under CFS a nice-10 process gets ~1/10 of a core that a nice-0 matcher wants."""
MAX_REPLY_BYTES = 32 * 1024 * 1024
"""A reply longer than this is refused (the extractor caps text at 2 M characters, < 8 MB as UTF-8)."""
START_TIMEOUT_S = 30.0
"""How long a new worker may take to import the parsers and say it is ready."""
EXIT_OVER_MEMORY = 3
"""The child's exit status when it runs out of address space outside a parse."""
DEFAULT_PARSER = "jobsai.cv.extract:extract_cv_text"
"""What a worker calls on each file: ``module:function`` taking ``(data, *, filename, max_bytes,
min_words)`` and returning a :class:`~jobsai.cv.extract.CVText`. Tests and benchmarks name another."""


@dataclass(frozen=True, slots=True)
class ParseLimits:
    """What one upload may cost. Defaults: see ``Settings.web_parse_*``."""

    cpu_s: float = 10.0
    """CPU seconds for one file (``RLIMIT_CPU``, enforced by the kernel in the child)."""
    memory_mb: int = 512
    """Address space of a worker process (``RLIMIT_AS``); the parsers start at ~70 MB of it."""
    wall_s: float = 15.0
    """Wall-clock seconds for one file (enforced by the parent: the child is killed)."""
    max_parses: int = 50
    """A worker is replaced after this many files."""
    recycle_rss_mb: int = 200
    """… or as soon as a file left it holding more than this (memory a process never returns)."""


@dataclass(frozen=True, slots=True)
class PoolStats:
    """Counters for tests and benchmarks."""

    started: int
    """Worker processes started."""
    parses: int
    """Files read to an answer (text or a typed refusal)."""
    over_limits: int
    """Files stopped by a CPU, memory or wall-clock limit."""
    cancelled: int
    """Parses whose request was abandoned; the worker was killed."""
    busy: int
    """Uploads refused because every slot and the queue were taken."""
    alive: tuple[int, ...]
    """Process ids of the workers alive now."""


class _WorkerGone(Exception):
    """The worker process ended (or was killed) before it answered."""

    def __init__(self, returncode: int | None) -> None:
        super().__init__(f"parse worker ended with status {returncode}")
        self.returncode = returncode


class _Worker:
    """One child process and the two pipes to it. Used by one thread at a time (its slot's)."""

    def __init__(self, limits: ParseLimits, parser: str) -> None:
        self.limits = limits
        self.parses = 0
        self._cleanup = threading.Lock()
        req_read, req_write = os.pipe()
        rep_read, rep_write = os.pipe()
        src_root = str(Path(jobsai.__file__).resolve().parents[1])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (src_root, env.get("PYTHONPATH")) if p)
        # Total CPU a worker may use over its life (per-file limits are set below it, one by one).
        lifetime_cpu = math.ceil(limits.cpu_s * (limits.max_parses + 1) + START_TIMEOUT_S)
        args = [
            sys.executable, "-m", "jobsai.web.parse_pool",
            str(req_read), str(rep_write), str(limits.memory_mb), str(lifetime_cpu), parser,
        ]
        try:
            self.proc = subprocess.Popen(
                args, pass_fds=(req_read, rep_write), env=env, start_new_session=True,
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
        except BaseException:
            for fd in (req_read, req_write, rep_read, rep_write):
                os.close(fd)
            raise
        os.close(req_read)  # the child has its own copies of its two ends
        os.close(rep_write)
        self._to_child = Connection(req_write, readable=False)
        self._from_child = Connection(rep_read, writable=False)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def wait_ready(self, timeout: float) -> None:
        reply = self._receive(time.monotonic() + timeout, None)
        if not reply.get("ready"):
            raise _WorkerGone(self.proc.poll())

    def parse(
        self, data: bytes, request: dict[str, Any], deadline: float, cancel: threading.Event | None
    ) -> dict[str, Any]:
        """Send one file and wait for the answer; raises :class:`_WorkerGone` or ``TimeoutError``."""
        try:
            self._to_child.send_bytes(json.dumps(request).encode())
            self._to_child.send_bytes(data)
        except OSError as exc:  # the child is gone (BrokenPipeError)
            raise _WorkerGone(self.proc.poll()) from exc
        self.parses += 1
        return self._receive(deadline, cancel)

    def _receive(self, deadline: float, cancel: threading.Event | None) -> dict[str, Any]:
        while True:
            if cancel is not None and cancel.is_set():
                raise _Cancelled
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            try:
                ready = self._from_child.poll(min(0.05, remaining))
            except OSError as exc:
                raise _WorkerGone(self.proc.poll()) from exc
            if ready:
                break
        try:
            raw = self._from_child.recv_bytes(MAX_REPLY_BYTES)
        except (EOFError, OSError) as exc:  # died (EOF), or an over-long message
            self.kill()
            raise _WorkerGone(self.proc.returncode) from exc
        reply = json.loads(raw)
        if not isinstance(reply, dict):
            raise _WorkerGone(self.proc.poll())
        return reply

    def terminate(self) -> None:
        """SIGKILL the child; safe from any thread (the thread using the worker then reads EOF)."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):  # it ended just now
                self.proc.kill()

    def kill(self) -> None:
        """Stop the child, reap it and close the pipes (by the thread that holds the worker, or when idle)."""
        self.terminate()
        with self._cleanup:
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL cannot be ignored
                log.warning("parse worker %d did not exit after SIGKILL", self.proc.pid)
            for conn in (self._to_child, self._from_child):
                conn.close()


class _Cancelled(Exception):
    """The caller abandoned the request while its file was being read."""


class ParsePool:
    """Worker processes that read uploaded CVs under limits; see the module docstring. Thread-safe.

    Owned by the web service (one per app, closed on shutdown); workers start when first needed.
    """

    def __init__(
        self, limits: ParseLimits, *, workers: int = 2, queue: int = 8, parser: str = DEFAULT_PARSER
    ) -> None:
        if workers < 1 or queue < 0:
            raise ValueError("workers must be >= 1 and queue >= 0")
        self.limits = limits
        self.parser = parser
        self.workers = workers
        self.queue = queue
        self._cond = threading.Condition()
        self._free = workers
        self._waiting = 0
        self._idle: list[_Worker] = []
        self._live: set[_Worker] = set()
        self._closed = False
        self._counts = {"started": 0, "parses": 0, "over_limits": 0, "cancelled": 0, "busy": 0}

    # -- public -----------------------------------------------------------------------------

    def parse(
        self,
        data: bytes,
        filename: str | None,
        *,
        max_bytes: int,
        min_words: int,
        wait_s: float,
        cancel: threading.Event | None = None,
    ) -> CVText:
        """The file's text, as ``jobsai.cv.extract.extract_cv_text`` reads it, in a worker process.

        Raises the extractor's typed :class:`~jobsai.errors.CVError` (same type, same message),
        :class:`ParseLimitError` when the file needs more CPU, memory or time than allowed,
        :class:`BusyError` when no slot frees up within ``wait_s`` (or too many already wait), and
        :class:`NotReadyError` once the pool is closed. Setting ``cancel`` kills the worker.
        """
        worker = self._acquire(wait_s, cancel)
        healthy = False
        try:
            worker = self._ready_worker(worker)
            request = {
                "filename": filename, "max_bytes": max_bytes, "min_words": min_words, "cpu_s": self.limits.cpu_s,
            }
            started = time.monotonic()
            try:
                reply = worker.parse(bytes(data), request, started + self.limits.wall_s, cancel)
            except TimeoutError:
                self._count("over_limits")
                log.info("upload refused: over the %gs wall-clock limit", self.limits.wall_s)
                raise self._limit_error(filename) from None
            except _Cancelled:
                self._count("cancelled")
                log.info("upload abandoned after %.1fs; its parse worker is stopped", time.monotonic() - started)
                raise NotReadyError("The request was abandoned.") from None
            except _WorkerGone as gone:
                worker.kill()
                if self._closed:
                    raise NotReadyError("JobsAI is shutting down; try again in a moment.") from None
                self._count("over_limits")
                log.info("upload refused: parse worker ended with status %s", gone.returncode)
                raise self._limit_error(filename) from None
            healthy = self._keep(worker, reply)
            return self._result(reply, filename)
        finally:
            self._release(worker, healthy)

    def stats(self) -> PoolStats:
        with self._cond:
            return PoolStats(**self._counts, alive=tuple(sorted(w.pid for w in self._live if w.alive())))

    def close(self) -> None:
        """Kill every worker (busy ones too: their callers get NotReadyError). Idempotent."""
        with self._cond:
            self._closed = True
            idle, busy = list(self._idle), [w for w in self._live if w not in self._idle]
            self._idle.clear()
            self._live.difference_update(idle)
            self._cond.notify_all()
        for worker in idle:
            worker.kill()
        for worker in busy:  # the thread reading from it sees the pipe close and cleans up
            worker.terminate()

    # -- slots ------------------------------------------------------------------------------

    def _acquire(self, wait_s: float, cancel: threading.Event | None) -> _Worker | None:
        deadline = time.monotonic() + wait_s
        with self._cond:
            if self._closed:
                raise NotReadyError("JobsAI is shutting down; try again in a moment.")
            if self._free == 0 and self._waiting >= self.queue:
                self._counts["busy"] += 1
                raise BusyError("Too many files are being read right now; try again in a moment.")
            self._waiting += 1
            try:
                while self._free == 0 and not self._closed:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0 or (cancel is not None and cancel.is_set()):
                        self._counts["busy"] += 1
                        raise BusyError("Too many files are being read right now; try again in a moment.")
                    self._cond.wait(min(0.1, remaining))
            finally:
                self._waiting -= 1
            if self._closed:
                raise NotReadyError("JobsAI is shutting down; try again in a moment.")
            self._free -= 1
            return self._idle.pop() if self._idle else None

    def _release(self, worker: _Worker | None, healthy: bool) -> None:
        with self._cond:
            self._free += 1
            if worker is not None and healthy and not self._closed:
                self._idle.append(worker)
            elif worker is not None:
                self._live.discard(worker)
            self._cond.notify()
        if worker is not None and not healthy:
            worker.kill()

    def _ready_worker(self, worker: _Worker | None) -> _Worker:
        if worker is not None and worker.alive():
            return worker
        if worker is not None:
            with self._cond:
                self._live.discard(worker)
            worker.kill()
        fresh = _Worker(self.limits, self.parser)
        with self._cond:
            self._live.add(fresh)
            self._counts["started"] += 1
            closed = self._closed
        if closed:
            fresh.kill()
            raise NotReadyError("JobsAI is shutting down; try again in a moment.")
        try:
            fresh.wait_ready(START_TIMEOUT_S)
        except (TimeoutError, _WorkerGone, _Cancelled) as exc:
            with self._cond:
                self._live.discard(fresh)
            fresh.kill()
            log.error("a parse worker could not start (%s)", type(exc).__name__)
            raise NotReadyError("Reading files is unavailable right now; paste the text of your CV instead.") from exc
        return fresh

    def _keep(self, worker: _Worker, reply: dict[str, Any]) -> bool:
        """Whether ``worker`` may read another file after this ``reply``."""
        if "limit" in reply or "crash" in reply or reply.get("retire"):
            return False
        if worker.parses >= self.limits.max_parses:
            return False
        return int(reply.get("rss_kb", 0)) <= self.limits.recycle_rss_mb * 1024

    def _count(self, name: str) -> None:
        with self._cond:
            self._counts[name] += 1

    # -- answers ----------------------------------------------------------------------------

    def _result(self, reply: dict[str, Any], filename: str | None) -> CVText:
        if "ok" in reply:
            self._count("parses")
            ok = reply["ok"]
            return CVText(
                text=str(ok["text"]), kind=ok["kind"], language=ok["language"], words=int(ok["words"]),
                pages=None if ok.get("pages") is None else int(ok["pages"]),
            )
        if "error" in reply:
            self._count("parses")
            raise _typed_error(reply["error"], str(reply.get("message", "")), filename)
        if "limit" in reply:
            self._count("over_limits")
            log.info("upload refused: over the %s limit", reply["limit"])
            raise self._limit_error(filename)
        log.warning("parse worker failed on an upload: %s", reply.get("crash", "unknown"))
        raise CorruptFileError(
            f"{subject(filename)} could not be read: it may be damaged. Export or save it again and "
            "upload the new file, or paste the text of your CV instead."
        )

    def _limit_error(self, filename: str | None) -> ParseLimitError:
        return ParseLimitError(
            f"{subject(filename)} could not be read within our limits: it needs far more time or memory "
            "than a CV does. Export a plainer PDF or .docx from Word or Google Docs, or paste the text of "
            "your CV instead."
        )


def _typed_error(names: Sequence[str], message: str, filename: str | None) -> CVError:
    """The child's error as the same type (or the nearest known base) with the same message."""
    known = {
        name: cls for name, cls in vars(error_types).items()
        if isinstance(cls, type) and issubclass(cls, CVError)
    }
    for name in names:
        cls = known.get(name)
        if cls is not None:
            return cls(message)
    return CorruptFileError(message or f"{subject(filename)} could not be read.")


# -- the child --------------------------------------------------------------------------------


def _cpu_used() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _memory_kb() -> tuple[int, int]:
    """(resident now, peak address space) of this process, in kB; (max RSS, 0) where /proc is missing."""
    try:
        with open("/proc/self/status") as fh:
            fields = dict(line.split(":", 1) for line in fh if ":" in line)
        return int(fields["VmRSS"].split()[0]), int(fields["VmPeak"].split()[0])
    except (OSError, ValueError, KeyError, IndexError):
        return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss), 0


def _child_main(argv: Sequence[str]) -> int:
    """The worker: limit itself, then read files from the parent until it closes the pipe."""
    fd_in, fd_out, memory_mb, lifetime_cpu = (int(a) for a in argv[:4])
    module_name, _, function_name = argv[4].partition(":")
    inbox, outbox = Connection(fd_in, writable=False), Connection(fd_out, readable=False)
    os.nice(PARSE_NICE)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # SIGXCPU would dump core otherwise
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # a parser has no business writing files

    # The parsers import lazily, at first use: do it now (it counts against the limits), not in a request.
    import docx  # noqa: F401
    import pypdf  # noqa: F401

    parse = getattr(importlib.import_module(module_name), function_name)

    limit = memory_mb * 1024 * 1024
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):  # macOS refuses it; CPU and wall-clock limits still hold there
        if sys.platform.startswith("linux"):
            raise
    resource.setrlimit(resource.RLIMIT_CPU, (lifetime_cpu, lifetime_cpu))
    outbox.send_bytes(json.dumps({"ready": True, "rss_kb": _memory_kb()[0]}).encode())
    near_limit_kb = 0.9 * limit / 1024

    while True:
        try:
            request = json.loads(inbox.recv_bytes())
            data = inbox.recv_bytes()
        except EOFError:
            return 0
        except MemoryError:
            return EXIT_OVER_MEMORY
        soft = min(lifetime_cpu, math.ceil(_cpu_used() + float(request["cpu_s"])))
        resource.setrlimit(resource.RLIMIT_CPU, (soft, lifetime_cpu))
        reply: dict[str, Any]
        try:
            cv = parse(
                data, filename=request.get("filename"), max_bytes=int(request["max_bytes"]),
                min_words=int(request["min_words"]),
            )
            reply = {"ok": {"text": cv.text, "kind": cv.kind, "language": cv.language, "words": cv.words,
                            "pages": cv.pages}}
            del cv
        except MemoryError:
            reply = {"limit": "memory"}
        except CVError as exc:
            reply = {"error": [cls.__name__ for cls in type(exc).__mro__], "message": str(exc)}
        except RecursionError:
            reply = {"limit": "recursion"}
        except Exception as exc:  # a parser bug: say what kind, never the message (it may quote the file)
            reply = {"crash": type(exc).__name__}
        del data
        try:
            reply["rss_kb"], peak_kb = _memory_kb()
            if peak_kb >= near_limit_kb:
                # The parse ran into the address-space limit. lxml reports a failed allocation as a
                # syntax error ("damaged"); the honest reason is the limit. This worker is retired.
                reply = {"limit": "memory"} if "ok" not in reply else {**reply, "retire": True}
            outbox.send_bytes(json.dumps(reply).encode())
        except MemoryError:
            return EXIT_OVER_MEMORY
        except OSError:  # the parent is gone
            return 0


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
