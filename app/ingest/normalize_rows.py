"""Turn mapped source rows into person, case, count and event records, with a finding for every defect.

A row with no case number, or with neither a person key nor a name, is unusable (an error).
Anything else that cannot be read is a warning: the raw value is kept, the normalized field
is left empty, and the engine answers ``needs_review`` where it needs that fact.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from app.core.dates import cell_text, parse_date
from app.core.model import Disposition, Offense
from app.core.normalize import (
    clean_text,
    match_key,
    normalize_id,
    normalize_sex,
    parse_disposition,
    parse_level,
    parse_name,
)
from app.core.offense import parse_offense
from app.ingest.findings import Finding, Severity
from app.ingest.mapping import FIELDS_BY_NAME, ResolvedMapping

Cell = object

_CACHE_LIMIT = 200_000
_TEMPLATE = re.compile(r"\{([^{}]+)\}")

# DOJ step types whose rows are counts; REGISTRATION and the other steps are history events.
_COUNT_STEPS = {"", "COURT", "COUNT", "CHARGE", "CONVICTION", "CASE", "DISPOSITION"}


@dataclass(slots=True)
class PersonRecord:
    key: str | None
    key_type: str | None
    full_name: str | None
    last_name: str | None
    first_name: str | None
    middle_name: str | None
    name_key: str
    dob: str | None
    dob_raw: str | None
    sex: str | None
    race: str | None


@dataclass(slots=True)
class CaseRecord:
    case_number: str
    case_key: str  # comparison form of the case number
    court: str | None
    county: str | None
    filing_date: str | None
    filing_date_raw: str | None
    status: str | None
    status_given: bool  # True when a status column said it; else derived from dispositions


@dataclass(slots=True)
class CountRecord:
    count_number: str | None
    offense_raw: str | None
    offense_comment: str | None
    code_book: str | None
    section: str | None
    subsections: str | None
    attempt: bool
    conspiracy: bool
    offense_recognized: bool
    description: str | None
    level: str | None
    level_raw: str | None
    disposition: str | None
    disposition_raw: str | None
    disposition_date: str | None
    disposition_date_raw: str | None
    offense_date: str | None
    offense_date_raw: str | None
    sentence: str | None
    comment: str | None


@dataclass(slots=True)
class EventRecord:
    event_type: str
    event_date: str | None
    event_date_raw: str | None
    offense_raw: str | None
    code_book: str | None
    section: str | None
    subsections: str | None
    description: str | None


@dataclass(slots=True)
class RowRecord:
    """One usable source row: its person, and either a case + count or a history event."""

    row_number: int
    raw: list[str | None]
    person: PersonRecord
    case: CaseRecord | None
    count: CountRecord | None
    event: EventRecord | None
    dedupe_key: str

    @property
    def content_hash(self) -> str:
        """Of the raw row: tells an exact duplicate from one that only overlaps."""
        return _digest(*self.raw)


@dataclass(slots=True)
class RowResult:
    record: RowRecord | None
    findings: list[Finding] = field(default_factory=list)
    blank: bool = False

    @property
    def error(self) -> Finding | None:
        return next((f for f in self.findings if f.severity is Severity.ERROR), None)


def _digest(*parts: str | None) -> str:
    joined = "\x1f".join([p or "" for p in parts])
    return hashlib.blake2b(joined.encode("utf-8"), digest_size=16).hexdigest()


def case_key(case_number: str) -> str:
    """Comparison form of a case number: upper case, spaces and dashes ignored."""
    return re.sub(r"[\s\-]+", "", case_number.upper())


class RowNormalizer:
    """Normalizes the rows of one sheet under one resolved mapping.

    Besides per-row findings it watches ID columns that arrive as numbers, so that an ID
    shorter than its column's usual length (a lost leading zero) is reported at the end.
    """

    def __init__(
        self,
        resolved: ResolvedMapping,
        *,
        file: str,
        sheet: str | None,
        epoch: int = 1900,
        layout: str = "rows",
        today: dt.date | None = None,
    ) -> None:
        self.resolved = resolved
        self.file = file
        self.sheet = sheet
        self.epoch = epoch
        self.layout = layout
        self.today = today or dt.date.today()
        self.key_type = resolved.header_of("person_key")
        self._id_lengths: dict[str, Counter[int]] = {
            "person_key": Counter(),
            "case_number": Counter(),
        }
        self._numeric_ids: dict[str, list[tuple[int, str]]] = {"person_key": [], "case_number": []}
        self._numeric_overflow: dict[str, int] = {"person_key": 0, "case_number": 0}
        self._width = len(resolved.headers)
        # Per field: column index, fallback index, their headers, and the template if any.
        headers = resolved.headers
        self._plan: dict[str, tuple[int | None, int | None, str | None, str | None, Any]] = {}
        for name in FIELDS_BY_NAME:
            i = resolved.index.get(name)
            j = resolved.fallback_index.get(name)
            template = resolved.templates.get(name)
            if i is None and j is None and template is None:
                continue
            self._plan[name] = (
                i,
                j,
                headers[i] if i is not None else None,
                headers[j] if j is not None else None,
                template,
            )
        # Values repeat a lot (dates, codes, dispositions): parse each distinct one once.
        self._date_cache: dict[object, tuple[str | None, str | None, Any]] = {}
        self._offense_cache: dict[
            tuple[str | None, str | None, str | None], tuple[Offense, str, str]
        ] = {}
        self._level_cache: dict[str | None, Any] = {}
        self._disposition_cache: dict[str | None, Any] = {}

    # -- helpers -------------------------------------------------------------------------

    def _finding(
        self,
        severity: Severity,
        code: str,
        message: str,
        row: int | None,
        column: str | None,
        value: object = None,
    ) -> Finding:
        return Finding(
            severity=severity,
            code=code,
            message=message,
            file=self.file,
            sheet=self.sheet,
            row=row,
            column=column,
            value=cell_text(value) if value is not None else None,
        )

    def _cell(self, cells: list[Cell], name: str) -> tuple[Cell, str | None]:
        """The raw cell for a field (fallback column when empty) and the header it came from."""
        plan = self._plan.get(name)
        if plan is None:
            return None, None
        i, j, header_i, header_j, template = plan
        n = len(cells)
        if i is not None and i < n:
            value = cells[i]
            if value is not None and not (value.__class__ is str and _blank(value)):
                return value, header_i
        if j is not None and j < n:
            value = cells[j]
            if value is not None and not (value.__class__ is str and _blank(value)):
                return value, header_j
        if template is not None:
            text, parts = template
            texts = {header: cell_text(cells[k]) if k < n else None for header, k in parts}
            if all(not (t or "").strip() for t in texts.values()):
                return None, text
            value = _TEMPLATE.sub(lambda m: (texts.get(m.group(1)) or "").strip(), text)
            return value, text
        return None, header_i

    def _text(
        self, cells: list[Cell], name: str, row: int, findings: list[Finding]
    ) -> tuple[str | None, str | None]:
        plan = self._plan.get(name)
        if plan is None:
            return None, None
        i = plan[0]
        if i is not None and plan[1] is None and plan[4] is None:
            # Fast path for a plain column: ASCII text cannot hold invisible characters.
            value = cells[i] if i < len(cells) else None
            if value is None:
                return None, plan[2]
            if value.__class__ is str and value.isascii():
                return value.strip() or None, plan[2]
        value, header = self._cell(cells, name)
        if value is None:
            return None, header
        if value.__class__ is str and value.isascii():
            return value.strip() or None, header
        cleaned = clean_text(cell_text(value))
        if cleaned.stripped:
            findings.append(
                self._finding(
                    Severity.INFO,
                    "text.invisible_characters",
                    "invisible characters (non-breaking or zero-width spaces) were removed",
                    row,
                    header,
                    value,
                )
            )
        return cleaned.text, header

    def _date(
        self, cells: list[Cell], name: str, row: int, findings: list[Finding]
    ) -> tuple[str | None, str | None]:
        plan = self._plan.get(name)
        if plan is None:
            return None, None
        i = plan[0]
        if i is not None and plan[1] is None and plan[4] is None:
            value = cells[i] if i < len(cells) else None
            header = plan[2]
        else:
            value, header = self._cell(cells, name)
        if value is None:
            return None, None
        try:
            parsed = self._date_cache[value]
        except KeyError:
            raw = cell_text(value)
            if isinstance(raw, str):
                raw = clean_text(raw).text
            if raw is None:
                parsed = (None, None, None)
            else:
                result = parse_date(value, epoch=self.epoch, today=self.today)
                iso = result.value.isoformat() if result.value is not None else None
                parsed = (iso, raw, result if result.value is None else None)
            if len(self._date_cache) > _CACHE_LIMIT:
                self._date_cache.clear()
            self._date_cache[value] = parsed
        except TypeError:  # an unhashable cell cannot happen with the readers' types; be safe
            result = parse_date(value, epoch=self.epoch, today=self.today)
            parsed = (
                result.value.isoformat() if result.value else None,
                cell_text(value),
                result if result.value is None else None,
            )
        iso, raw, failed = parsed
        if failed is not None:
            label = FIELDS_BY_NAME[name].label.lower()
            findings.append(
                self._finding(
                    Severity.WARNING,
                    failed.code or "date.unreadable",
                    f"{label}: {failed.message}; left empty",
                    row,
                    header,
                    value,
                )
            )
        return iso, raw

    def _id(
        self, cells: list[Cell], name: str, row: int, findings: list[Finding]
    ) -> tuple[str | None, str | None]:
        value, header = self._cell(cells, name)
        if name in self.resolved.templates and name not in self.resolved.index:
            cleaned = clean_text(cell_text(value)).text if value is not None else None
            return cleaned, header
        if value.__class__ is str and value.isascii() and "E" not in value and "e" not in value:
            # Fast path: plain text without any chance of scientific notation or invisible chars.
            text = value.strip() or None
            if text is not None:
                self._id_lengths[name][len(text)] += 1
            return text, header
        result = normalize_id(value)
        if result.code:
            findings.append(
                self._finding(
                    Severity.WARNING, result.code, result.message or "", row, header, value
                )
            )
            return None, header
        if isinstance(value, str) and clean_text(value).stripped:
            findings.append(
                self._finding(
                    Severity.INFO,
                    "text.invisible_characters",
                    "invisible characters were removed",
                    row,
                    header,
                    value,
                )
            )
        if result.text is not None:
            lengths = self._id_lengths[name]
            lengths[len(result.text)] += 1
            if result.from_number:
                if len(self._numeric_ids[name]) < 10_000:
                    self._numeric_ids[name].append((row, result.text))
                else:
                    self._numeric_overflow[name] += 1
        return result.text, header

    def _offense(
        self, raw: str | None, comment: str | None, description: str | None
    ) -> tuple[Offense, str, str]:
        """The parsed offense with its dedupe key and subsection text, parsed once per distinct value."""
        key = (raw, comment, description)
        cached = self._offense_cache.get(key)
        if cached is None:
            offense = parse_offense(raw, comment=comment, description=description)
            cached = (offense, _offense_key(offense), offense.subsection_text)
            if len(self._offense_cache) > _CACHE_LIMIT:
                self._offense_cache.clear()
            self._offense_cache[key] = cached
        return cached

    # -- the row -------------------------------------------------------------------------

    def normalize(self, row_number: int, cells: list[Cell]) -> RowResult:
        for c in cells:
            if c is not None and not (c.__class__ is str and _blank(c)):
                break
        else:
            return RowResult(None, blank=True)
        findings: list[Finding] = []
        raw = [c if c.__class__ is str or c is None else cell_text(c) for c in cells]
        if len(raw) < self._width:
            raw.extend([None] * (self._width - len(raw)))

        key, key_header = self._id(cells, "person_key", row_number, findings)
        full, _ = self._text(cells, "full_name", row_number, findings)
        last, _ = self._text(cells, "last_name", row_number, findings)
        first, _ = self._text(cells, "first_name", row_number, findings)
        middle, _ = self._text(cells, "middle_name", row_number, findings)
        if full:
            parts = parse_name(full)
            if not (last or first):
                last, first, middle = parts.last, parts.first, parts.middle
        else:
            # The parts are already clean: join them without cleaning again.
            given = f"{first} {middle}" if first and middle else (first or middle)
            full = f"{last}, {given}" if last and given else (last or given)
        dob, dob_raw = self._date(cells, "dob", row_number, findings)
        sex_text, _ = self._text(cells, "sex", row_number, findings)
        race, _ = self._text(cells, "race", row_number, findings)
        person = PersonRecord(
            key=key,
            key_type=self.key_type if key else None,
            full_name=full,
            last_name=last,
            first_name=first,
            middle_name=middle,
            name_key=f"{match_key(last)}|{match_key(first)}",
            dob=dob,
            dob_raw=dob_raw,
            sex=normalize_sex(sex_text),
            race=race,
        )

        # What kind of row: a count, or a history event (registration, arrest-only step...).
        event_type_text, event_header = self._text(cells, "event_type", row_number, findings)
        disposition_text, disposition_header = self._text(
            cells, "disposition", row_number, findings
        )
        disposition = self._disposition_cache.get(disposition_text)
        if disposition is None:
            disposition = self._disposition_cache[disposition_text] = parse_disposition(
                disposition_text
            )
        event_type: str | None = None
        step = (event_type_text or "").upper().strip()
        if disposition.event_type or "REGIST" in step:
            event_type = "registration"
        elif step and step not in _COUNT_STEPS and disposition_text is None:
            event_type = step.lower()

        offense_raw, offense_header = self._text(cells, "offense_code", row_number, findings)
        description, _ = self._text(cells, "offense_description", row_number, findings)
        comment, _ = self._text(cells, "comment", row_number, findings)
        offense, offense_key, subsection_text = self._offense(offense_raw, comment, description)
        if (offense_raw or description) and not offense.recognized:
            findings.append(
                self._finding(
                    Severity.WARNING,
                    "offense.unknown",
                    f"the offense code {offense_raw or description!r} is not one ClearSlate can read; kept as is, the count will need review",
                    row_number,
                    offense_header,
                    offense_raw or description,
                )
            )

        if key is None and not full:
            findings.append(
                self._finding(
                    Severity.ERROR,
                    "row.no_person",
                    "this row has neither a person key nor a name, so it cannot be tied to a person",
                    row_number,
                    key_header or self.resolved.header_of("full_name"),
                )
            )
            return RowResult(None, findings)
        identity = f"k:{key}" if key else f"n:{person.name_key}|{dob or dob_raw or ''}"

        if event_type is not None:
            event_date, event_date_raw = self._date(cells, "disposition_date", row_number, findings)
            if event_date is None and event_date_raw is None:
                event_date, event_date_raw = self._date(cells, "offense_date", row_number, findings)
            event = EventRecord(
                event_type=event_type,
                event_date=event_date,
                event_date_raw=event_date_raw,
                offense_raw=offense_raw,
                code_book=offense.code_book if offense.recognized else None,
                section=offense.section if offense.recognized else None,
                subsections=subsection_text if offense.recognized else None,
                description=description,
            )
            dedupe = _digest(
                "e",
                identity,
                event_type,
                event_date or event_date_raw,
                offense_key,
                description,
            )
            return RowResult(
                RowRecord(row_number, raw, person, None, None, event, dedupe),
                findings,
            )

        case_number, case_header = self._id(cells, "case_number", row_number, findings)
        if not case_number:
            findings.append(
                self._finding(
                    Severity.ERROR,
                    "row.no_case_number",
                    "this row has no case number, so its count cannot be placed in a case",
                    row_number,
                    case_header,
                )
            )
            return RowResult(None, findings)

        if disposition.code:
            findings.append(
                self._finding(
                    Severity.WARNING,
                    disposition.code,
                    disposition.message or "",
                    row_number,
                    disposition_header,
                    disposition_text,
                )
            )
        level_text, level_header = self._text(cells, "level", row_number, findings)
        level = self._level_cache.get(level_text)
        if level is None:
            level = self._level_cache[level_text] = parse_level(level_text)
        if level.code:
            findings.append(
                self._finding(
                    Severity.WARNING,
                    level.code,
                    f"{level.message}; left empty",
                    row_number,
                    level_header,
                    level_text,
                )
            )
        disposition_date, disposition_date_raw = self._date(
            cells, "disposition_date", row_number, findings
        )
        offense_date, offense_date_raw = self._date(cells, "offense_date", row_number, findings)
        filing_date, filing_date_raw = self._date(cells, "filing_date", row_number, findings)
        count_number, _ = self._text(cells, "count_number", row_number, findings)
        court, _ = self._text(cells, "court", row_number, findings)
        county, _ = self._text(cells, "county", row_number, findings)
        sentence, _ = self._text(cells, "sentence", row_number, findings)
        status_text, status_header = self._text(cells, "case_status", row_number, findings)
        status, status_given = _case_status(status_text, disposition.disposition)
        if status_text and status is None:
            findings.append(
                self._finding(
                    Severity.WARNING,
                    "case.status_unknown",
                    f"{status_text!r} is not a case status ClearSlate knows (open, closed, warrant); left empty",
                    row_number,
                    status_header,
                    status_text,
                )
            )
        case = CaseRecord(
            case_number=case_number,
            case_key=case_key(case_number),
            court=court,
            county=county,
            filing_date=filing_date,
            filing_date_raw=filing_date_raw,
            status=status,
            status_given=status_given,
        )
        count = CountRecord(
            count_number=count_number,
            offense_raw=offense_raw,
            # DOJ "SEE COMMENT FOR CHARGE": the code was read from the comment; keep which one.
            offense_comment=comment if offense_raw and "COMMENT" in offense_raw.upper() else None,
            code_book=offense.code_book if offense.recognized else None,
            section=offense.section if offense.recognized else None,
            subsections=subsection_text if offense.recognized else None,
            attempt=offense.attempt,
            conspiracy=offense.conspiracy,
            offense_recognized=offense.recognized and offense.section is not None,
            description=description,
            level=level.level.value if level.level else None,
            level_raw=level_text,
            disposition=disposition.disposition.value if disposition.disposition else None,
            disposition_raw=disposition_text,
            disposition_date=disposition_date,
            disposition_date_raw=disposition_date_raw,
            offense_date=offense_date,
            offense_date_raw=offense_date_raw,
            sentence=sentence,
            comment=comment,
        )
        dedupe = _digest(
            "c",
            identity,
            case.case_key,
            match_key(count_number),
            _offense_key(offense),
            count.disposition or match_key(disposition_text),
            disposition_date or disposition_date_raw,
        )
        return RowResult(RowRecord(row_number, raw, person, case, count, None, dedupe), findings)

    def id_findings(self) -> list[Finding]:
        """After the last row: numeric IDs shorter than their column's usual length (lost zeros)."""
        findings: list[Finding] = []
        for name, numeric in self._numeric_ids.items():
            lengths = self._id_lengths[name]
            if not numeric or not lengths:
                continue
            usual, _ = lengths.most_common(1)[0]
            header = self.resolved.header_of(name)
            for row, text in numeric:
                if len(text) < usual:
                    findings.append(
                        self._finding(
                            Severity.WARNING,
                            "id.lost_leading_zero",
                            f"the ID {text!r} was stored as a number and is shorter than this column's usual {usual} characters; "
                            "it may have lost leading zeros (kept as is, never padded): format the column as text in the source",
                            row,
                            header,
                            text,
                        )
                    )
            if self._numeric_overflow[name]:
                findings.append(
                    self._finding(
                        Severity.INFO,
                        "id.numeric_not_checked",
                        f"{self._numeric_overflow[name]} more IDs in this column were stored as numbers and were not checked one by one",
                        None,
                        header,
                    )
                )
        return findings


def _offense_key(offense: Offense) -> str:
    if offense.recognized and offense.section:
        prefix = "664/" if offense.attempt else ("182/" if offense.conspiracy else "")
        return f"{prefix}{offense.code_book or ''}:{offense.section}{offense.subsection_text}"
    return match_key(offense.raw)


def _case_status(text: str | None, disposition: Disposition | None) -> tuple[str | None, bool]:
    if text:
        upper = text.upper()
        if "WARR" in upper:
            return "warrant", True
        if any(w in upper for w in ("OPEN", "PENDING", "ACTIVE")):
            return "open", True
        if any(w in upper for w in ("CLOSED", "DISPOSED", "INACTIVE", "TERMINATED")):
            return "closed", True
        return None, True
    if disposition is Disposition.WARRANT:
        return "warrant", False
    if disposition is Disposition.OPEN:
        return "open", False
    if disposition is not None:
        return "closed", False
    return None, False


def _blank(text: str) -> bool:
    """True for text that is empty once spaces and invisible characters are removed."""
    if not text or text.isspace():
        return True
    if text.isascii():
        return False
    return clean_text(text).text is None


def _is_empty(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not clean_text(value).text
    return False
