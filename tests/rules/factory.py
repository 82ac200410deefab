"""Small builders of PersonFacts for the rule tables (real parser, real packs, no mocks)."""

from __future__ import annotations

import datetime as dt
import itertools
from functools import cache
from typing import Any

from app.core.model import CountFacts, Disposition, EventFacts, Level, PersonFacts, Recommendation
from app.core.offense import parse_offense
from app.rules.engine import evaluate_person
from app.rules.packs import Pack, load_pack

_ids = itertools.count(1)


def d(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def c(
    code: str | None,
    *,
    case: int = 1,
    disp: str | None = "convicted",
    level: str | None = "felony",
    ddate: str | None = "2010-03-01",
    odate: str | None = "2010-01-01",
    fdate: str | None = None,
    county: str | None = "KERN",
    court: str | None = None,
    desc: str | None = None,
    status: str | None = None,
    completed: bool | None = None,
    comment: str | None = None,
) -> CountFacts:
    """One count; ``case`` numbers group counts of a person into cases."""
    return CountFacts(
        count_id=next(_ids),
        person_id=0,
        case_id=case,
        case_number=f"CASE-{case}",
        count_number="1",
        offense=parse_offense(code, comment, desc),
        description=desc,
        level=Level(level) if level else None,
        level_raw=level,
        disposition=Disposition(disp) if disp else None,
        disposition_raw=disp,
        disposition_date=d(ddate),
        offense_date=d(odate),
        filing_date=d(fdate),
        county=county,
        court=court,
        case_status=status,
        sentence_completed=completed,
        comment=comment,
    )


def reg(date: str | None, code: str = "290 PC") -> EventFacts:
    return EventFacts(
        event_id=next(_ids),
        person_id=0,
        event_type="registration",
        event_date=d(date),
        offense=parse_offense(code),
    )


def person(
    *counts: CountFacts,
    dob: str | None = "1980-01-01",
    events: tuple[EventFacts, ...] = (),
    pid: int = 1,
) -> PersonFacts:
    return PersonFacts(
        person_id=pid,
        person_key=f"K{pid}",
        name="TEST, PERSON",
        dob=d(dob),
        counts=counts,
        events=events,
    )


@cache
def _pack(policy_id: str, options: tuple[tuple[str, Any], ...]) -> Pack:
    return load_pack(policy_id, dict(options))


def pack(policy_id: str, **options: Any) -> Pack:
    return _pack(policy_id, tuple(sorted(options.items())))


def first(
    policy_id: str, p: PersonFacts, as_of: str = "2024-01-01", **options: Any
) -> Recommendation:
    """The recommendation of the person's FIRST count (the count under test)."""
    return evaluate_person(pack(policy_id, **options), p, d(as_of))[0]
