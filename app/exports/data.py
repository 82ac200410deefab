"""The plain data an export packet is written from (the services layer fills it from the store)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from app.core.model import Offense, Outcome
from app.exports.dates import short_date


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One decided count with everything any file of the packet may show about it."""

    count_id: int
    person_id: int
    case_id: int
    case_number: str
    count_number: str | None
    court: str | None
    county: str | None
    case_status: str | None
    filing_date: str | None
    person_key: str | None
    full_name: str | None
    last_name: str | None
    first_name: str | None
    middle_name: str | None
    dob: str | None
    sex: str | None
    race: str | None
    offense_raw: str | None
    code_book: str | None
    section: str | None
    subsections: tuple[str, ...]
    attempt: int
    conspiracy: int
    description: str | None
    level: str | None
    disposition: str | None
    disposition_date: str | None
    offense_date: str | None
    sentence: str | None
    sentence_completed: int | None
    source_id: int | None
    source_row_number: int | None
    source_data: list[Any]
    recommendation: str | None
    recommendation_reasons: list[Any]
    final_outcome: str | None
    decision_status: str
    decision_action: str
    decision_reason: str | None
    decided_by: str
    decided_at: str
    decision_id: int
    # Why a count decided to relief is not in this court's filings (its case is in another
    # county, or where it is is not clear); None when it is filed here.
    filed_elsewhere: str | None = None

    @property
    def name(self) -> str:
        """ "Last, First Middle" when the parts are known, else the full name as imported."""
        if self.last_name:
            rest = " ".join(p for p in (self.first_name, self.middle_name) if p)
            return f"{self.last_name}, {rest}" if rest else self.last_name
        return self.full_name or ""

    @property
    def offense_display(self) -> str:
        if not self.section:
            return self.offense_raw or ""
        offense = Offense(
            raw=self.offense_raw or "",
            code_book=self.code_book,
            section=self.section,
            subsections=self.subsections,
            attempt=bool(self.attempt),
            conspiracy=bool(self.conspiracy),
        )
        return offense.display

    @property
    def relief(self) -> str | None:
        return _RELIEF_OF.get(self.final_outcome or "")

    @property
    def filed_relief(self) -> str | None:
        """The relief this packet's filings ask for this count (None: not filed here)."""
        return None if self.filed_elsewhere else self.relief

    @property
    def reasons_text(self) -> str:
        parts = []
        for reason in self.recommendation_reasons:
            if isinstance(reason, dict):
                text = str(reason.get("text", ""))
                cite = reason.get("citation")
                parts.append(f"{text} ({cite})" if cite and str(cite) not in text else text)
            else:
                parts.append(str(reason))
        return " | ".join(p for p in parts if p)

    def case_list_entry(self) -> list[str]:
        """The attachment row a court sees: no race, no sex, no person key."""
        return [
            self.case_number,
            self.count_number or "",
            self.name,
            short_date(self.dob),
            self.offense_display,
            short_date(self.disposition_date),
            RELIEF_LABELS.get(self.relief or "", self.relief or ""),
        ]


_RELIEF_OF = {o.value: o.relief for o in Outcome if o.relief}
RELIEF_LABELS = {"dismiss": "Dismiss", "reduce": "Reduce", "vacate": "Vacate"}
RELIEF_ORDER = ("dismiss", "reduce", "vacate")
CASE_LIST_HEADERS = [
    "Case number",
    "Count",
    "Name",
    "Date of birth",
    "Code section",
    "Disposition date",
    "Relief",
]


@dataclass(frozen=True, slots=True)
class Office:
    """The county settings the filings are filled from."""

    court_name: str = ""
    office_name: str = ""
    attorney_name: str = ""
    attorney_bar_number: str = ""
    office_address: str = ""
    county: str = ""
    title: str = ""


@dataclass(frozen=True, slots=True)
class SignoffInfo:
    id: int
    user: str
    at: str
    decisions_hash: str
    count_total: int
    full_name: str = ""  # the signer's name from the user list, when the administrator set one

    @property
    def signer(self) -> str:
        """How a filing names the signer: "Dana Reyes (dreyes)", or the user name alone."""
        name = self.full_name.strip()
        return f"{name} ({self.user})" if name and name != self.user else self.user


