"""Deciding many possible-same-person pairs at once: all or nothing, right in every order.

A keyless court file can bring hundreds of proposals; until each is decided the people's
counts are held back. The batch decides them in one transaction, refuses (naming the pair)
when any number is unknown or already decided, and judges each pair on what the earlier
ones did, so that a chain (A~B, B~C) ends as one person whichever pair comes first.
"""

from __future__ import annotations

import json

import pytest

from app.core.errors import ImportFailed
from app.services import importing
from app.store import imports
from app.store.workspace import Workspace
from tests.store.test_imports import COUNTY, DOJ, _load

KEYLESS = ["Case No", "Count", "Name", "DOB", "Charge", "Disposition"]
ANA = ("MORALES, ANA", "1975-03-04")
RAUL = ("ORTIZ, RAUL", "1981-07-09")


def _owners(ws: Workspace) -> dict[str, int]:
    """case number -> the person its counts belong to."""
    return dict(
        ws.conn.execute(
            "SELECT c.case_number, n.person_id FROM counts n JOIN cases c ON c.id = n.case_id"
        ).fetchall()
    )


def _audit(ws: Workspace) -> list[tuple[str, dict]]:  # type: ignore[type-arg]
    return [
        (action, json.loads(details))
        for action, details in ws.conn.execute(
            "SELECT action, details FROM audit WHERE action LIKE 'person.match.%' ORDER BY seq"
        )
    ]


def _two_pairs(ws: Workspace) -> list[imports.PersonMatch]:
    """Two unrelated proposals: Ana (DOJ / court) and Raul (DOJ / court)."""
    _load(ws, DOJ, [["D-1", "1", *ANA, "00000042", "187 PC", "CONVICTED"],
                    ["D-2", "1", *RAUL, "00000077", "211 PC", "CONVICTED"]], "doj.csv")  # fmt: skip
    _load(ws, COUNTY, [["K-1", "1", *ANA, "P-1", "11359 HS", "CONVICTED"],
                       ["K-2", "1", *RAUL, "P-2", "11359 HS", "CONVICTED"]], "court.csv")  # fmt: skip
    matches = importing.proposed_matches(ws)
    assert len(matches) == 2
    return matches


def _chain(ws: Workspace) -> tuple[imports.PersonMatch, imports.PersonMatch]:
    """A~B and B~C: the DOJ's CII 1, a keyless court record, the DOJ's CII 2 (two CII numbers
    are never proposed against each other, so C is proposed against the keyless record)."""
    _load(ws, DOJ, [["D-1", "1", *ANA, "00000001", "187 PC", "CONVICTED"]], "doj1.csv")
    _load(ws, KEYLESS, [["K-1", "1", *ANA, "11359 HS", "CONVICTED"]], "court.csv")
    _load(ws, DOJ, [["D-3", "1", *ANA, "00000002", "11357 HS", "CONVICTED"]], "doj2.csv")
    ab, bc = importing.proposed_matches(ws)
    assert ab.person_b == bc.person_a  # the keyless record is in both
    return ab, bc


def test_several_pairs_are_confirmed_together_each_audited(ws: Workspace) -> None:
    ana, raul = _two_pairs(ws)
    done = importing.decide_matches(ws, [ana.id, raul.id], same=True, user="sup")
    assert [(d.id, d.status, d.person) for d in done] == [
        (ana.id, "confirmed", ana.person_a),
        (raul.id, "confirmed", raul.person_a),
    ]
    assert done[0].moved == {"cases": 1, "counts": 1, "events": 0}
    owners = _owners(ws)
    assert owners["K-1"] == owners["D-1"] and owners["K-2"] == owners["D-2"]
    assert owners["K-1"] != owners["K-2"]
    assert importing.proposed_matches(ws) == []
    entries = _audit(ws)
    assert [a for a, _ in entries] == ["person.match.confirm"] * 2
    assert [(d["match_id"], d["person_a"], d["person_b"], d["batch_of"]) for _, d in entries] == [
        (ana.id, ana.person_a, ana.person_b, 2),
        (raul.id, raul.person_a, raul.person_b, 2),
    ]


def test_several_pairs_are_rejected_together(ws: Workspace) -> None:
    ana, raul = _two_pairs(ws)
    done = importing.decide_matches(ws, [raul.id, ana.id, raul.id], same=False, user="sup")
    assert [(d.id, d.status) for d in done] == [(raul.id, "rejected"), (ana.id, "rejected")]
    statuses = ws.conn.execute("SELECT status, decided_by FROM person_matches").fetchall()
    assert {tuple(s) for s in statuses} == {("rejected", "sup")}
    assert len(set(_owners(ws).values())) == 4  # four people, as before
    assert [a for a, _ in _audit(ws)] == ["person.match.reject"] * 2


@pytest.mark.parametrize("bad", ["unknown", "decided"])
def test_a_bad_pair_in_the_middle_changes_nothing(ws: Workspace, bad: str) -> None:
    ana, raul = _two_pairs(ws)
    _load(ws, DOJ, [["D-9", "1", "LEE, KIM", "1990-01-01", "00000099", "187 PC", "CONVICTED"]],
          "doj9.csv")  # fmt: skip
    _load(ws, COUNTY, [["K-9", "1", "LEE, KIM", "1990-01-01", "P-9", "11359 HS", "CONVICTED"]],
          "court9.csv")  # fmt: skip
    kim = importing.proposed_matches(ws)[-1]
    if bad == "decided":
        importing.reject_match(ws, raul.id, user="clerk")
        middle, expected = (
            raul.id,
            f"Match {raul.id} (ORTIZ, RAUL / ORTIZ, RAUL, born 1981-07-09) was already rejected by clerk",
        )
    else:
        middle, expected = 4242, "There is no proposed match number 4242"
    before = (_owners(ws), ws.conn.execute("SELECT * FROM person_matches ORDER BY id").fetchall(),
              ws.conn.execute("SELECT COUNT(*) FROM audit").fetchone()[0])  # fmt: skip
    with pytest.raises(ImportFailed) as caught:
        importing.decide_matches(ws, [ana.id, middle, kim.id], same=True, user="sup")
    assert expected in str(caught.value) and "nothing was decided" in str(caught.value)
    after = (_owners(ws), ws.conn.execute("SELECT * FROM person_matches ORDER BY id").fetchall(),
             ws.conn.execute("SELECT COUNT(*) FROM audit").fetchone()[0])  # fmt: skip
    assert after == before


