"""The review store: the per-case summary, search, filters, pages by id, undo state, detail."""

from __future__ import annotations

import pytest

from app.store import decisions as D
from app.store import review as R
from app.store.review import QueueFilter
from tests.review_seed import add_run, known_policy, seed_small  # noqa: F401 - fixture


@pytest.fixture
def seeded(workspace, known_policy):  # type: ignore[no-untyped-def]  # noqa: F811
    seed = seed_small(workspace)
    with workspace.transaction() as conn:
        R.refresh(conn)
    return workspace, seed


def _numbers(ws, filt=None, sort="case", desc=False):  # type: ignore[no-untyped-def]
    ids = R.queue_ids(ws.conn, filt, sort, desc)
    return [r.case_number for r in R.fetch_rows(ws.conn, ids)]


def test_fold_removes_accents_and_apostrophes() -> None:
    assert R.fold("Núñez, María") == "nunez maria"
    assert R.fold("O'Brien") == "obrien"
    assert R.fold("Nguyễn") == "nguyen"
    assert R.fold_id("BA-100 001") == "ba100001"


def test_summary_has_one_row_per_case_with_counts_by_outcome(seeded) -> None:  # type: ignore[no-untyped-def]
    ws, seed = seeded
    rows = R.fetch_rows(ws.conn, R.queue_ids(ws.conn))
    assert [r.case_number for r in rows] == ["BA100001", "BA100002", "BF200001", "BF200002", "BA300001", "BA400001"]
    first = rows[0]
    assert first.person_name == "Núñez, María" and first.n_counts == 2
    assert first.summary == "1 dismiss · 1 reduce"
    assert first.status == "new"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("nunez", ["BA100001"]),
        ("Núñez", ["BA100001"]),
        ("smith", ["BF200001", "BF200002", "BA300001"]),
        ("smith, ja", ["BA300001"]),
        ("john smith", ["BF200001", "BF200002"]),
        ("obrien", ["BA100002"]),
        ("BA1000", ["BA100001", "BA100002"]),
        ("ba-400", ["BA400001"]),
        ("CII0005", ["BA400001"]),
        ("zzz", []),
    ],
)
def test_search_by_name_case_number_and_person_key(seeded, query, expected) -> None:  # type: ignore[no-untyped-def]
    ws, _ = seeded
    assert _numbers(ws, QueueFilter(search=query)) == expected


def test_filters_narrow_together(seeded) -> None:  # type: ignore[no-untyped-def]
    ws, _ = seeded
    assert _numbers(ws, QueueFilter(outcome="needs_review")) == ["BA100002"]
    assert _numbers(ws, QueueFilter(place="Fresno")) == ["BA400001"]
    assert _numbers(ws, QueueFilter(place="Bakersfield Municipal")) == ["BA300001"]
    assert _numbers(ws, QueueFilter(section="11358")) == ["BA400001"]
    assert _numbers(ws, QueueFilter(outcome="eligible_dismiss", place="Kern")) == ["BA100001", "BA300001"]
    assert _numbers(ws, QueueFilter(status="done")) == []


def test_sorting_by_name_and_descending(seeded) -> None:  # type: ignore[no-untyped-def]
    ws, _ = seeded
    assert _numbers(ws, sort="name") == ["BA400001", "BA100001", "BA100002", "BA300001", "BF200001", "BF200002"]
    assert _numbers(ws, sort="case_number", desc=True)[0] == "BF200002"


def test_decisions_are_folded_in_and_rereview_found_after_a_new_run(seeded) -> None:  # type: ignore[no-untyped-def]
    ws, seed = seeded
    count = seed.counts["BA300001/1"]
    D.append(ws, [D.NewDecision(count, seed.run_id, "eligible_dismiss", "accept", "eligible_dismiss", "decided")],
             user="reviewer", audit_action="review.accept", audit_object="case BA300001")
    assert R.is_fresh(ws.conn)
    assert _numbers(ws, QueueFilter(status="done")) == ["BA300001"]
    assert _numbers(ws, QueueFilter(reviewer="reviewer")) == ["BA300001"]
    add_run(ws, {count: "needs_review"})
    assert not R.is_fresh(ws.conn)
    with ws.transaction() as conn:
        assert R.refresh(conn)
    assert _numbers(ws, QueueFilter(rereview=True)) == ["BA300001"]


def test_decisions_from_another_connection_are_caught_up(seeded, tmp_path) -> None:  # type: ignore[no-untyped-def]
    ws, seed = seeded
    from app.store.workspace import Workspace

    other = Workspace.attach(ws.path)
    try:
        other.conn.execute(
            "INSERT INTO decisions(count_id, run_id, recommended, action, final_outcome, status, user, at) "
            "VALUES (?, ?, 'needs_review', 'flag', NULL, 'flagged', 'x', 'now')",
            (seed.counts["BA100002/1"], seed.run_id),
        )
    finally:
        other.close()
    assert not R.is_fresh(ws.conn)
    with ws.transaction() as conn:
        R.refresh(conn)
    assert _numbers(ws, QueueFilter(status="flagged")) == ["BA100002"]


def test_decisions_are_append_only_and_current_is_newest(seeded) -> None:  # type: ignore[no-untyped-def]
    ws, seed = seeded
    count = seed.counts["BA100001/1"]
    for outcome in ("eligible_dismiss", "not_eligible"):
        D.append(ws, [D.NewDecision(count, seed.run_id, "eligible_dismiss", "override", outcome, "decided", "why")],
                 user="reviewer", audit_action="review.override", audit_object="x")
    current = {c.count_id: c for c in D.current_decisions(ws.conn)}
    assert current[count].final_outcome == "not_eligible"
    assert tuple(current[count])[:3] == (count, "not_eligible", "decided")
    import sqlite3

    with pytest.raises(sqlite3.DatabaseError):
        ws.conn.execute("UPDATE decisions SET final_outcome = 'eligible_dismiss'")


