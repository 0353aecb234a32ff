"""A large run's per-paper steps, spread over the machine's cores.

Tagging papers and rendering their pages are most of a cold run at 50,000 papers, and
each paper's result depends on that paper alone; so do parsing a page, a title's identity
for deduplication and rendering a topic or date page. ``spread(fn, items)`` is
``[fn(item) for item in items]``: the same results in the same order, so the output is
byte for byte the serial one's. With enough items and more than one core, forked worker
processes compute it. Forked, because they inherit ``fn`` and ``items`` (the vocabulary's
compiled rules, every paper) instead of receiving them pickled; only results travel back.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from typing import Callable, Sequence, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# Below this many items, forking a large process costs more than the work it shares.
MIN_ITEMS = 2_000
# Each worker takes several pieces in turn, so one slow piece does not hold up the rest.
PIECES_PER_WORKER = 4

_job: tuple[Callable, Sequence] | None = None  # what forked workers inherit


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def spread(fn: Callable[[Item], Result], items: Sequence[Item]) -> list[Result]:
    """``[fn(item) for item in items]``, in forked workers when that pays.

    An exception in a worker is raised here, as ``fn`` would have raised it.
    """
    workers = cores()
    # A fork copies only the calling thread: a lock another thread held (digest serve's
    # server and watcher) would stay locked in the worker for good.
    if workers < 2 or len(items) < MIN_ITEMS or not _alone() or \
            "fork" not in multiprocessing.get_all_start_methods():
        return [fn(item) for item in items]
    global _job
    _job = (fn, items)
    pieces = workers * PIECES_PER_WORKER
    bounds = [(len(items) * k // pieces, len(items) * (k + 1) // pieces) for k in range(pieces)]
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            done = pool.map(_piece, bounds, chunksize=1)
    finally:
        _job = None
    return [result for piece in done for result in piece]


def _alone() -> bool:
    """Whether this is the process's only thread."""
    return threading.active_count() == 1


def _piece(bounds: tuple[int, int]) -> list:
    fn, items = _job
    start, stop = bounds
    return [fn(item) for item in items[start:stop]]