@dataclass(frozen=True, slots=True)
class PolicyInfo:
    policy_id: str
    title: str
    pack_version: str | None
    pack_sha256: str
    as_of: str
    run_id: int | None


@dataclass
class PacketData:
    """Everything a packet is made from, fixed before the first file is written."""

    office: Office
    signoff: SignoffInfo
    policy: PolicyInfo
    rows: list[ExportRow]
    source_headers: dict[int, list[str]] = field(default_factory=dict)
    source_names: dict[int, str] = field(default_factory=dict)
    # (person id, count id, level, disposition) of every count in the workspace, for the summary.
    history: list[tuple[int, int, str | None, str | None]] = field(default_factory=list)
    generated_at: str = ""
    app_version: str = ""
    # What the people reading the packet must know about how it was made (export warnings).
    notes: tuple[str, ...] = ()

    def rows_for_relief(self, relief: str) -> list[ExportRow]:
        return self._by_relief.get(relief, [])

    @cached_property
    def _by_relief(self) -> dict[str, list[ExportRow]]:
        out: dict[str, list[ExportRow]] = {}
        for row in self.rows:
            if row.filed_relief:
                out.setdefault(row.filed_relief, []).append(row)
        return out

    @cached_property
    def case_lists(self) -> dict[str, list[list[str]]]:
        """The attachment rows of each relief type (computed once, shared by every file)."""
        return {
            relief: [r.case_list_entry() for r in rows] for relief, rows in self._by_relief.items()
        }

    def not_filed_here(self) -> list[ExportRow]:
        """Counts decided to relief that this court's filings leave out, and why (each row's
        ``filed_elsewhere``): they belong in another county's court."""
        return [r for r in self.rows if r.relief and r.filed_elsewhere]

    def filing_notes(self) -> list[str]:
        """What everyone reading the packet must know about what its filings leave out: said
        in the export's warnings and on the clerk's workbook's summary sheet."""
        notes = []
        elsewhere = self.not_filed_here()
        if elsewhere:
            first = elsewhere[0]
            many = len(elsewhere) != 1
            notes.append(
                f"{len(elsewhere):,} count{'s' if many else ''} decided to relief "
                f"{'are' if many else 'is'} not in these filings: the case is in another county, "
                "or its county must be checked first. The clerk's workbook gives the reason for "
                f"each in the column 'In these filings' (case {first.case_number}: "
                f"{first.filed_elsewhere})"
            )
        return notes + list(self.notes)

    def reliefs(self) -> list[str]:
        return [r for r in RELIEF_ORDER if r in self._by_relief]

    def counts_by_outcome(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for row in self.rows:
            key = row.final_outcome or ""
            out[key] = out.get(key, 0) + 1
        order = [o.value for o in Outcome]
        return dict(
            sorted(out.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))
        )

    def case_list_sha256(self) -> str:
        """SHA-256 of every filed case-list entry (the attachments' content), in order."""
        digest = hashlib.sha256()
        for row in self.rows:
            if row.filed_relief:
                digest.update(
                    json.dumps(row.case_list_entry(), ensure_ascii=False).encode("utf-8") + b"\n"
                )
        return digest.hexdigest()

    def fingerprint_data(self) -> dict[str, Any]:
        """What the packet fingerprint binds: who signed what, under which policy, filing which cases."""
        return {
            "policy_id": self.policy.policy_id,
            "pack_sha256": self.policy.pack_sha256,
            "pack_version": self.policy.pack_version,
            "as_of": self.policy.as_of,
            "signoff_id": self.signoff.id,
            "signed_by": self.signoff.user,
            "signed_at": self.signoff.at,
            "decisions_hash": self.signoff.decisions_hash,
            "counts_by_outcome": self.counts_by_outcome(),
            "case_list_sha256": self.case_list_sha256(),
        }

    def fingerprint(self) -> str:
        return self._fingerprint

    @cached_property
    def _fingerprint(self) -> str:
        return fingerprint_of(self.fingerprint_data())


def fingerprint_of(data: dict[str, Any]) -> str:
    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
