"""The normalized model every layer speaks: people, cases, counts, events, outcomes, reasons.

These are plain, immutable records. The importer produces them, the store keeps them,
the eligibility engine reads them and returns :class:`Recommendation` values.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any


class Outcome(enum.StrEnum):
    ELIGIBLE_DISMISS = "eligible_dismiss"
    ELIGIBLE_REDUCE = "eligible_reduce"
    ELIGIBLE_VACATE = "eligible_vacate"
    NOT_ELIGIBLE = "not_eligible"
    NEEDS_REVIEW = "needs_review"

    @property
    def is_eligible(self) -> bool:
        return self.value.startswith("eligible_")

    @property
    def relief(self) -> str | None:
        """The relief a filing asks for: dismiss, reduce or vacate (None if none)."""
        return self.value.removeprefix("eligible_") if self.is_eligible else None

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]


OUTCOME_LABELS = {
    Outcome.ELIGIBLE_DISMISS: "Eligible: dismiss",
    Outcome.ELIGIBLE_REDUCE: "Eligible: reduce",
    Outcome.ELIGIBLE_VACATE: "Eligible: vacate",
    Outcome.NOT_ELIGIBLE: "Not eligible",
    Outcome.NEEDS_REVIEW: "Needs review",
}


class Role(enum.StrEnum):
    CLERK = "clerk"
    REVIEWER = "reviewer"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank


class Level(enum.StrEnum):
    FELONY = "felony"
    MISDEMEANOR = "misdemeanor"
    INFRACTION = "infraction"
    VIOLATION = "violation"


class Disposition(enum.StrEnum):
    CONVICTED = "convicted"
    DISMISSED = "dismissed"
    ACQUITTED = "acquitted"
    OPEN = "open"
    WARRANT = "warrant"
    DIVERTED = "diverted"
    CIVIL = "civil"  # a civil citation or offense: not a conviction
    OTHER = "other"


class DecisionAction(enum.StrEnum):
    ACCEPT = "accept"
    OVERRIDE = "override"
    FLAG = "flag"
    SKIP = "skip"
    UNDO = "undo"


# How an attempt and a conspiracy are written before the target section: California's
# PC 664/182 for its codes (the default), New York's PL 110/105, in words for the others.
_CA_INCHOATE = ("664/", "182/")
_INCHOATE: dict[str, tuple[str, str]] = {
    "PL": ("110/", "105/"),
    **dict.fromkeys(("CR", "ART27", "RCW", "SMC"), ("attempted ", "conspiracy to ")),
}


@dataclass(frozen=True, slots=True)
class Offense:
    """A parsed offense code.

    ``code_book`` is the normalized code ("HS", "PC", "PL", "CR", "RCW", "ART27", ...);
    ``section`` the whole section ("11357", "221.10", "5-601", "69.50.4014");
    ``subsections`` lower-case parts in order (("a", "1") for ``(a)(1)``).
    ``recognized`` is False when the raw text could not be read; then only ``raw`` is kept.
    """

    raw: str
    code_book: str | None = None
    section: str | None = None
    subsections: tuple[str, ...] = ()
    attempt: bool = False
    conspiracy: bool = False
    recognized: bool = True
    note: str = ""

    @property
    def subsection_text(self) -> str:
        return "".join(f"({s})" for s in self.subsections)

    @property
    def display(self) -> str:
        if not self.recognized or not self.section:
            return self.raw
        attempt, conspiracy = _INCHOATE.get(self.code_book or "", _CA_INCHOATE)
        prefix = attempt if self.attempt else (conspiracy if self.conspiracy else "")
        book = f" {self.code_book}" if self.code_book else ""
        return f"{prefix}{self.section}{self.subsection_text}{book}"


@dataclass(frozen=True, slots=True)
class CountFacts:
    """One count as the engine sees it, with the case facts it belongs to.

    Dates are ``datetime.date`` or None when missing or unreadable; ``*_raw`` keep what
    the source said so that a reason can quote it.
    """

    count_id: int
    person_id: int
    case_id: int
    case_number: str
    count_number: str | None
    offense: Offense
    description: str | None = None
    level: Level | None = None
    level_raw: str | None = None
    disposition: Disposition | None = None
    disposition_raw: str | None = None
    disposition_date: dt.date | None = None
    disposition_date_raw: str | None = None
    offense_date: dt.date | None = None
    filing_date: dt.date | None = None
    court: str | None = None
    county: str | None = None
    case_status: str | None = None  # open / closed / warrant
    sentence: str | None = None
    sentence_completed: bool | None = None
    comment: str | None = None

    @property
    def is_conviction(self) -> bool:
        return self.disposition is Disposition.CONVICTED

    @property
    def event_date(self) -> dt.date | None:
        """The best date for "when did this happen": offense, else filing, else disposition."""
        return self.offense_date or self.filing_date or self.disposition_date


@dataclass(frozen=True, slots=True)
class EventFacts:
    """A non-conviction history entry, such as a sex-offender registration step."""

    event_id: int
    person_id: int
    event_type: str  # e.g. "registration"
    event_date: dt.date | None = None
    offense: Offense | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """A person and their whole history across every source in the workspace."""

    person_id: int
    person_key: str | None
    name: str | None
    dob: dt.date | None
    counts: tuple[CountFacts, ...] = ()
    events: tuple[EventFacts, ...] = ()
    # A same-name-and-DOB record proposed as possibly this person and not yet confirmed or
    # rejected, in words (None when there is none): until then the history may be incomplete.
    pending_match: str | None = None


@dataclass(frozen=True, slots=True)
class Reason:
    """Why an outcome: a stable code, a sentence naming the rule and citation, the facts used."""

    code: str
    text: str
    citation: str = ""
    facts: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "text": self.text,
            "citation": self.citation,
            "facts": self.facts,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reason:
        return cls(
            code=data["code"],
            text=data["text"],
            citation=data.get("citation", ""),
            facts=dict(data.get("facts", {})),
        )


@dataclass(frozen=True, slots=True)
class Recommendation:
    count_id: int
    outcome: Outcome
    reasons: tuple[Reason, ...]

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.reasons)
