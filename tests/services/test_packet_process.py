"""The window's export in a process of its own: the same packet, the same refusals, Cancel
and a killed export process handled (app/services/packet_process.py)."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from app.core.errors import Cancelled, ExportError
from app.core.progress import PolledProgress
from app.services.packet import export_packet, stale_partials, verify_packet
from app.services.packet_process import export_packet_in_process
from app.services.signoff import signoff
from app.store.audit import recent
from tests.conftest import PASSWORD
from tests.export_seed import CA_OUTCOMES, known_policy, seed  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("known_policy")


@pytest.fixture
def supervisor(workspace, login):  # type: ignore[no-untyped-def]
    """The supervisor of a workspace with 12 counts decided and signed off."""
    seed(workspace, 12, outcomes=CA_OUTCOMES)
    user = login("supervisor")
    signoff(workspace, user, PASSWORD)
    return user


def _children() -> list[multiprocessing.process.BaseProcess]:
    return [c for c in multiprocessing.active_children() if c.name == "clearslate-export"]


class _Watch(PolledProgress):
    """Progress that remembers every report and can act on one (cancel, kill the child)."""

    def __init__(self, on_report=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        self.reports: list[tuple[int, int | None, str]] = []
        self.on_report = on_report
        self.children: set[int] = set()

    def report(self, done: int, total: int | None, message: str = "") -> None:
        super().report(done, total, message)
        self.reports.append((done, total, message))
        self.children.update(c.pid for c in _children() if c.pid)
        if self.on_report is not None:
            self.on_report(self)


def test_the_packet_made_in_its_own_process_is_the_one_made_here(
    workspace, supervisor, tmp_path: Path
) -> None:
    watch = _Watch()
    report = export_packet_in_process(workspace, supervisor, tmp_path / "there", watch)
    here = export_packet(workspace, supervisor, tmp_path / "here")
    # Made by another process, whose progress came across, and verified like any packet.
    assert watch.children and watch.reports and watch.reports[-1][2] == "Done"
    assert verify_packet(report.folder).ok
    assert sorted(f["name"] for f in report.files) == sorted(f["name"] for f in here.files)
    assert report.counts_by_outcome == here.counts_by_outcome
    assert report.fingerprint == here.fingerprint
    assert not _children()  # reaped


def test_a_refusal_there_is_raised_here_with_its_words(workspace, login, tmp_path: Path) -> None:
    seed(workspace, 3, outcomes=CA_OUTCOMES)
    with pytest.raises(ExportError) as there:
        export_packet_in_process(workspace, login("supervisor"), tmp_path / "p")
    with pytest.raises(ExportError) as here:
        export_packet(workspace, login("supervisor"), tmp_path / "p")
    assert str(there.value) == str(here.value) and "sign" in str(there.value).lower()
    assert not (tmp_path / "p").exists()


def test_cancel_crosses_over_and_leaves_no_folder(workspace, supervisor, tmp_path: Path) -> None:
    watch = _Watch(on_report=lambda w: w.cancel())
    with pytest.raises(Cancelled):
        export_packet_in_process(workspace, supervisor, tmp_path / "p", watch)
    assert not (tmp_path / "p").exists() and not stale_partials(tmp_path)
    assert [e for e in recent(workspace.conn, 10) if e.action == "export.cancelled"]
    assert not _children()


def test_a_killed_export_process_is_a_clear_error_and_its_folder_is_cleaned_later(
    workspace, supervisor, tmp_path: Path
) -> None:
    def kill(watch: _Watch) -> None:
        for child in _children():
            child.kill()

    with pytest.raises(ExportError, match="stopped before it finished"):
        export_packet_in_process(workspace, supervisor, tmp_path / "p", _Watch(on_report=kill))
    assert not (tmp_path / "p").exists()
    # The next export removes what the killed one left and writes the packet.
    report = export_packet_in_process(workspace, supervisor, tmp_path / "p")
    assert verify_packet(report.folder).ok
    assert not stale_partials(tmp_path)
