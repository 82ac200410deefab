"""The optimized evaluation path gives exactly what a straightforward evaluation gives.

The service streams tuple twins of the facts, decides most counts from per-code plans,
memoises reasons and their JSON, and bulk-inserts rows. The reference here does none of
that: it loads each person as real dataclasses (``load_person``), tries every rule of the
pack in order for every count, and encodes reasons with ``json.dumps`` directly. Both run
over a randomized workspace mixing every pack's codes, places and missing facts, under
all eight packs, and the stored rows must be identical.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import threading
from pathlib import Path
from typing import Any

import pytest

from app.core.errors import WorkspaceError
from app.core.model import CountFacts, EventFacts, Outcome, PersonFacts, Reason
from app.core.offense import parse_offense
from app.core.records import to_model, tuple_twin
from app.rules import engine
from app.rules.packs import Pack, list_packs, load_pack
from app.rules.predicates import Ctx, MissingFact, PersonIndex, reads_count_dates
from app.services.evaluate import evaluate
from app.store import evaluation as store
from tests.conftest import make_workspace
from tests.evaluation_seed import blank_run

PACKS = [info.id for info in list_packs()]  # every shipped pack (test_packs names them)

# Codes and places of each pack's jurisdiction (from its tables and traps); a person mostly
# stays in one jurisdiction so that every pack sees eligible counts, with strays and
# unreadable codes mixed in.
JURISDICTIONS = {
    "CA": (
        ["11357(b) HS", "11357(a) HS", "11357(c) HS", "11357 HS", "11357.5 HS", "11358 HS",
         "11359 HS", "11359(a) HS", "11360(a) HS", "11360(b) HS", "11360 HS", "11361 HS",
         "11379.6 HS", "664/11357(b) HS", "664/11359 HS", "182/11359 HS", "182(A)(1) PC",
         "32 PC", "11350 HS", "459 PC", "484(A) PC", "23152(A) VC", "245(A)(1) PC",
         "664/187(a) PC", "261(a)(2) PC", "288 PC", "209 PC", "273.5(A) PC"],
        [("KERN SUPERIOR COURT", "KERN"), (None, "LOS ANGELES"), ("Long Beach Courthouse", None),
         (None, "LOS ANGELES")],
    ),
    "NY": (
        ["PL 221.05", "PL 221.10 01", "PL 221.10 02", "PL 221.10", "PL 221.15", "PL 221.20",
         "PL 221.40", "PL 160.15", "PL 110/221.10", "PL 2211001", "221.05 V"],
        [(None, "KINGS"), ("Brooklyn Criminal Court", None), (None, "NEW YORK"), (None, "ALBANY"),
         (None, "Manhattan")],
    ),
    "MD": (
        ["CR 5-601", "CR.5.602", "CR 5-601(c)(2)", "CR 5-602", "CR 5-601(c)(2)(ii)"],
        [("Baltimore City District Court", "BALTIMORE CITY"),
         ("District Court for Baltimore County", "BALTIMORE COUNTY"), (None, "MONTGOMERY")],
    ),
    "WA": (
        ["RCW 69.50.4014", "RCW 69.50.401", "SMC 12A.20.060", "RCW 69.50.4013"],
        [("Seattle Municipal Court", "KING"), ("King County District Court", "KING")],
    ),
}  # fmt: skip
STRAY_CODES = ["??", "XX-99", None, "SEE COMMENT FOR CHARGE"]
STRAY_PLACES = [(None, "MULTNOMAH"), (None, None), ("", ""), (None, "BERGEN")]
DISPOSITIONS = ["convicted"] * 14 + ["dismissed", "open", "warrant", "diverted", "civil", None]
LEVELS = ["felony", "misdemeanor", "misdemeanor", "misdemeanor", "infraction", "violation"]
# Two plain marijuana wordings: Baltimore's same-case rule reads a co-count's description, and
# with one the seeded data left that pack no eligible count.
DESCRIPTIONS = [
    None,
    None,
    "CDS:POSSESS-NOT MARIHUANA",
    "CDS POSSESS-MARIJUANA",
    "POSS CANNABIS",
    "CDS:POSSESS-MARIJUANA",
]


def _pick(rng: random.Random, usual: list[Any], stray: list[Any]) -> Any:
    return rng.choice(stray) if rng.random() < 0.04 else rng.choice(usual)


def _day(rng: random.Random, lo: int = 1975, hi: int = 2023) -> str | None:
    if rng.random() < 0.03:
        return None
    return f"{rng.randint(lo, hi):04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _count_days(rng: random.Random, filed: str | None) -> tuple[str | None, str | None]:
    """(disposition, offense) dates: mostly in order around the filing date, a few at random.

    Independent random dates would contradict each other for most counts, and the engine
    sends those to review whatever the pack says (engine.date_conflict).
    """
    if filed is None or rng.random() < 0.05:
        return _day(rng), _day(rng)
    day = dt.date.fromisoformat(filed)
    offense = day - dt.timedelta(days=rng.randint(0, 300))
    disposition = day + dt.timedelta(days=rng.randint(0, 400))
    return (
        None if rng.random() < 0.03 else disposition.isoformat(),
        None if rng.random() < 0.03 else offense.isoformat(),
    )


def _fill(ws: Any, people: int, seed: int = 11) -> None:
    """A randomized history: a few counts per person over a few cases, anything missing."""
    rng = random.Random(seed)
    person_rows, case_rows, count_rows, event_rows = [], [], [], []
    case_id = count_id = 0
    for pid in range(1, people + 1):
        person_rows.append((pid, f"K{pid}", f"PERSON {pid}", _day(rng, 1940, 2005)))
        codes, places = JURISDICTIONS[rng.choice(list(JURISDICTIONS))]
        for _ in range(rng.choice([0, 1, 1, 2, 2, 3, 4])):
            case_id += 1
            court, county = _pick(rng, places, STRAY_PLACES)
            status = rng.choice([None, "closed", "open", "warrant"])
            filed = _day(rng)
            case_rows.append((case_id, pid, f"C-{case_id}", court, county, filed, status))
            for n in range(rng.choice([1, 1, 2, 3])):
                count_id += 1
                code = _pick(rng, codes, STRAY_CODES)
                desc = rng.choice(DESCRIPTIONS)
                off = parse_offense(code, None, desc)
                level = _pick(rng, LEVELS, [None])
                disp = rng.choice(DISPOSITIONS)
                disposed, offended = _count_days(rng, filed)
                count_rows.append(
                    (
                        count_id, case_id, pid, str(n + 1), code, off.code_book, off.section,
                        off.subsection_text, int(off.attempt), int(off.conspiracy),
                        int(off.recognized and bool(off.section)), desc, level,
                        level or rng.choice([None, "F?"]), disp, disp or rng.choice([None, "??"]),
                        disposed, rng.choice([None, "03/04/2001"]), offended,
                        rng.choice([None, "3 years"]), rng.choice([None, 0, 1]),
                        rng.choice([None, "note"]), f"eq:{count_id}",
                    )
                )  # fmt: skip
        if rng.random() < 0.05:
            event_rows.append(
                (
                    len(event_rows) + 1,
                    pid,
                    "registration",
                    _day(rng),
                    "290 PC",
                    "PC",
                    "290",
                    f"ev:{pid}",
                )
            )
    with ws.transaction():
        ws.conn.executemany(
            "INSERT INTO people (id, person_key, full_name, dob) VALUES (?,?,?,?)", person_rows
        )
        ws.conn.executemany(
            "INSERT INTO cases (id, person_id, case_number, court, county, filing_date, status) "
            "VALUES (?,?,?,?,?,?,?)",
            case_rows,
        )
        ws.conn.executemany(
            "INSERT INTO counts (id, case_id, person_id, count_number, offense_raw, code_book, section, "
            "subsections, attempt, conspiracy, offense_recognized, description, level, level_raw, "
            "disposition, disposition_raw, disposition_date, disposition_date_raw, offense_date, "
            "sentence, sentence_completed, comment, dedupe_key) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            count_rows,
        )
        ws.conn.executemany(
            "INSERT INTO events (id, person_id, event_type, event_date, offense_raw, code_book, section, "
            "dedupe_key) VALUES (?,?,?,?,?,?,?,?)",
            event_rows,
        )


def _reference(pack: Pack, person: PersonFacts, as_of: dt.date) -> list[tuple[int, str, str, str]]:
    """Every rule in order for every count; the first whose conditions all hold decides.

    A rule marked on_missing = "defer" that lacks a fact lets only a later not_eligible
    decide; a count whose own dates contradict each other goes to review (engine._finish).
    """
    index = PersonIndex(person)
    out = []
    for count in person.counts:
        ctx = Ctx(count, index, as_of, pack)
        skipped: list[Reason] = []
        deferred: list[Reason] = []
        outcome, reasons, decider = None, None, None
        for rule in pack.rules:
            facts: dict[str, Any] = {}
            try:
                holds = True
                for cond in rule.when:
                    got = cond(ctx)
                    if got is None:
                        holds = False
                        break
                    facts.update(got)
                if holds:
                    decider = rule
                    outcome, reasons = (
                        rule.outcome,
                        [engine._reason(rule, facts, count, pack.options)],
                    )
                    if deferred and outcome is not Outcome.NOT_ELIGIBLE:
                        kept = reasons if outcome is Outcome.NEEDS_REVIEW else []
                        outcome, reasons = Outcome.NEEDS_REVIEW, [*deferred, *kept, *skipped]
                    elif outcome is Outcome.NEEDS_REVIEW:
                        reasons += skipped  # what the data could not settle on the way
                    break
            except MissingFact as exc:
                if rule.on_missing == "skip":
                    skipped.append(engine._missing_reason(rule, exc, count))
                    continue
                if rule.on_missing == "defer":
                    deferred.append(engine._missing_reason(rule, exc, count))
                    continue
                outcome = Outcome.NEEDS_REVIEW
                reasons = [*deferred, engine._missing_reason(rule, exc, count)]
                break
        assert outcome is not None and reasons, f"no rule decided count {count.count_id}"
        problem = engine.date_conflict(count)
        reads_dates = decider is not None and any(reads_count_dates(c) for c in decider.when)
        if decider is not None and problem and (outcome is not Outcome.NOT_ELIGIBLE or reads_dates):
            note = Reason(
                f"{decider.code}.dates_inconsistent",
                f"The {problem}: one of these dates is wrong; check them in the court record "
                f"before deciding (Needed for: {decider.title}, {decider.citation}).",
                decider.citation,
                {"offense": count.offense.display, "dates": problem},
            )
            if outcome is Outcome.NEEDS_REVIEW:
                reasons = [*reasons, note]
            else:
                outcome, reasons = Outcome.NEEDS_REVIEW, [note]
        text = json.dumps(
            [r.to_dict() for r in reasons], ensure_ascii=False, sort_keys=True, default=str
        )
        out.append((count.count_id, outcome.value, json.dumps([r.code for r in reasons]), text))
    return out


@pytest.fixture(scope="module")
def mixed_workspace(tmp_path_factory: pytest.TempPathFactory) -> Any:
    ws = make_workspace(Path(tmp_path_factory.mktemp("eq")), users=False)
    _fill(ws, people=700)
    try:
        yield ws
    finally:
        ws.close()


@pytest.mark.parametrize("policy", PACKS)
def test_optimized_run_equals_reference_evaluation(mixed_workspace: Any, policy: str) -> None:
    ws = mixed_workspace
    ws.set_setting("policy_id", policy, user="admin")
    as_of = dt.date(2024, 1, 1)
    report = evaluate(ws, user="admin", as_of=as_of)
    pack = load_pack(policy)
    day = engine.effective_as_of(pack, as_of, as_of)
    people, _ = store.count_totals(ws)
    expected = [
        row
        for pid in range(1, people + 1)
        for row in _reference(pack, store.load_person(ws, pid), day)
    ]
    stored = ws.conn.execute(
        "SELECT count_id, outcome, rule_ids, reasons FROM recommendations WHERE run_id = ? ORDER BY count_id",
        (report.run_id,),
    ).fetchall()
    assert [tuple(r) for r in stored] == sorted(expected)
    # The mix must reach past the code-only rules, or the comparison proves little.
    outcomes = {r[1] for r in expected}
    assert {"not_eligible", "needs_review"} < outcomes and any(
        o.startswith("eligible_") for o in outcomes
    )
    assert any("missing_" in r[2] for r in expected)


def test_dry_run_and_rerun_agree_with_the_saved_run(mixed_workspace: Any) -> None:
    ws = mixed_workspace
    ws.set_setting("policy_id", "ca-prop64-la-2020", user="admin")
    first = evaluate(ws, user="admin", as_of=dt.date(2024, 1, 1))
    dry = evaluate(ws, user="admin", as_of=dt.date(2024, 1, 1), dry_run=True)
    assert dry.outcomes == first.outcomes and dry.changed_total == 0
    # The LA order's reference date is fixed (2020-02-11): another as-of date changes nothing,
    moved = evaluate(ws, user="admin", as_of=dt.date(1990, 1, 1), dry_run=True)
    assert moved.changed_total == 0
    # but another age threshold does.
    younger = evaluate(
        ws, user="admin", as_of=dt.date(2024, 1, 1), dry_run=True, options={"older_age": 30}
    )
    assert younger.changed_total > 0


def test_fast_stream_reads_the_same_facts_as_the_dataclass_stream(mixed_workspace: Any) -> None:
    ws = mixed_workspace
    slow = [p for batch in store.iter_people(ws, batch_size=97) for p in batch]
    fast = [p for batch in store.iter_people_fast(ws, batch_size=97) for p in batch]
    assert len(fast) == len(slow) == 700
    for f, s in zip(fast, slow, strict=True):
        assert isinstance(f, tuple_twin(PersonFacts)) and isinstance(s, PersonFacts)
        converted = to_model(f)
        assert converted.person_id == s.person_id and converted.dob == s.dob
        assert [to_model(c) for c in f.counts] == list(s.counts)
        assert [to_model(e) for e in f.events] == list(s.events)
        for fc, sc in zip(f.counts, s.counts, strict=True):
            assert fc.is_conviction == sc.is_conviction and fc.event_date == sc.event_date
    twins = [c for p in fast for c in p.counts]
    assert twins and all(
        type(c).model is CountFacts and not isinstance(c, CountFacts) for c in twins
    )
    assert any(isinstance(e, tuple_twin(EventFacts)) for p in fast for e in p.events)


def test_a_run_inside_an_outer_transaction_sees_its_uncommitted_facts(tmp_path: Path) -> None:
    # The bulk scan may use a second connection; it must not when facts are not committed.
    ws = make_workspace(tmp_path, users=False)
    try:
        with ws.transaction():
            _fill(ws, people=40)
            report = evaluate(ws, user="admin", as_of=dt.date(2024, 1, 1))
            _, counts = store.count_totals(ws)
            assert counts > 0 and report.count_total == counts
        assert store.outcome_counts(ws, report.run_id) == report.outcomes
    finally:
        ws.close()


def test_scan_source_is_a_second_connection_only_in_wal_mode(mixed_workspace: Any) -> None:
    ws = mixed_workspace
    with store.scan_source(ws, separate=True) as source:
        assert source is not ws and store.count_totals(source) == store.count_totals(ws)
    with store.scan_source(ws, separate=False) as source:
        assert source is ws


def test_scan_source_without_wal_reads_through_the_writer(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, users=False)
    try:
        ws.conn.execute("PRAGMA journal_mode = DELETE")
        with store.scan_source(ws, separate=True) as source:
            assert source is ws
    finally:
        ws.close()


def test_a_failed_insert_stops_the_writer_and_rolls_back(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, users=False)
    try:
        _fill(ws, people=20)
        reasons = (Reason("x.code", "Text (HS 1).", "HS 1", {"n": 1}),)
        # The transaction rolls back and reports the failure as a WorkspaceError.
        with pytest.raises(WorkspaceError, match="UNIQUE constraint failed"), ws.transaction():
            run = blank_run(ws)
            with store.ResultWriter(ws, run, store.ReasonCache()) as writer:
                writer.write(
                    [(1, Outcome.NOT_ELIGIBLE, reasons), (2, Outcome.NEEDS_REVIEW, reasons)]
                )
                writer.write([(1, Outcome.NOT_ELIGIBLE, reasons)])  # (run, count 1) again
        assert not any(t.name == "clearslate-recommendations" for t in threading.enumerate())
        assert ws.conn.execute("SELECT count(*) FROM recommendations").fetchone()[0] == 0
        assert store.latest_run(ws) is None
    finally:
        ws.close()


def test_writer_rows_match_the_plain_insert(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, users=False)
    try:
        _fill(ws, people=20)
        shared = (Reason("a.one", "One (HS 1).", "HS 1", {"section": "11357 HS"}),)
        results = [
            (1, Outcome.NOT_ELIGIBLE, shared),
            (2, Outcome.NOT_ELIGIBLE, shared),
            (3, Outcome.NEEDS_REVIEW, shared),  # same reasons, other outcome: its own set
            (
                4,
                Outcome.ELIGIBLE_DISMISS,
                (Reason("b", "Ünïcode — “quoted” (HS 2).", "HS 2", {"d": dt.date(2001, 1, 2)}),),
            ),
        ]
        with ws.transaction():
            runs = [blank_run(ws, "p") for _ in range(2)]
            with store.ResultWriter(ws, runs[0], store.ReasonCache()) as writer:
                writer.write(results[:2])
                writer.write(results[2:])
            store.save_results(ws, runs[1], results, store.ReasonCache())
        rows = [
            ws.conn.execute(
                "SELECT count_id, outcome, rule_ids, reasons FROM recommendations WHERE run_id = ? ORDER BY count_id",
                (run,),
            ).fetchall()
            for run in runs
        ]
        assert rows[0] == rows[1] and len(rows[0]) == 4
        assert rows[0][2][1] == "needs_review" and "Ünïcode — “quoted”" in rows[0][3][3]
        assert json.loads(rows[0][3][3])[0]["facts"] == {"d": "2001-01-02"}
    finally:
        ws.close()


def test_reason_encoding_is_byte_for_byte_json_dumps() -> None:
    tricky = (
        Reason(
            "ca.x",
            'Tëxt “q” \\ " \n\t (HS 1)',
            "HS 1",
            {"b": 1, "a": dt.date(2001, 1, 2), "c": None},
        ),
        Reason("y.é", "t", "", {"é": True, "d": [1, "x"], "n": 2.5}),
    )
    for reasons in (tricky, tricky[:1], ()):
        assert store.encode_reasons(reasons) == (
            json.dumps([r.code for r in reasons]),
            json.dumps(
                [r.to_dict() for r in reasons], ensure_ascii=False, sort_keys=True, default=str
            ),
        )
