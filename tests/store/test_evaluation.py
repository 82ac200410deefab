"""The evaluation store: streaming person facts, runs, recommendations and re-review."""

from __future__ import annotations

import datetime as dt

from app.core.model import Disposition, Level, Outcome, Reason, Recommendation
from app.store import evaluation as store
from app.store.synthetic import generate_california, insert_rows
from tests.evaluation_seed import count_row


def _seed(ws) -> None:
    insert_rows(
        ws,
        people=[
            (1, "A", "DOE, JOHN", "1980-01-01"),
            (2, "B", "DOE, JOHN", None),
            (3, "C", "ROE, JANE", "1990-05-05"),
        ],
        cases=[
            (1, 1, "K1", "KERN SUPERIOR", "KERN", "2009-12-01", "closed"),
            (2, 1, "K2", None, "KERN", None, None),
            (3, 2, "K3", None, "KERN", None, None),
        ],
        counts=[
            count_row(1, 1, 1, "11359 HS", "HS", "11359"),
            count_row(2, 1, 1, "11357(B) HS", "HS", "11357", "(b)", level="misdemeanor"),
            count_row(3, 2, 1, "664/187 PC", "PC", "187", ddate="1995-01-01", odate="1994-01-01"),
            count_row(4, 3, 2, "??", None, None, level=None, disp=None, ddate=None, odate=None),
        ],
        events=[(1, 1, "registration", "2001-01-01", "290 PC", "PC", "290", "e1")],
    )


def test_iter_people_streams_whole_histories_in_person_order(workspace) -> None:
    _seed(workspace)
    people = [p for batch in store.iter_people(workspace, batch_size=2) for p in batch]
    assert [p.person_id for p in people] == [1, 2, 3]
    john = people[0]
    assert john.dob == dt.date(1980, 1, 1)
    assert [c.count_id for c in john.counts] == [1, 2, 3]
    c1, c2 = john.counts[0], john.counts[1]
    assert (
        c1.offense.section == "11359" and c1.offense.code_book == "HS" and c1.level is Level.FELONY
    )
    assert c2.offense.subsections == ("b",)
    assert c1.disposition is Disposition.CONVICTED and c1.filing_date == dt.date(2009, 12, 1)
    assert c1.court == "KERN SUPERIOR" and c1.case_number == "K1"
    assert john.events[0].event_type == "registration" and john.events[0].offense.section == "290"
    other = people[1]
    assert (
        other.dob is None
        and not other.counts[0].offense.recognized
        and other.counts[0].disposition is None
    )
    assert people[2].counts == ()
    assert store.load_person(workspace, 1) == john


def test_runs_recommendations_and_rereview(workspace) -> None:
    _seed(workspace)
    with workspace.transaction():
        run = store.create_run(
            workspace,
            policy_id="ca-prop64-state",
            pack_version="1",
            pack_sha256="x" * 64,
            options={"a": 1},
            as_of=dt.date(2024, 1, 1),
            engine_version="1",
            user="admin",
        )
        recs = [
            Recommendation(
                1, Outcome.ELIGIBLE_REDUCE, (Reason("r.one", "Reduce (HS 1).", "HS 1", {"n": 1}),)
            ),
            Recommendation(
                2, Outcome.ELIGIBLE_DISMISS, (Reason("r.two", "Dismiss (HS 2).", "HS 2"),)
            ),
        ]
        assert store.save_recommendations(workspace, run, recs, store.ReasonCache()) == 2
        store.finish_run(workspace, run, count_total=2, summary={"ok": True})
    info = store.latest_run(workspace)
    assert (
        info.id == run
        and info.options == {"a": 1}
        and info.as_of == dt.date(2024, 1, 1)
        and info.count_total == 2
    )
    stored = list(store.run_recommendations(workspace, run))
    assert stored[0].rule_ids == ["r.one"] and stored[0].reasons[0]["facts"] == {"n": 1}
    assert store.outcome_counts(workspace, run) == {"eligible_dismiss": 1, "eligible_reduce": 1}
    assert store.case_numbers(workspace, [1, 3]) == {1: "K1", 3: "K2"}
    # A reviewer accepted count 1 as "eligible_reduce"; a later run says "not_eligible".
    workspace.conn.execute(
        "INSERT INTO decisions (count_id, run_id, recommended, action, final_outcome, status, user, at) "
        "VALUES (1, ?, 'eligible_reduce', 'accept', 'eligible_reduce', 'decided', 'admin', 'now')",
        (run,),
    )
    assert store.rereview_count_ids(workspace) == []
    with workspace.transaction():
        run2 = store.create_run(
            workspace,
            policy_id="ca-prop64-state",
            pack_version="1",
            pack_sha256="x" * 64,
            options={},
            as_of=dt.date(2024, 1, 1),
            engine_version="1",
            user="admin",
        )
        store.save_recommendations(
            workspace,
            run2,
            [Recommendation(1, Outcome.NOT_ELIGIBLE, recs[0].reasons)],
            store.ReasonCache(),
        )
    assert store.rereview_count_ids(workspace) == [1]


def test_synthetic_generator(workspace) -> None:
    size = generate_california(workspace, people=300)
    people, counts = store.count_totals(workspace)
    assert (people, counts) == (300, size.counts)
    assert sum(len(b) for b in store.iter_people(workspace)) == 300
