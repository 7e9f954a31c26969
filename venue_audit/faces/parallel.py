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
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

import cv2

from venue_audit.faces.cache import FaceResultCache
from venue_audit.faces.engine import ENGINE_VERSION, EngineConfig, FaceEngine, ImageAnalysis
from venue_audit.faces.errors import FaceInputError

K = TypeVar("K")
Result = ImageAnalysis | FaceInputError

CHUNK_IMAGES = 8
_BLAS_THREAD_VARIABLES = (
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)

_worker_engine: FaceEngine | None = None


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
    items: Iterable[tuple[K, bytes]],
    config: EngineConfig | None = None,
    workers: int | None = None,
    cache: FaceResultCache | None = None,
    chunk_size: int = CHUNK_IMAGES,
) -> Iterator[tuple[K, Result]]:
    """Yield ``(key, ImageAnalysis or FaceInputError)`` for each item, in input order.

    ``workers`` defaults to the number of cores; 1 runs in this process.
    """
    config = config or EngineConfig()
    workers = workers or os.cpu_count() or 1
    params = config.parameters_hash()
    if workers <= 1:
        engine = FaceEngine(config)
        submit = _InlineSubmitter(engine)
        yield from _pipeline(items, config, params, cache, chunk_size, submit, window=1)
        return
    context = _worker_context()
    with (
        _single_threaded_blas_for_children(),
        ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool,
    ):

        def submit(chunk: list[tuple[bytes, str]]) -> Future[list[Result]]:
            return pool.submit(_worker_chunk, config, chunk)

        yield from _pipeline(items, config, params, cache, chunk_size, submit, window=2 * workers)


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


class _InlineSubmitter:
    def __init__(self, engine: FaceEngine) -> None:
        self.engine = engine

    def __call__(self, chunk: list[tuple[bytes, str]]) -> Future[list[Result]]:
        future: Future[list[Result]] = Future()
        future.set_result(self.engine.analyze_batch(chunk))
        return future


def _pipeline(
    items: Iterable[tuple[K, bytes]],
    config: EngineConfig,
    params: str,
    cache: FaceResultCache | None,
    chunk_size: int,
    submit: object,
    window: int,
) -> Iterator[tuple[K, Result]]:
    # Each entry of `order` is (key, sha, source) where source is a finished result,
    # or the index of the chunk (and position in it) that computes this sha.
    order: deque[tuple[K, str, Result | None]] = deque()
    sha_to_slot: dict[str, tuple[int, int]] = {}
    chunk_futures: dict[int, Future[list[Result]]] = {}
    chunk_done: dict[int, list[Result]] = {}
    chunk_readers: dict[int, int] = {}
    current: list[tuple[bytes, str]] = []
    next_chunk = 0

    def flush() -> None:
        nonlocal current, next_chunk
        if current:
            chunk_futures[next_chunk] = submit(current)  # type: ignore[operator]
            next_chunk += 1
            current = []

    def drain(block_until: int) -> Iterator[tuple[K, Result]]:
        while order and (len(chunk_futures) > block_until or _ready(order[0])):
            key, sha, result = order.popleft()
            if result is None:
                slot = sha_to_slot[sha]
                if slot[0] not in chunk_done:
                    chunk_done[slot[0]] = chunk_futures.pop(slot[0]).result()
                result = chunk_done[slot[0]][slot[1]]
                chunk_readers[slot[0]] -= 1
                if chunk_readers[slot[0]] == 0:
                    del chunk_done[slot[0]], chunk_readers[slot[0]]
                    sha_to_slot.pop(sha, None)
                    _forget_chunk(sha_to_slot, slot[0])
                if cache is not None and isinstance(result, ImageAnalysis):
                    cache.put(result, ENGINE_VERSION, params)
            yield key, result

    def _ready(entry: tuple[K, str, Result | None]) -> bool:
        if entry[2] is not None:
            return True
        slot = sha_to_slot[entry[1]]
        return slot[0] in chunk_done or (slot[0] in chunk_futures and chunk_futures[slot[0]].done())

    for key, data in items:
        sha = hashlib.sha256(data).hexdigest()
        cached = cache.get(sha, ENGINE_VERSION, params) if cache is not None else None
        if cached is not None:
            order.append((key, sha, cached))
        elif sha in sha_to_slot:
            order.append((key, sha, None))
            chunk_readers[sha_to_slot[sha][0]] += 1
        else:
            sha_to_slot[sha] = (next_chunk, len(current))
            chunk_readers[next_chunk] = chunk_readers.get(next_chunk, 0) + 1
            current.append((data, str(key)))
            order.append((key, sha, None))
            if len(current) >= chunk_size:
                flush()
        yield from drain(block_until=window)
    flush()
    yield from drain(block_until=-1)


def _forget_chunk(sha_to_slot: dict[str, tuple[int, int]], chunk: int) -> None:
    for sha in [s for s, slot in sha_to_slot.items() if slot[0] == chunk]:
        del sha_to_slot[sha]
