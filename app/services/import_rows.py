"""Where an import's normalized rows come from: this process, or a second one on a big file.

An import is read -> normalize -> write, all Python. On a big file (``PARALLEL_MIN_ROWS`` or
more) a worker process (``spawn`` context, so it works the same on Windows and in the frozen
app, which calls ``multiprocessing.freeze_support()`` first) opens the file by its path,
reads and normalizes every row with its own :class:`RowNormalizer` and streams compact
batches through a bounded queue, while the importing process writes the previous batches in
its one transaction. The worker never touches the workspace; the parent keeps the only
connection and the only transaction, so cancel, an error or a kill still leave the
workspace unchanged, and the worker is terminated and joined whatever happens.

One worker, reading the file from its first row to its last, so every row number, finding
and the lost-leading-zero bookkeeping are exactly the serial path's (the tests compare both
row for row). Environment: ``CLEARSLATE_WORKERS=1`` forces the serial path.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import multiprocessing
import os
import queue
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from app.core.dates import cell_text
from app.core.errors import ClearSlateError, ImportFailed
from app.core.progress import Progress, check_cancelled
from app.ingest.findings import Finding
from app.ingest.mapping import ResolvedMapping
from app.ingest.normalize_rows import RowNormalizer, RowRecord, RowResult
from app.ingest.readers import Table, open_table
from app.store.imports import encode_raw

# Below this many rows (the reader's estimate) the worker's start-up (a fresh interpreter
# importing the ingest code, ~0.3-0.5 s) costs more than it can win: stay in this process.
PARALLEL_MIN_ROWS = 50_000
# File kinds the worker is used for. A workbook is not: the worker would have to load the
# sheet again (calamine's load is most of an xlsx import), which measured no faster.
PARALLEL_KINDS = frozenset({"csv", "tsv"})
WORKERS_ENV = "CLEARSLATE_WORKERS"

_SEND = 2000  # rows per message: big enough to amortise the queue, small enough to overlap
_QUEUE_DEPTH = 8  # messages in flight: bounds the worker's lead (memory) over the writer
_POLL = 0.25  # seconds between checks of cancel and of the worker still being alive

# One usable-or-error row: (row number, record or None, its findings, raw texts if skipped).
Item = tuple[int, RowRecord | None, list[Finding], list[str | None] | None]


def parallel_wanted(table: Table) -> bool:
    """True when this table is big enough (and of a kind) for the worker process to pay."""
    if os.environ.get(WORKERS_ENV, "").strip() == "1":
        return False
    if table.file_kind not in PARALLEL_KINDS:
        return False
    return table.row_hint(PARALLEL_MIN_ROWS) >= PARALLEL_MIN_ROWS


def normalized_items(
    normalizer: RowNormalizer,
    rows: Iterator[tuple[int, list[Any]]],
    *,
    skip_invalid: bool,
    size: int = 1000,
) -> Iterator[Item]:
    """Each non-blank row normalized (a chunk at a time, the fast path) as an :data:`Item`."""

    def emit(chunk: list[tuple[int, list[Any]]], results: list[RowResult]) -> Iterator[Item]:
        for (row_number, cells), result in zip(chunk, results, strict=True):
            if result.blank:
                continue
            skipped = None
            if result.record is None and skip_invalid and result.error is not None:
                skipped = [cell_text(c) for c in cells]
            yield row_number, result.record, result.findings, skipped

    chunk: list[tuple[int, list[Any]]] = []
    for item in rows:
        chunk.append(item)
        if len(chunk) >= size:
            yield from emit(chunk, normalizer.normalize_batch(chunk))
            chunk = []
    if chunk:
        yield from emit(chunk, normalizer.normalize_batch(chunk))


@dataclass(frozen=True, slots=True)
class WorkerJob:
    """Everything the worker needs to read and normalize the file as the parent would."""

    path: str
    sheet: str | None
    encoding: str | None
    header_row: int
    resolved: ResolvedMapping
    file_name: str
    layout: str
    today: dt.date | None
    skip_invalid: bool


def _put(out: Any, message: tuple[Any, ...]) -> None:
    """Put with back-pressure; give up (exit) if the importing process has gone away."""
    parent = multiprocessing.parent_process()
    while True:
        try:
            out.put(message, timeout=1.0)
            return
        except queue.Full:
            if parent is not None and not parent.is_alive():
                os._exit(1)  # the importer was killed: nobody will read this, do not linger


def _work(job: WorkerJob, out: Any) -> None:
    """The worker process: read and normalize every data row, send them in batches."""
    # The same reason as the import's own pause (millions of acyclic objects); this process
    # ends when the file is read, so the collector is simply never turned back on.
    gc.disable()
    try:
        with open_table(job.path, sheet=job.sheet, encoding=job.encoding) as table:
            # Read the preview as the parent did, so the reading findings from here on are
            # the same list the serial path compares with the ones it already reported.
            table.preview(50)
            seen_before = len(table.findings)
            normalizer = RowNormalizer(
                job.resolved,
                file=job.file_name,
                sheet=table.sheet,
                epoch=table.epoch,
                layout=job.layout,
                today=job.today,
            )
            rows = ((number, cells) for number, cells in table.rows() if number > job.header_row)
            batch: list[Item] = []
            for item in normalized_items(normalizer, rows, skip_invalid=job.skip_invalid):
                record = item[1]
                if record is not None:
                    # The row's stored text travels as one string (see RowRecord.raw_json).
                    record.raw_json = encode_raw(record.raw)
                    record.raw = []
                batch.append(item)
                if len(batch) >= _SEND:
                    _put(out, ("rows", batch))
                    batch = []
            _put(out, ("rows", batch))
            _put(out, ("end", normalizer.id_findings(), table.findings[seen_before:]))
    except ClearSlateError as exc:
        _put(out, ("error", exc))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises it
        _put(
            out,
            ("error", ImportFailed(f"the file could not be read ({exc!r}): nothing was imported.")),
        )


class ParallelRows:
    """The worker's rows, in file order; use as a context manager (the worker always ends).

    Iterate for the items; afterwards :attr:`id_findings` and :attr:`reading_findings` hold
    what the worker's normalizer and reader found at the end (as the serial path's).
    """

    def __init__(self, job: WorkerJob, progress: Progress | None = None) -> None:
        self._job = job
        self._progress = progress
        context = multiprocessing.get_context("spawn")
        self._queue: Any = context.Queue(_QUEUE_DEPTH)
        self._process = context.Process(
            target=_work, args=(job, self._queue), name="clearslate-import-reader", daemon=True
        )
        self.id_findings: list[Finding] = []
        self.reading_findings: list[Finding] = []

    def __enter__(self) -> ParallelRows:
        self._process.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the worker (if still running) and reap it: no orphan on cancel or error."""
        process = self._process
        if process.is_alive():
            process.terminate()
        process.join(5)
        if process.is_alive():  # pragma: no cover - terminate is not ignored by our worker
            process.kill()
            process.join()
        self._queue.close()
        # Do not wait for the queue's feeder thread: the worker is gone, nothing is pending.
        self._queue.cancel_join_thread()

    def _get(self) -> tuple[Any, ...]:
        while True:
            try:
                return self._queue.get(timeout=_POLL)
            except queue.Empty:
                check_cancelled(self._progress)
                if not self._process.is_alive():
                    # It may have put its last message just before ending.
                    with contextlib.suppress(queue.Empty):
                        return self._queue.get(timeout=_POLL)
                    raise ImportFailed(
                        "The process reading the file stopped unexpectedly "
                        f"(exit code {self._process.exitcode}): nothing was imported.",
                        file=self._job.file_name,
                    ) from None

    def __iter__(self) -> Iterator[Item]:
        while True:
            message = self._get()
            kind = message[0]
            if kind == "rows":
                yield from message[1]
            elif kind == "end":
                self.id_findings, self.reading_findings = message[1], message[2]
                return
            else:
                error = message[1]
                assert isinstance(error, ClearSlateError)
                raise error