def test_undo_state_replays_undo_and_redo(seeded) -> None:  # type: ignore[no-untyped-def]
    ws, seed = seeded
    a = seed.counts["BA100001/1"]
    b = seed.counts["BA300001/1"]
    first = D.append(ws, [D.NewDecision(a, 1, "x", "accept", "x", "decided")], user="u", audit_action="t", audit_object=None)
    second = D.append(ws, [D.NewDecision(b, 1, "x", "skip", None, "skipped")], user="u", audit_action="t", audit_object=None)
    assert D.undo_state(ws.conn, "u").undo_batch == second.batch_id
    undo = D.append(ws, D.undo_rows(ws.conn, second.batch_id), user="u", audit_action="t", audit_object=None)
    state = D.undo_state(ws.conn, "u")
    assert state.undo_batch == first.batch_id and state.redo_batch == undo.batch_id
    D.append(ws, D.redo_rows(ws.conn, undo.batch_id), user="u", audit_action="t", audit_object=None)
    state = D.undo_state(ws.conn, "u")
    assert state.redo_batch is None and state.undo_batch not in (first.batch_id, None)
    assert D.current_for_counts(ws.conn, [b])[b].status == "skipped"
    # Another user's later decision blocks undoing the first one.
    D.append(ws, [D.NewDecision(a, 1, "x", "accept", "y", "decided")], user="other", audit_action="t", audit_object=None)
    from app.core.errors import ReviewError

    with pytest.raises(ReviewError, match="decided again by other"):
        D.undo_rows(ws.conn, first.batch_id)


def test_case_detail_has_the_whole_history_and_source_rows(seeded) -> None:  # type: ignore[no-untyped-def]
    ws, seed = seeded
    detail = R.case_detail(ws.conn, seed.cases["BF200002"])
    assert detail is not None
    assert detail.person.name == "Smith, John"
    assert [c.case_number for c in detail.history] == ["BF200001", "BF200002"]
    assert [c.case_number for c in detail.counts] == ["BF200002"]
    count = detail.counts[0]
    assert count.outcome == "not_eligible" and count.reasons[0].citation == "PC 667(e)(2)(C)(iv)"
    assert count.reasons[0].facts["prior_count_ids"] == [seed.counts["BF200001/1"]]
    assert count.source_file == "kern-doj.xlsx" and count.source_row and count.source_row > 1
    assert [e.event_type for e in detail.events] == ["registration"]
    assert detail.run is not None and detail.run.as_of == "2025-01-01"


def test_progress_figures(seeded) -> None:  # type: ignore[no-untyped-def]
    ws, seed = seeded
    D.append(ws, [D.NewDecision(seed.counts["BA100001/1"], 1, "eligible_dismiss", "accept", "eligible_dismiss", "decided")],
             user="reviewer", audit_action="t", audit_object=None)
    figures = R.progress_figures(ws.conn)
    assert figures.total_counts == 8
    assert figures.by_outcome["eligible_dismiss"] == {"total": 3, "decided": 1, "flagged": 0, "skipped": 0, "left": 2}
    assert figures.by_reviewer == {"reviewer": {"decided": 1, "flagged": 0, "skipped": 0}}
    assert sum(n for _, n in figures.per_day) == 1
    assert figures.cases_total == 6


def _fold_reference(text: str) -> str:
    """fold() as it reads character by character (the ASCII fast path must agree with it)."""
    import unicodedata

    out = []
    for ch in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(ch):
            continue
        if ch.isalnum():
            out.append(ch.lower())
        elif ch not in "'’`":
            out.append(" ")
    return " ".join("".join(out).split())


def test_ascii_fold_fast_path_agrees_with_the_character_rules() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=500, deadline=None)
    @given(st.text(alphabet=st.characters(max_codepoint=127)) | st.text())
    def check(text: str) -> None:
        assert R.fold(text) == _fold_reference(text)

    check()
    assert R.fold("O'BRIEN-SMITH,  Jo`Ann") == "obrien smith joann"


def test_decisions_per_day_are_counted_on_this_computers_local_days(seeded, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt
    import time

    ws, seed = seeded
    D.append(ws, [D.NewDecision(seed.counts["BA100001/1"], 1, "eligible_dismiss", "accept", "eligible_dismiss", "decided")],
             user="reviewer", audit_action="t", audit_object=None)
    # Yesterday evening in Los Angeles is already today in UTC; one decision 40 days ago is
    # outside the 30 days shown.
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    try:
        today = dt.date.today()
        evening = dt.datetime.combine(today - dt.timedelta(days=1), dt.time(20, 30)).astimezone(dt.UTC)
        old = dt.datetime.combine(today - dt.timedelta(days=40), dt.time(12)).astimezone(dt.UTC)
        copy = (
            "INSERT INTO decisions (count_id, run_id, recommended, action, final_outcome, status, reason, user, at) "
            "SELECT count_id, run_id, recommended, action, final_outcome, status, reason, user, ? FROM decisions "
            "ORDER BY id LIMIT 1"
        )
        with ws.transaction():
            ws.conn.execute(copy, (evening.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),))
            ws.conn.execute(copy, (old.strftime("%Y-%m-%dT%H:%M:%SZ"),))
        figures = R.progress_figures(ws.conn)
        assert evening.date() == today  # the UTC date is today ...
        assert figures.per_day == [  # ... the day lived, yesterday; the first decision was made today
            ((today - dt.timedelta(days=1)).isoformat(), 1),
            (today.isoformat(), 1),
        ]
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
