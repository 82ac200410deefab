"""Where an import's normalized batches come from: this process, or a second one for a big text file.

An import is read -> normalize -> write, all Python, and the first two are about half of it.
For a big CSV/TSV file (``PARALLEL_MIN_BYTES`` or more) a worker process (``spawn`` context,
so it works the same on Windows and in the frozen app, which calls
``multiprocessing.freeze_support()`` first) opens the file by its path, reads and normalizes
every row with its own :class:`RowNormalizer` and sends each :class:`RowBatch` through a
bounded queue, while the importing process writes the batches before it in its one
transaction. A batch is plain lists of texts, so it crosses the process boundary in about a
microsecond per row (records of objects cost ten times that, which is why an earlier version
of this did not pay). The worker never touches the workspace: the parent keeps the only
connection and the only transaction, so cancel, an error or a kill still leave the workspace
unchanged, and the worker is terminated and reaped whatever happens.

One worker reads the file from its first row to its last, so every row number, finding and
the lost-leading-zero bookkeeping are exactly the serial path's (the tests compare the two row
for row). ``CLEARSLATE_WORKERS=1`` in the environment forces the serial path.
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
from pathlib import Path
from typing import Any

from app.core.errors import ClearSlateError, ImportFailed
from app.core.progress import Progress, check_cancelled
from app.core.rowbatch import RowBatch
from app.ingest.findings import Finding
from app.ingest.mapping import ResolvedMapping
from app.ingest.normalize_rows import RowNormalizer
from app.ingest.readers import Table, open_table
from app.ingest.sniff import TEXT_KINDS
from app.ingest.validate import batches
from app.services.spawn import can_spawn, put_to_parent

# Below this size the worker's start-up (a fresh interpreter importing the ingest code, a few
# tenths of a second) costs more than it can win: stay in this process. ~60,000 rows.
PARALLEL_MIN_BYTES = 8_000_000
# File kinds the worker is used for. A workbook is read in chunks on a thread instead
# (calamine's load releases the GIL; see app.ingest.readers).
PARALLEL_KINDS = TEXT_KINDS
WORKERS_ENV = "CLEARSLATE_WORKERS"

# How many workers this process has started (the self-test checks one really ran).
started = 0

_QUEUE_DEPTH = 4  # batches in flight: bounds the worker's lead (memory) over the writer
_POLL = 0.25  # seconds between checks of cancel and of the worker still being alive


def parallel_wanted(table: Table) -> bool:
    """True when this table is big enough (and of a kind) for the worker process to pay."""
    if os.environ.get(WORKERS_ENV, "").strip() == "1":
        return False
    if table.file_kind not in PARALLEL_KINDS or (os.cpu_count() or 1) < 2 or not can_spawn():
        return False
    try:
        return table.path.stat().st_size >= PARALLEL_MIN_BYTES
    except OSError:
        return False


@dataclass(frozen=True, slots=True)
class WorkerJob:
    """Everything the worker needs to read and normalize the file as the importer would."""

    path: str
    sheet: str | None
    encoding: str | None
    header_row: int
    resolved: ResolvedMapping
    file_name: str
    layout: str
    today: dt.date
    batch_size: int
    day_first_proofs: dict[str, tuple[int, str | None]] | None = None


def _work(job: WorkerJob, out: Any) -> None:
    """The worker process: read and normalize every data row, send the batches in order."""
    # The same reason as the import's own pause (millions of acyclic objects); this process
    # ends when the file is read, so the collector is simply never turned back on.
    gc.disable()
    try:
        with open_table(job.path, sheet=job.sheet, encoding=job.encoding) as table:
            # Read the preview as the importer did, so the reading findings from here on are
            # the list the serial path compares with the ones it already reported.
            table.preview(50)
            seen_before = len(table.findings)
            normalizer = RowNormalizer(
                job.resolved,
                file=job.file_name,
                sheet=table.sheet,
                epoch=table.epoch,
                layout=job.layout,
                today=job.today,
                text_cells=table.file_kind in TEXT_KINDS,
                day_first_proofs=job.day_first_proofs,
            )
            rows = ((number, cells) for number, cells in table.rows() if number > job.header_row)
            for batch in batches(normalizer, rows, job.batch_size):
                put_to_parent(out, ("batch", batch))
            put_to_parent(
                out,
                (
                    "end",
                    normalizer.id_findings(),
                    table.findings[seen_before:],
                    normalizer.late_day_first_proofs(),
                ),
            )
    except ClearSlateError as exc:
        put_to_parent(out, ("error", exc))
    except BaseException as exc:  # noqa: BLE001 - reported to the importer, which raises it
        put_to_parent(
            out,
            ("error", ImportFailed(f"the file could not be read ({exc!r}): nothing was imported.")),
        )


class WorkerBatches:
    """The worker's batches, in file order; use as a context manager (the worker always ends).

    Iterate for the batches; afterwards :attr:`id_findings`, :attr:`reading_findings` and
    :attr:`late_day_first_proofs` hold what the worker's normalizer and reader found at the end
    (as the serial path's would).
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
        self.late_day_first_proofs: dict[str, tuple[int, str | None]] = {}

    def __enter__(self) -> WorkerBatches:
        global started
        self._process.start()
        started += 1
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the worker (if still running) and reap it: no orphan on cancel or error."""
        process = self._process
        if process.is_alive():
            process.terminate()
        process.join(5)
        if process.is_alive():  # pragma: no cover - terminate is not ignored by the worker
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

    def __iter__(self) -> Iterator[RowBatch]:
        while True:
            message = self._get()
            kind = message[0]
            if kind == "batch":
                yield message[1]
            elif kind == "end":
                self.id_findings, self.reading_findings = message[1], message[2]
                self.late_day_first_proofs = message[3]
                return
            else:
                error = message[1]
                assert isinstance(error, ClearSlateError)
                raise error


def worker_job(
    path: Path,
    table: Table,
    header_row: int,
    resolved: ResolvedMapping,
    normalizer: RowNormalizer,
    batch_size: int,
) -> WorkerJob:
    """The job that makes the worker read ``table`` exactly as ``normalizer`` would here."""
    return WorkerJob(
        str(path),
        table.sheet,
        table.encoding,
        header_row,
        resolved,
        path.name,
        normalizer.layout,
        normalizer.today,
        batch_size,
        normalizer.day_first_proofs,
    )
