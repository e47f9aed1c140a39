"""Many documents printed in batches: one render per batch, here or in worker processes.

WeasyPrint lays out every page of a render before it writes any (about 5 MB a page), so a whole
city's rosters in one render would take gigabytes. A batch of about :data:`BATCH_ROWS` rows is
one render (its pages share one font subset) and is forgotten once written: memory stays at a
batch's, whatever the city's size. With more than one batch and more than one processor, batches
are printed by that many worker processes at once (started fresh, ``spawn``: they hold nothing of
this process's memory); their PDFs come back in order. Measured in benchmarks/bench_reports.py.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TypeVar

from trainer.reports import render
from trainer.reports.render import ReportError

T = TypeVar("T")

# Rows of rosters printed in one render: about 25 pages, some 250 MB for the worker that lays it out.
BATCH_ROWS = 500


def workers_for(batches: int, wanted: int | None = None) -> int:
    """How many processes print ``batches`` batches: ``wanted`` (the settings'
    ``TRAINER_REPORT_WORKERS``), else one per processor (at most 2); never more than batches."""
    if wanted is not None:
        return max(1, min(wanted, batches))
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 2, batches))


def batched(items: Iterable[tuple[T, str, int]], budget: int | None = None) -> Iterator[list[tuple[T, str]]]:
    """Consecutive groups of (item, html) whose weights (the third of each) add up to about
    ``budget`` (default :data:`BATCH_ROWS`)."""
    budget = budget or BATCH_ROWS
    group: list[tuple[T, str]] = []
    weight = 0
    for item, html, w in items:
        if group and weight + w > budget:
            yield group
            group, weight = [], 0
        group.append((item, html))
        weight += w
    if group:
        yield group


def print_batches(
    folder: Path, batches: Iterable[list[tuple[T, str]]], workers: int = 1, font: Path | None = None
) -> Iterator[tuple[list[T], bytes, list[int]]]:
    """Each batch printed as one PDF, in order: its items, the PDF and each document's pages
    (``font``: the settings', handed to the workers)."""
    if workers <= 1:
        for group in batches:
            data, counts = render.pdf_of_documents(folder, [html for _, html in group], font)
            yield [item for item, _ in group], data, counts
        return
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=gc.disable)
    pending: deque[tuple[list[T], Future[tuple[bytes, list[int]]]]] = deque()
    try:
        for group in batches:
            pending.append(([item for item, _ in group], pool.submit(_print, folder, [h for _, h in group], font)))
            while len(pending) > workers:
                yield _done(*pending.popleft())
        while pending:
            yield _done(*pending.popleft())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _print(folder: Path, htmls: list[str], font: Path | None) -> tuple[bytes, list[int]]:
    """In a worker: one batch."""
    return render.pdf_of_documents(folder, htmls, font)


def _done(items: list[T], future: Future[tuple[bytes, list[int]]]) -> tuple[list[T], bytes, list[int]]:
    try:
        data, counts = future.result()
    except BrokenProcessPool as e:
        raise ReportError(
            "PDF を作るプロセスが途中で終わりました（メモリ不足のおそれがあります）",
            "TRAINER_REPORT_WORKERS=1 で1つずつ作るか、所属ごとに --division で作ってください",
        ) from e
    return items, data, counts
