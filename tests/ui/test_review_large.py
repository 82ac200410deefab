"""A 1,000,000-count workspace opens to a usable queue and scrolls without loading every row."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from app.ui.review.queue_model import MAX_PAGES, PAGE
from tests.conftest import make_workspace
from tests.review_seed import build_large, known_policy  # noqa: F401 - fixture
from tests.ui.test_review_window import open_window


@pytest.mark.slow
def test_million_counts_open_and_scroll_to_the_end(qtbot, tmp_path: Path, known_policy: None) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    ws = make_workspace(tmp_path)
    path = ws.path
    ws.close()
    sizes = build_large(path, 1_000_000)
    from app.services import review
    from app.store.workspace import Workspace

    with Workspace.open(path) as ws:
        review.refresh(ws)  # what the evaluation's aftermath does once, with a progress dialog

    started = time.perf_counter()
    win, view = open_window(qtbot, path)
    try:
        opened = time.perf_counter() - started
        assert view.model.rowCount() == sizes["cases"]
        assert opened < 5  # includes the log-on's password check and the first case
        started = time.perf_counter()
        view.table.scrollToBottom()
        view.select_row(view.model.rowCount() - 1)
        qtbot.waitUntil(lambda: view.model.cached_row(view.model.rowCount() - 1) is not None, timeout=5000)
        assert time.perf_counter() - started < 1.0
        qtbot.waitUntil(lambda: view.detail is not None and view.detail.case.case_id == view.current_case)
        # Only a few pages were ever fetched: the model did not load every row on the way.
        assert len(view.model._pages) <= MAX_PAGES  # noqa: SLF001
        assert len(view.model._pages) * PAGE < 5000  # noqa: SLF001
    finally:
        win.close_workspace()