def test_nothing_chosen_is_refused(ws: Workspace) -> None:
    with pytest.raises(ImportFailed, match="Choose at least one"):
        importing.decide_matches(ws, [], same=True, user="sup")


@pytest.mark.parametrize("order", ["ab_first", "bc_first"])
def test_a_chain_ends_as_one_person_in_either_order(ws: Workspace, order: str) -> None:
    ab, bc = _chain(ws)
    ids = [ab.id, bc.id] if order == "ab_first" else [bc.id, ab.id]
    done = importing.decide_matches(ws, ids, same=True, user="sup")
    assert [d.status for d in done] == ["confirmed", "confirmed"]
    assert {d.person for d in done} == {ab.person_a}  # everyone is the earliest record now
    owners = _owners(ws)
    assert set(owners.values()) == {ab.person_a}, owners
    assert importing.proposed_matches(ws) == []
    statuses = ws.conn.execute("SELECT id, status FROM person_matches ORDER BY id").fetchall()
    assert [tuple(s) for s in statuses] == [(ab.id, "confirmed"), (bc.id, "confirmed")]
    # The joins are followed later: a new row with C's CII number joins the one person.
    totals = _load(ws, DOJ, [["D-4", "1", *ANA, "00000002", "11359 HS", "CONVICTED"]], "doj3.csv")
    assert totals.people == 0 and totals.matches_proposed == 0
    assert _owners(ws)["D-4"] == ab.person_a


def test_a_pair_made_redundant_earlier_in_the_batch_is_recorded_not_lost(ws: Workspace) -> None:
    """Three records proposed pairwise (a proposer that pairs everyone, not today's star):
    confirming A~B and A~C leaves B~C about one person; confirming it too says so."""
    for name, key in (("a.csv", "00000001"), ("b.csv", None), ("c.csv", None)):
        headers, row = (DOJ, [f"{name}-1", "1", *ANA, key, "11357 HS", "CONVICTED"]) if key else (
            KEYLESS, [f"{name}-1", "1", *ANA, "11357 HS", "CONVICTED"])  # fmt: skip
        _load(ws, headers, [row], name)
    a, b, c = (r[0] for r in ws.conn.execute("SELECT id FROM people ORDER BY id"))
    ws.conn.execute("DELETE FROM person_matches")
    ids = [
        ws.conn.execute(
            "INSERT INTO person_matches (person_a, person_b, basis) VALUES (?, ?, 'name+dob')",
            pair,
        ).lastrowid
        for pair in ((a, b), (b, c), (a, c))
    ]
    done = importing.decide_matches(ws, ids, same=True, user="sup")
    assert set(_owners(ws).values()) == {a}
    # A~B joins B into A, so B~C becomes A~C: the same two people as the third pair,
    # which is confirmed with it; the third is then already one person.
    assert [(d.id, d.person) for d in done] == [(ids[0], a), (ids[1], a), (ids[2], a)]
    assert "the same two people as match" in done[1].note
    assert "already one person" in done[2].note
    details = [d for _, d in _audit(ws)]
    assert [d["match_id"] for d in details] == ids  # one entry per pair asked for
    assert details[1]["confirmed_as_match"] == ids[2] and details[2]["already_one_person"]
    assert importing.proposed_matches(ws) == []


def test_joining_records_an_earlier_decision_ruled_apart_is_refused_in_any_order(
    ws: Workspace,
) -> None:
    """A~B rejected; confirming A~C and C~B would make A and B one person after all."""
    for name in ("a.csv", "b.csv", "c.csv"):
        _load(ws, KEYLESS, [[f"{name}-1", "1", *ANA, "11357 HS", "CONVICTED"]], name)
    a, b, c = (r[0] for r in ws.conn.execute("SELECT id FROM people ORDER BY id"))
    ws.conn.execute("DELETE FROM person_matches")
    ab, ac, cb = (
        ws.conn.execute(
            "INSERT INTO person_matches (person_a, person_b, basis) VALUES (?, ?, 'name+dob')",
            pair,
        ).lastrowid
        for pair in ((a, b), (a, c), (c, b))
    )
    importing.decide_matches(ws, [ab], same=False, user="sup")
    before = ws.conn.execute("SELECT * FROM person_matches ORDER BY id").fetchall()
    for ids in ([ac, cb], [cb, ac]):
        with pytest.raises(ImportFailed, match="decided are two people") as caught:
            importing.decide_matches(ws, ids, same=True, user="sup")
        assert f"match {ab}" in str(caught.value)
        assert ws.conn.execute("SELECT * FROM person_matches ORDER BY id").fetchall() == before
    # Confirmed alone, A~C is allowed (nothing contradicts it) and C~B falls away with it:
    importing.decide_matches(ws, [ac], same=True, user="sup")
    # C is A now, and A and B were ruled two people.
    assert importing.proposed_matches(ws) == []
    assert len(set(_owners(ws).values())) == 2
