"""Analyse many images on a process pool, in input order, with bounded memory.

Images travel in fixed-size chunks (each chunk's faces are encoded in one
batch), at most ``2 * workers`` chunks are in flight, and results come back in
input order. Every worker runs single-threaded BLAS, so two workers use two
cores instead of fighting over them. Encodings do not depend on how faces are
batched (see :func:`venue_audit.faces.resnet._gemm`), so the results are the
same whatever the worker count.

Before dispatch, each item's SHA-256 is looked up in the optional cache and
among the items of this run, so exact duplicates are analysed once.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any, TypeVar

import cv2

from venue_audit.faces.cache import FaceResultCache
from venue_audit.faces.engine import ENGINE_VERSION, EngineConfig, FaceEngine, ImageAnalysis
from venue_audit.faces.errors import AnalysisFailed, FaceInputError

K = TypeVar("K")
Result = ImageAnalysis | FaceInputError

# The engine runs each model over a whole chunk in a row (weights stay in the CPU's cache):
# stored crops cost ~15 % less CPU in chunks of 32 than of 8 (measured on 400 capture crops).
CHUNK_IMAGES = 32
# A chunk also ends at this many bytes, so that large photos travel a few at a time and
# the workers finish together instead of one waiting on another's long chunk.
CHUNK_BYTES = 1 << 20
# Chunks in flight per worker: enough queued work to cover a pause of the caller (a
# commit, a slow item to extract) without a worker going idle.
CHUNKS_PER_WORKER = 4
_MARK: Any = object()  # stands for a caller's pass-through item in the result order
_BLAS_THREAD_VARIABLES = (
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)

_worker_engine: FaceEngine | None = None
# Pools alive in this process: the fork server they share is stopped when the last closes.
_live_pools = 0
_live_pools_lock = threading.Lock()


def _worker_chunk(config: EngineConfig, chunk: list[tuple[bytes, str]]) -> list[Result]:
    global _worker_engine
    if _worker_engine is None or _worker_engine.config != config:
        cv2.setNumThreads(1)  # one core per worker, for OpenCV's resizes too
        _worker_engine = FaceEngine(config)
    return _worker_engine.analyze_batch(chunk)


@contextmanager
def _single_threaded_blas_for_children() -> Iterator[None]:
    """Children read these at start-up; the parent's BLAS is already initialised."""
    saved = {name: os.environ.get(name) for name in _BLAS_THREAD_VARIABLES}
    os.environ.update({name: "1" for name in _BLAS_THREAD_VARIABLES})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def analyze_many(
    items: Iterable[tuple[K, bytes | None]],
    config: EngineConfig | None = None,
    workers: int | None = None,
    cache: FaceResultCache | None = None,
    chunk_size: int = CHUNK_IMAGES,
    pool: FacePool | None = None,
) -> Iterator[tuple[K, Result | None]]:
    """Yield ``(key, ImageAnalysis or FaceInputError)`` for each item, in input order.

    An item whose bytes are ``None`` is not analysed: it comes back as ``(key, None)``
    in its place, after every item before it, which lets a caller mark where a group
    of images ends without waiting for the group itself.

    ``workers`` defaults to the number of cores; 1 runs in this process. ``pool``
    (from :func:`face_pool`) is used instead of starting one, so that a scan that
    analyses pictures in many batches pays the workers' start-up once. A worker
    that dies (a native crash on some input) costs only that input: the pool is
    replaced, the images of the chunks it took down are retried one by one, and
    the one that kills a worker again is reported as :class:`AnalysisFailed`.
    """
    config = config or EngineConfig()
    if pool is not None:
        runner: _Runner = _PooledRunner(pool, config)
        yield from _pipeline(
            items, config, cache, chunk_size, runner, window=CHUNKS_PER_WORKER * pool.workers
        )
        return
    workers = workers or os.cpu_count() or 1
    if workers <= 1:
        yield from _pipeline(items, config, cache, chunk_size, _InlineRunner(config), window=1)
        return
    with face_pool(workers) as new_pool:
        yield from analyze_many(items, config, cache=cache, chunk_size=chunk_size, pool=new_pool)


