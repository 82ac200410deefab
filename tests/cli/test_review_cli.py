"""``review WS --user U``: accept, override with reason, flag, accept-all with a filter, JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from tests.conftest import make_workspace
from tests.review_seed import known_policy, seed_small  # noqa: F401 - fixture


@pytest.fixture
def ws_path(tmp_path: Path, known_policy: None) -> Path:  # noqa: F811 - the fixture
    ws = make_workspace(tmp_path)
    seed_small(ws)
    path = ws.path
    ws.close()
    return path


def _cli(capsys, *args: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    code = main(["review", *args])
    out, err = capsys.readouterr()
    return code, out, err


def _last(path: Path, count_key: str) -> tuple[str, str | None, str, str | None, str] | None:
    from app.store.workspace import Workspace

    case, count = count_key.split("/")
    with Workspace.open(path) as ws:
        row = ws.conn.execute(
            "SELECT d.status, d.final_outcome, d.action, d.reason, d.user FROM decisions d JOIN counts c ON c.id = d.count_id "
            "JOIN cases ca ON ca.id = c.case_id WHERE ca.case_number = ? AND c.count_number = ? ORDER BY d.id DESC LIMIT 1",
            (case, count),
        ).fetchone()
    return tuple(row) if row else None  # type: ignore[return-value]


def test_accept_one_case(ws_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = _cli(capsys, str(ws_path), "--user", "reviewer", "--case", "BA100001", "--accept")
    assert code == 0 and "Accepted 2 counts of case BA100001" in out
    assert _last(ws_path, "BA100001/2") == ("decided", "eligible_reduce", "accept", None, "reviewer")


def test_override_needs_a_reason(ws_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code, _, err = _cli(capsys, str(ws_path), "--user", "reviewer", "--case", "BA100002", "--override", "eligible_dismiss")
    assert code == 1 and "reason" in err and "Traceback" not in err
    assert _last(ws_path, "BA100002/1") is None
    code, out, _ = _cli(capsys, str(ws_path), "--user", "reviewer", "--case", "BA100002", "--count", "1",
                        "--override", "eligible_dismiss", "--reason", "Weighed 3 g per the lab report", "--json")
    assert code == 0 and json.loads(out)["action"] == "override"
    assert _last(ws_path, "BA100002/1") == ("decided", "eligible_dismiss", "override", "Weighed 3 g per the lab report", "reviewer")


def test_flag_and_clerk_refused(ws_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code, _, err = _cli(capsys, str(ws_path), "--user", "clerk", "--case", "BA300001", "--accept")
    assert code == 1 and "reviewer role" in err
    code, _, _ = _cli(capsys, str(ws_path), "--user", "reviewer", "--case", "BA300001", "--flag", "Check the county")
    assert code == 0 and _last(ws_path, "BA300001/1")[:1] == ("flagged",)


def test_accept_all_with_filter_leaves_needs_review(ws_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = _cli(capsys, str(ws_path), "--user", "reviewer", "--accept-all", "--filter", "outcome=eligible_dismiss", "--json")
    data = json.loads(out)
    assert code == 0 and data["counts"] == 3 and "Eligible: dismiss" in data["filter"]
    assert _last(ws_path, "BA100001/2") is None  # the reduce count of that case is not in the filter
    code, out, _ = _cli(capsys, str(ws_path), "--user", "reviewer", "--accept-all")
    assert code == 0 and "Accepted 4 counts" in out
    assert _last(ws_path, "BA100002/1") is None  # needs review is never accepted
    code, _, err = _cli(capsys, str(ws_path), "--user", "reviewer", "--accept-all", "--filter", "colour=red")
    assert code == 1 and "KEY=VALUE" in err


def test_progress_and_case_listing(ws_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    _cli(capsys, str(ws_path), "--user", "reviewer", "--case", "BA100001", "--accept")
    code, out, _ = _cli(capsys, str(ws_path), "--user", "clerk", "--json")
    assert code == 0 and json.loads(out)["cases_done"] == 1
    code, out, _ = _cli(capsys, str(ws_path), "--user", "clerk", "--case", "BA100002")
    assert code == 0 and "needs_review" in out and "O'Brien, Sean" in out
    code, _, err = _cli(capsys, str(ws_path), "--user", "reviewer", "--case", "NOPE", "--accept")
    assert code == 1 and "no case NOPE" in err
