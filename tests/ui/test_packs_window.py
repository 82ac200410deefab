"""The window under the packs other than California's: a workspace per pack with its own sample
workbook, read the way a clerk, reviewer or supervisor of that county reads it."""

from __future__ import annotations

from pathlib import Path

from app.resources import samples_dir
from app.services.evaluate import evaluate
from app.services.importing import import_file
from tests.conftest import make_workspace
from tests.ui.test_review_window import _wait_idle, open_window


def _pack_workspace(tmp_path: Path, sample: str, policy: str, county: str, profile: str, *, evaluated: bool = True) -> Path:
    ws = make_workspace(tmp_path, policy=policy, county=county)
    import_file(ws, samples_dir() / sample, user="clerk", profile=profile, skip_invalid=True)
    if evaluated:
        evaluate(ws, user="clerk")
    path = ws.path
    ws.close()
    return path


def _seattle(tmp_path: Path, *, evaluated: bool = True) -> Path:
    return _pack_workspace(
        tmp_path, "seattle_municipal.xlsx", "wa-seattle-2018", "King", "sample-seattle-municipal", evaluated=evaluated
    )


def test_the_case_shown_is_reloaded_after_an_evaluation(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # The queue reloaded after Evaluate, but the case on screen kept its old text: "Not
    # evaluated yet" beside a queue row saying "1 vacate", until the reviewer moved away and back.
    win, view = open_window(qtbot, _seattle(tmp_path, evaluated=False))
    try:
        assert "Not evaluated yet" in view.case_view.text.toPlainText()
        evaluate(win.ws, user="reviewer")
        win._workspace_changed()  # what the Evaluate dialog's signal calls
        qtbot.waitUntil(lambda: "Recommendation: Eligible: vacate" in view.case_view.text.toPlainText(), timeout=10000)
        assert "Not evaluated yet" not in view.case_view.text.toPlainText()
        assert view.detail is not None and view.detail.counts[0].outcome == "eligible_vacate"
        _wait_idle(qtbot, view)
    finally:
        win.close_workspace()