@contextmanager
def face_pool(workers: int | None = None) -> Iterator[FacePool | None]:
    """A worker pool to reuse across :func:`analyze_many` calls (None for one worker)."""
    workers = workers or os.cpu_count() or 1
    if workers <= 1:
        yield None
        return
    pool = FacePool(workers)
    try:
        yield pool
    finally:
        pool.close()


def _worker_context() -> multiprocessing.context.BaseContext:
    """A fork server preloaded with the engine where there is one, else spawn.

    Forking the caller itself would copy whatever threads and locks it holds; a
    fork server is a clean process that imports the engine once.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["venue_audit.faces.worker_preload"])
        return context
    return multiprocessing.get_context("spawn")


def _stop_fork_server() -> None:
    """Stop multiprocessing's fork server of this process, if it runs.

    multiprocessing has no public call for it (the server lives until its parent
    exits); ``ForkServer._stop`` (CPython 3.8+, used by its own tests) closes the
    pipe whose end the server waits for, then reaps it. Without that method the
    server is left to exit with this process, as before. The next pool starts a
    new one.
    """
    try:
        from multiprocessing import forkserver
    except ImportError:  # no fork server on this platform
        return
    stop = getattr(getattr(forkserver, "_forkserver", None), "_stop", None)
    if callable(stop):
        stop()


Chunk = list[tuple[bytes, str]]
Task = Callable[[EngineConfig, Chunk], list[Result]]


class FacePool:
    """Worker processes for the engine, replaced as a whole if one of them dies.

    Workers get single-threaded BLAS in their environment. They start in the
    background: starting the fork server (which loads dlib's models and the
    encoder once) takes seconds, which the caller spends acquiring or reading
    evidence instead of waiting; the first chunk submitted waits if it must.
    """

    def __init__(self, workers: int, task: Task | None = None) -> None:
        self.workers = workers
        self.task = task or _worker_chunk
        self._executor: ProcessPoolExecutor | None = None
        self._started = threading.Event()
        self._start_error: BaseException | None = None
        self._closed = False
        global _live_pools
        with _live_pools_lock:
            _live_pools += 1
        threading.Thread(target=self._start_in_background, daemon=True).start()

    def _start_in_background(self) -> None:
        try:
            self._executor = self._start()
        except BaseException as error:  # raised again to whoever submits first
            self._start_error = error
        finally:
            self._started.set()

    def _start(self) -> ProcessPoolExecutor:
        with _single_threaded_blas_for_children():
            executor = ProcessPoolExecutor(max_workers=self.workers, mp_context=_worker_context())
            for future in [executor.submit(int) for _ in range(self.workers)]:
                future.result()
        return executor

    @property
    def executor(self) -> ProcessPoolExecutor:
        self._started.wait()
        if self._executor is None:
            raise RuntimeError("the face workers could not be started") from self._start_error
        return self._executor

    def submit(self, config: EngineConfig, chunk: Chunk) -> Future[list[Result]]:
        try:
            return self.executor.submit(self.task, config, chunk)
        except BrokenProcessPool:
            self.recover()
            return self.executor.submit(self.task, config, chunk)

    def recover(self) -> None:
        """Replace the workers if one has died; a no-op while they are healthy."""
        try:
            self.executor.submit(int).result()
        except BrokenProcessPool:
            self.executor.shutdown(wait=False, cancel_futures=True)
            self._executor = self._start()

    def close(self) -> None:
        """Stop the workers, and the fork server too once no other pool needs it.

        The fork server holds the engine's models (~180 MB) and would otherwise live
        as long as this process: through the person count, the assessment and the
        report of an audit, which need no face worker.
        """
        global _live_pools
        self._started.wait()
        if self._closed:
            return
        self._closed = True
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        with _live_pools_lock:
            _live_pools -= 1
            if _live_pools == 0:
                _stop_fork_server()

    def __enter__(self) -> FacePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Runner:
    def submit(self, chunk: Chunk) -> Future[list[Result]]:
        raise NotImplementedError

    def results(self, chunk: Chunk, future: Future[list[Result]]) -> list[Result]:
        """The chunk's results; a failed chunk is retried image by image."""
        try:
            return future.result()
        except Exception as error:
            self.recover()
            if len(chunk) == 1:
                return [AnalysisFailed(f"worker failed: {type(error).__name__}", chunk[0][1])]
            return [r for item in chunk for r in self.results([item], self.submit([item]))]

    def recover(self) -> None:
        pass


