"""Many documents at once on every core: the WeasyPrint part of each render (layout and PDF, most
of its time) in worker processes, while the calling process prepares the next documents' HTML
(database, templates, line setting) and stores the finished ones.

A batch (portal/documents/batch.py) hands its documents in order and gets their PDFs back in the
same order, a few at a time, so that neither memory nor the wait for the first result grows with
the batch. Workers are forked from a server process that has loaded WeasyPrint once (forkserver:
never a fork of a process with threads, such as the app's), and each keeps its fonts loaded between
documents. One pool per process, started on first use. As with any forkserver or spawn pool, the
program's main module must be importable without side effects (`if __name__ == "__main__":`, as the
flask, gunicorn, rq and bench scripts are).
"""
import atexit
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor

from . import engine

_lock = threading.Lock()
_pools: dict[tuple, ProcessPoolExecutor] = {}
AHEAD = 2   # documents waiting per worker


def workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def _pool(static_folder: str, font_files: tuple) -> ProcessPoolExecutor:
    key = (static_folder, tuple(str(face.path) for face in font_files))
    with _lock:
        if key not in _pools:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["portal.pdf.engine"])
            _pools[key] = ProcessPoolExecutor(max_workers=workers(), mp_context=context)
        return _pools[key]


def _pdf(html: str, files: dict | None, static_folder: str, font_files: tuple) -> bytes:
    return engine.pdf_of(html, files, static_folder, font_files).pdf


def pdfs(documents: Iterable[tuple[object, str | Exception, dict | None]], static_folder: str, font_files: tuple = ()
         ) -> Iterator[tuple[object, bytes | Exception]]:
    """For each (tag, html, files) of `documents`, in their order: (tag, its PDF), or (tag, the error)
    when rendering failed or when `html` is already an error (preparing it failed). `documents` is
    read lazily, a few ahead of the results."""
    pool = _pool(static_folder, tuple(font_files))
    pending: deque = deque()
    source = iter(documents)

    def take() -> bool:
        for tag, html, files in source:
            pending.append((tag, html if isinstance(html, Exception) else pool.submit(
                _pdf, html, files, static_folder, tuple(font_files))))
            return True
        return False

    while len(pending) < AHEAD * workers() and take():
        pass
    while pending:
        tag, future = pending.popleft()
        take()
        if isinstance(future, Exception):
            yield tag, future
        else:
            error = future.exception()
            yield tag, error if error is not None else future.result()


@atexit.register
def _shutdown() -> None:
    for pool in _pools.values():
        pool.shutdown(cancel_futures=True)