class _InlineRunner(_Runner):
    def __init__(self, config: EngineConfig) -> None:
        self.engine = FaceEngine(config)

    def submit(self, chunk: Chunk) -> Future[list[Result]]:
        future: Future[list[Result]] = Future()
        try:
            future.set_result(self.engine.analyze_batch(chunk))
        except Exception as error:
            future.set_exception(error)
        return future


class _PooledRunner(_Runner):
    def __init__(self, pool: FacePool, config: EngineConfig) -> None:
        self.pool = pool
        self.config = config

    def submit(self, chunk: Chunk) -> Future[list[Result]]:
        return self.pool.submit(self.config, chunk)

    def recover(self) -> None:
        self.pool.recover()


def _pipeline(
    items: Iterable[tuple[K, bytes | None]],
    config: EngineConfig,
    cache: FaceResultCache | None,
    chunk_size: int,
    runner: _Runner,
    window: int,
) -> Iterator[tuple[K, Result | None]]:
    """Chunk, dispatch and re-order. ``window`` bounds the chunks in flight."""
    params = config.parameters_hash()
    # Each entry of `order` is (key, sha, result); result None = still computing in the
    # chunk named by sha_to_slot[sha] = (chunk id, index in chunk).
    order: deque[tuple[K, str, Result | None]] = deque()
    sha_to_slot: dict[str, tuple[int, int]] = {}
    in_flight: dict[int, tuple[Chunk, Future[list[Result]]]] = {}
    finished: dict[int, list[Result]] = {}
    readers: dict[int, int] = {}
    current: Chunk = []
    current_bytes = 0
    next_chunk = 0

    def flush() -> None:
        nonlocal current, current_bytes, next_chunk
        if current:
            in_flight[next_chunk] = (current, runner.submit(current))
            next_chunk += 1
            current, current_bytes = [], 0

    def ready(entry: tuple[K, str, Result | None]) -> bool:
        if entry[2] is not None:
            return True
        chunk_id = sha_to_slot[entry[1]][0]
        return chunk_id in finished or (chunk_id in in_flight and in_flight[chunk_id][1].done())

    def drain(limit: int) -> Iterator[tuple[K, Result | None]]:
        while order and (len(in_flight) > limit or ready(order[0])):
            key, sha, result = order.popleft()
            if result is _MARK:
                yield key, None
                continue
            if result is None:
                chunk_id, index = sha_to_slot[sha]
                if chunk_id not in finished:
                    finished[chunk_id] = runner.results(*in_flight.pop(chunk_id))
                result = finished[chunk_id][index]
                readers[chunk_id] -= 1
                if readers[chunk_id] == 0:
                    del finished[chunk_id], readers[chunk_id]
                    for done_sha in [h for h, slot in sha_to_slot.items() if slot[0] == chunk_id]:
                        del sha_to_slot[done_sha]
                if cache is not None and isinstance(result, ImageAnalysis):
                    cache.put(result, ENGINE_VERSION, params)
            yield key, result

    for key, data in items:
        if data is None:  # a caller's mark, passed through in its place
            order.append((key, "", _MARK))
            yield from drain(limit=window)
            continue
        sha = hashlib.sha256(data).hexdigest()
        cached = cache.get(sha, ENGINE_VERSION, params) if cache is not None else None
        if cached is not None:
            order.append((key, sha, cached))
        elif sha in sha_to_slot:  # an exact duplicate of an image still in flight
            order.append((key, sha, None))
            readers[sha_to_slot[sha][0]] += 1
        else:
            sha_to_slot[sha] = (next_chunk, len(current))
            readers[next_chunk] = readers.get(next_chunk, 0) + 1
            current.append((data, str(key)))
            current_bytes += len(data)
            order.append((key, sha, None))
            if len(current) >= chunk_size or current_bytes >= CHUNK_BYTES:
                flush()
        yield from drain(limit=window)
    flush()
    yield from drain(limit=-1)
    if cache is not None:
        cache.flush()
