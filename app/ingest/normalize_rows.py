"""Turn mapped source rows into person, case, count and event records, with a finding for every defect.

A row with no case number, or with neither a person key nor a name, is unusable (an error).
Anything else that cannot be read is a warning: the raw value is kept, the normalized field
is left empty, and the engine answers ``needs_review`` where it needs that fact.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import compress
from operator import itemgetter, methodcaller
from typing import Any

from app.core.dates import cell_text, parse_date, swap_day_month
from app.core.model import Disposition, Offense
from app.core.normalize import (
    clean_text,
    match_key,
    normalize_id,
    normalize_sex,
    parse_case_status,
    parse_disposition,
    parse_level,
    parse_name,
)
from app.core.offense import parse_offense
from app.core.rowbatch import ROW_COLUMNS, RowBatch
from app.ingest.findings import Finding, Severity
from app.ingest.mapping import FIELDS_BY_NAME, ResolvedMapping, fill_template
from app.ingest.readers import column_letter

Cell = object

_CACHE_LIMIT = 200_000

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


_CASE_SEPARATORS = re.compile(r"[\s\-]+")


def case_key(case_number: str) -> str:
    """Comparison form of a case number: upper case, spaces and dashes ignored."""
    return _CASE_SEPARATORS.sub("", case_number.upper())


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
        text_cells: bool = False,
        day_first_proofs: dict[str, tuple[int, str | None]] | None = None,
    ) -> None:
        self.resolved = resolved
        # Every cell is text or empty (a CSV/TSV file): the batch path skips its type checks.
        self.text_cells = text_cells
        self.file = file
        self.sheet = sheet
        self.epoch = epoch
        self.layout = layout
        self.today = today or dt.date.today()
        self.key_type = resolved.header_of("person_key")
        # ID bookkeeping per ID column: the person key, the case number, and each column a
        # case-number (or person-key) template is built from ("part:HEADER").
        self._id_headers: dict[str, str | None] = {
            "person_key": resolved.header_of("person_key"),
            "case_number": resolved.header_of("case_number"),
        }
        for name in _ID_FIELDS:
            if name in resolved.templates and name not in resolved.index:
                for part, _ in resolved.templates[name][1]:
                    self._id_headers[f"part:{part}"] = part
        self._id_lengths: dict[str, Counter[int]] = {k: Counter() for k in self._id_headers}
        self._numeric_ids: dict[str, list[tuple[int, str]]] = {k: [] for k in self._id_headers}
        self._numeric_overflow: dict[str, int] = dict.fromkeys(self._id_headers, 0)
        # IDs written as text with digits only: shorter than the column's usual zero-padded
        # width, one may have lost its leading zeros before the file was exported.
        self._digit_ids: dict[str, _DigitIds] = {k: _DigitIds() for k in self._id_headers}
        self._width = len(resolved.headers)
        # Cells beyond the last header (a row wider than the header row): per column index,
        # the first row (lowest number), its value, and how many rows have one. They are kept
        # with the row's original cells; a finding at the end says no field reads them.
        self._beyond: dict[int, list[Any]] = {}
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
        self._date_cache: dict[object, tuple[str | None, str | None, Any, str | None]] = {}
        # Day/month order per date column (header): see _DateOrder. Each value's order
        # ("ambiguous", "mdy", "dmy" or None) is looked up once per distinct value.
        self._orders: dict[str, _DateOrder] = {}
        # Day-first proofs found by an earlier reading of the same file (see
        # late_day_first_proofs): known from the first row, so no ambiguous value is guessed.
        self.day_first_proofs = dict(day_first_proofs or {})
        self._order_of = _Cache()
        self._order_of.compute = self._order_of_value
        self._ambiguous_fields: set[str] = set()  # date fields that ever read an ambiguous value
        self._offense_cache: dict[
            tuple[str | None, str | None, str | None], tuple[Offense, str, str]
        ] = {}
        self._level_cache: dict[str | None, Any] = {}
        self._disposition_cache: dict[str | None, Any] = {}
        # normalize_rows: per-field answers per distinct value, names and sexes read once,
        # each column's JSON text per distinct value, the fields that ever gave a finding.
        self._fast_cache: dict[str, _Cache] = {}
        self._name_cache = _Cache()
        self._sex_cache = _Cache()
        self._json_cache: dict[int, _Cache] = {}
        self._slow_fields: set[str] = set()
        self._fast_ok = "event_type" not in self._plan and all(
            plan[0] is not None and plan[1] is None and plan[4] is None
            for plan in self._plan.values()
        )

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
            return fill_template(text, texts), text
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

    def _parsed(self, value: object) -> tuple[str | None, str | None, Any, str | None]:
        """A date cell read once per distinct value: (ISO date, raw text, the failed
        :class:`DateResult` or None, its day/month order)."""
        try:
            return self._date_cache[value]
        except KeyError:
            raw = cell_text(value)
            if isinstance(raw, str):
                raw = clean_text(raw).text
            if raw is None:
                parsed: tuple[str | None, str | None, Any, str | None] = (None, None, None, None)
            else:
                result = parse_date(value, epoch=self.epoch, today=self.today)
                iso = result.value.isoformat() if result.value is not None else None
                parsed = (iso, raw, result if result.value is None else None, result.order)
            if len(self._date_cache) > _CACHE_LIMIT:
                self._date_cache.clear()
            self._date_cache[value] = parsed
            return parsed
        except TypeError:  # an unhashable cell cannot happen with the readers' types; be safe
            result = parse_date(value, epoch=self.epoch, today=self.today)
            return (
                result.value.isoformat() if result.value else None,
                cell_text(value),
                result if result.value is None else None,
                result.order,
            )

    def _order_of_value(self, value: object) -> str | None:
        return self._parsed(value)[3] if value.__class__ is str else None

    def _order_state(self, header: str | None, name: str) -> _DateOrder:
        key = header or name
        state = self._orders.get(key)
        if state is None:
            state = self._orders[key] = _DateOrder(key, FIELDS_BY_NAME[name].label.lower())
            state.day_first = self.day_first_proofs.get(key)
        return state

    def late_day_first_proofs(self) -> dict[str, tuple[int, str | None]]:
        """After the last row: the date columns (by header) whose day-first proof came after
        ambiguous values had already been read month-first, with the proof (row, text).

        Those values are guesses that may be wrong; reading the file again with these proofs
        given to a new normalizer flags each of them and leaves it empty instead.
        """
        return {
            key: state.day_first
            for key, state in self._orders.items()
            if state.day_first is not None and state.pending
        }

    def _date(
        self, cells: list[Cell], name: str, row: int, findings: list[Finding], count: bool = True
    ) -> tuple[str | None, str | None]:
        """A date field: (ISO date, raw text). ``count`` False reads a value without noting it in
        the column's day/month bookkeeping (the batch path probing a distinct value)."""
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
        iso, raw, failed, order = self._parsed(value)
        if order is not None:
            state = self._order_state(header, name)
            if order == "ambiguous":
                if count:
                    state.note_ambiguous(row, raw, iso)
                proof = state.day_first
                if proof is not None:
                    # The column holds dates that only read day-first: this one could be either.
                    findings.append(
                        self._finding(
                            Severity.WARNING,
                            "date.ambiguous_order",
                            f"{state.label}: {raw!r} could be {_either_way(iso)}; this column also holds dates that only "
                            f"read as day/month/year (row {proof[0]}: {proof[1]!r}), so which it is cannot be told; left empty, "
                            "check the source",
                            row,
                            header,
                            value,
                        )
                    )
                    return None, raw
                if count:
                    state.keep(row, raw, iso)
            elif count:
                state.note_proof(order, row, raw)
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

    def _learn_date_orders(
        self, rows: Sequence[tuple[int, list[Cell]]], by_index: list[Sequence[Any]] | None = None
    ) -> None:
        """Before a batch is read: which date columns prove their order in it.

        A value that only reads day-first (25/12/1999) anywhere in the batch makes the
        ambiguous values of its whole batch (and every later one) flagged and left empty, not
        just those after it; the ones of earlier batches were read month-first and are listed
        at the end. Both batch paths call this first, so they read every value alike.
        """
        for name in _DATE_FIELDS:
            plan = self._plan.get(name)
            if plan is None:
                continue
            for index, header in ((plan[0], plan[2]), (plan[1], plan[3])):
                if index is None:
                    continue
                state = self._order_state(header, name)
                if state.day_first is not None and state.month_first is not None:
                    continue  # nothing left to learn about this column
                if by_index is not None:
                    column: Sequence[Any] = by_index[index] if index < len(by_index) else ()
                else:
                    column = [c[index] if index < len(c) else None for _, c in rows]
                orders = set(_looked_up(self._order_of, column, self._order_of_value))
                for order in ("dmy", "mdy"):
                    known = state.day_first if order == "dmy" else state.month_first
                    if order in orders and known is None:
                        n, value = next(
                            (n, v)
                            for (n, _), v in zip(rows, column, strict=False)
                            if self._order_of[v] == order
                        )
                        state.note_proof(order, n, self._parsed(value)[1])
                        if order == "dmy":
                            # Answers remembered for this field's ambiguous values are stale now.
                            self._fast_cache.pop(name, None)

    def _id(
        self, cells: list[Cell], name: str, row: int, findings: list[Finding]
    ) -> tuple[str | None, str | None]:
        value, header = self._cell(cells, name)
        if name in self.resolved.templates and name not in self.resolved.index:
            if not self._template_parts_ok(cells, name, row, findings):
                return None, header
            cleaned = clean_text(cell_text(value)).text if value is not None else None
            return cleaned, header
        if value.__class__ is str and value.isascii() and "E" not in value and "e" not in value:
            # Fast path: plain text without any chance of scientific notation or invisible chars.
            text = value.strip() or None
            if text is not None:
                self._id_lengths[name][len(text)] += 1
                if text.isdigit():
                    self._digit_ids[name].add(row, text)
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
            self._note_id(name, row, result.text, result.from_number)
        return result.text, header

    def _note_id(self, key: str, row: int, text: str, from_number: bool) -> None:
        """Count an ID's length; keep a number cell's (or a digits-only text's) row for the
        lost-leading-zero check at the end."""
        self._id_lengths[key][len(text)] += 1
        if from_number:
            if len(self._numeric_ids[key]) < 10_000:
                self._numeric_ids[key].append((row, text))
            else:
                self._numeric_overflow[key] += 1
        elif text.isascii() and text.isdigit():
            self._digit_ids[key].add(row, text)

    def _template_parts_ok(
        self, cells: list[Cell], name: str, row: int, findings: list[Finding]
    ) -> bool:
        """Check each column an ID template is built from as an ID (scientific notation, lost
        leading zeros): a case number made of a mangled SUBJECT_ID could join two people's cases.
        False when a part is unusable (the ID is then left empty, so the row is reported)."""
        template, parts = self.resolved.templates[name]
        ok = True
        n = len(cells)
        for part, k in parts:
            value = cells[k] if k < n else None
            if value is None or value.__class__ is dt.date or value.__class__ is dt.datetime:
                continue  # a date part (the DOJ arrest cycle) is not an ID
            result = normalize_id(value)
            if result.code:
                label = FIELDS_BY_NAME[name].label.lower()
                findings.append(
                    self._finding(
                        Severity.WARNING,
                        result.code,
                        f"{result.message}; the {label} is built from it ({template!r}), so it is left empty",
                        row,
                        part,
                        value,
                    )
                )
                ok = False
            elif result.text is not None:
                self._note_id(f"part:{part}", row, result.text, result.from_number)
        return ok

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
        full, last, first, middle, name_key = _name_parts((full, last, first, middle))
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
            name_key=name_key,
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
                    f"the offense code {offense_raw or description!r} is not one ClearSlate can read"
                    + (f" ({offense.note})" if offense.note else "")
                    + "; kept as is, the count will need review",
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

        before = len(findings)
        case_number, case_header = self._id(cells, "case_number", row_number, findings)
        if not case_number:
            unreadable = len(findings) > before  # an ID finding says why it was left empty
            findings.append(
                self._finding(
                    Severity.ERROR,
                    "row.no_case_number",
                    "this row's case number cannot be used (see the warning on this row), so its count cannot be placed in a case"
                    if unreadable
                    else "this row has no case number, so its count cannot be placed in a case",
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

    # -- many rows at once ------------------------------------------------------------------

    def normalize_rows(self, rows: Sequence[tuple[int, list[Cell]]]) -> RowBatch:
        """A batch of rows as a :class:`RowBatch`: the same as :meth:`rows_one_by_one`, faster.

        Values repeat enormously down a column (dates, codes, names, courts), so each column of
        the batch is read once per distinct value: the per-field reader of :meth:`normalize`
        runs on that value alone and its answer is remembered, and whole columns are looked up
        in those answers in C (``map`` over a dict). A row with any value that does not read
        cleanly (a finding, an error, a history event, a numeric ID) goes through
        :meth:`normalize` itself, so its findings and the ID-length bookkeeping are exactly the
        reference's, and its values are placed at its position in the columns. Layouts the
        fast path does not cover (templates, fallback columns, an event-type column) use
        :meth:`normalize` for every row.
        """
        if not self._fast_ok:
            return self.rows_one_by_one(rows)
        self._note_beyond_headers(rows)
        n_rows = len(rows)
        width = self._width
        # Transpose the batch in C: rows padded to the header width, then zip(*rows). A row
        # wider than the headers (cells beyond the last header) keeps its raw text row by row.
        padded = [
            cells if len(cells) == width else (cells + [None] * (width - len(cells)))
            for _, cells in rows
        ]
        wide = any(len(cells) > width for cells in padded)
        by_index = list(zip(*padded, strict=False)) if width else []
        self._learn_date_orders(rows, by_index)
        keyed, text_only = self._column_keys(by_index)
        none = [None] * n_rows
        columns: dict[str, Sequence[Any]] = {}
        slow: set[int] = set()
        for name, (i, *_rest) in self._plan.items():
            assert i is not None
            values = by_index[i] if i < width else none
            if name in _ID_FIELDS:
                # RowNormalizer._id's plain-text branch, inline (the lengths are counted once
                # the rows are known to be clean); anything else takes the slow path.
                column: Sequence[Any] | None = _plain_ids(values)
                if column is not None:
                    columns[name] = column
                    continue
                column = [
                    None
                    if v is None
                    else (v.strip() or None)
                    if v.__class__ is str and v.isascii() and "E" not in v and "e" not in v
                    else _SLOW
                    for v in values
                ]
                if _SLOW in column:
                    slow.update(n for n, v in enumerate(column) if v is _SLOW)
            else:
                column = self._fast_column(name, i, keyed[i] if i < width else none)
                if name in self._slow_fields:
                    slow.update(n for n, v in enumerate(column) if v is _SLOW)
            columns[name] = column

        def col(name: str) -> Sequence[Any]:
            return columns.get(name, none)

        keys, fulls, lasts, firsts, middles = (
            col("person_key"),
            col("full_name"),
            col("last_name"),
            col("first_name"),
            col("middle_name"),
        )
        case_numbers = col("case_number")
        if None in case_numbers:
            slow.update(n for n, v in enumerate(case_numbers) if v is None)
        if None in keys:
            slow.update(
                n
                for n, (k, f, la, fi, m) in enumerate(zip(keys, fulls, lasts, firsts, middles))
                if k is None and not (f or la or fi or m)
            )
        # Per distinct value: does it send the row to normalize(), and what it stores.
        dispositions = col("disposition")
        disposition_info = _looked_up(
            self._fast_cache.setdefault("disposition info", _Cache()),
            dispositions,
            self._disposition_info,
        )
        levels = col("level")
        level_info = _looked_up(
            self._fast_cache.setdefault("level info", _Cache()), levels, self._level_info
        )
        offenses, descriptions, comments = (
            col("offense_code"),
            col("offense_description"),
            col("comment"),
        )
        offense_info = _looked_up(
            self._fast_cache.setdefault("offense info", _Cache()),
            list(zip(offenses, comments, descriptions)),
            self._offense_info,
        )
        statuses = col("case_status")
        status_info = _looked_up(
            self._fast_cache.setdefault("status info", _Cache()),
            list(zip(statuses, dispositions)),
            self._status_info,
        )
        for info in (disposition_info, level_info, offense_info, status_info):
            slow.update(compress(range(n_rows), map(itemgetter(0), info)))

        clean = [n for n in range(n_rows) if n not in slow] if slow else None

        def pick(values: Sequence[Any]) -> list[Any]:
            # With no slow row the columns are used as they are (even one list for two absent
            # fields): nothing is inserted into them then, and nothing downstream mutates them.
            if clean is None:
                return values if values.__class__ is list else list(values)  # type: ignore[return-value]
            return [values[n] for n in clean]

        batch = RowBatch()
        keys, case_numbers = pick(keys), pick(case_numbers)
        key_lengths = self._id_lengths["person_key"]
        key_lengths.update(map(len, filter(None, keys)))
        self._id_lengths["case_number"].update(map(len, case_numbers))
        m = len(case_numbers)
        batch.rows = m
        batch.row_numbers = pick([n for n, _ in rows])
        self._digit_ids["person_key"].add_many(batch.row_numbers, keys)
        self._digit_ids["case_number"].add_many(batch.row_numbers, case_numbers)
        # Ambiguous day/month values of the clean rows (normalize() notes the slow rows' own).
        for name in self._ambiguous_fields:
            pairs = pick(columns[name])
            flags = [p is not None and p[2] for p in pairs]
            if True in flags:
                self._order_state(self._plan[name][2], name).note_many(
                    list(compress(batch.row_numbers, flags)), list(compress(pairs, flags))
                )
        # The verbatim rows as their stored JSON (non-text cells read once per distinct value).
        batch.raw_json = self._raw_json_rows(keyed, text_only, padded, pick)
        if wide:
            wide_rows = [
                (k, cells) for k, (_, cells) in enumerate(pick(rows)) if len(cells) > width
            ]
            for k, cells in wide_rows:
                batch.raw_json[k] = raw_json(
                    [c if c.__class__ is str or c is None else cell_text(c) for c in cells]
                )
        # Person
        names = _looked_up(
            self._name_cache,
            list(zip(pick(fulls), pick(lasts), pick(firsts), pick(middles))),
            _name_parts,
        )
        (
            batch.full_name,
            batch.last_name,
            batch.first_name,
            batch.middle_name,
            batch.name_key,
        ) = map(list, zip(*names)) if names else ([], [], [], [], [])
        batch.person_key = keys
        key_type = self.key_type
        batch.key_type = [key_type if k else None for k in keys]
        dob_pairs = pick(col("dob"))
        batch.dob = [p[0] if p is not None else None for p in dob_pairs]
        batch.dob_raw = [p[1] if p is not None else None for p in dob_pairs]
        batch.sex = _looked_up(self._sex_cache, pick(col("sex")), normalize_sex)
        batch.race = pick(col("race"))
        # Case
        batch.case_number = case_numbers
        batch.case_key = _looked_up(
            self._fast_cache.setdefault("case key", _Cache()), case_numbers, case_key
        )
        batch.court, batch.county = pick(col("court")), pick(col("county"))
        fd_pairs = pick(col("filing_date"))
        batch.filing_date = [p[0] if p is not None else None for p in fd_pairs]
        batch.filing_date_raw = [p[1] if p is not None else None for p in fd_pairs]
        status_info = pick(status_info)
        batch.status = [s[1] for s in status_info]
        batch.status_given = [s[2] for s in status_info]
        # Count
        offense_info = pick(offense_info)
        (
            batch.offense_comment,
            batch.code_book,
            batch.section,
            batch.subsections,
            batch.attempt,
            batch.conspiracy,
            batch.offense_recognized,
            offense_keys,
        ) = (
            map(list, zip(*[o[1:] for o in offense_info]))
            if m
            else ([], [], [], [], [], [], [], [])
        )
        batch.count_number = pick(col("count_number"))
        batch.offense_raw = pick(offenses)
        batch.description = pick(descriptions)
        batch.comment = pick(comments)
        batch.level = [info[1] for info in pick(level_info)]
        batch.level_raw = pick(levels)
        disposition_info = pick(disposition_info)
        batch.disposition = [info[1] for info in disposition_info]
        batch.disposition_raw = pick(dispositions)
        for name, dates, raws in (
            ("disposition_date", "disposition_date", "disposition_date_raw"),
            ("offense_date", "offense_date", "offense_date_raw"),
        ):
            pairs = pick(col(name))
            setattr(batch, dates, [p[0] if p is not None else None for p in pairs])
            setattr(batch, raws, [p[1] if p is not None else None for p in pairs])
        batch.sentence = pick(col("sentence"))
        # The dedupe key: the same parts as normalize() joins, hashed per row.
        if None in keys:
            identities = [
                f"k:{k}" if k else f"n:{nk}|{d or dr or ''}"
                for k, nk, d, dr in zip(keys, batch.name_key, batch.dob, batch.dob_raw)
            ]
        else:
            identities = list(map("k:".__add__, keys))  # every row has a key (never "")
        count_keys = _looked_up(
            self._fast_cache.setdefault("count key", _Cache()), batch.count_number, match_key
        )
        disposition_parts = [info[2] for info in disposition_info]
        date_parts = [
            d or dr or "" for d, dr in zip(batch.disposition_date, batch.disposition_date_raw)
        ]
        batch.dedupe_keys = [
            _hash_text(text)
            for text in map(
                "c\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}".format,
                identities,
                batch.case_key,
                count_keys,
                offense_keys,
                disposition_parts,
                date_parts,
            )
        ]
        if slow:
            self._place_slow_rows(batch, rows, sorted(slow))
        return batch

    def rows_one_by_one(self, rows: Sequence[tuple[int, list[Cell]]]) -> RowBatch:
        """The reference for :meth:`normalize_rows`: :meth:`normalize` on each row in turn."""
        self._note_beyond_headers(rows)
        self._learn_date_orders(rows)
        batch = RowBatch()
        for row_number, cells in rows:
            _add_result(batch, row_number, cells, self.normalize(row_number, cells), None)
        return batch

    def _note_beyond_headers(self, rows: Sequence[tuple[int, list[Cell]]]) -> None:
        """Remember values in columns beyond the last header (reported by :meth:`id_findings`).

        Both batch paths call this once per batch on every row, so the count and the first row
        do not depend on which rows take the slow path.
        """
        width = self._width
        if max(map(len, map(itemgetter(1), rows)), default=0) <= width:
            return
        for row_number, cells in rows:
            for k in range(width, len(cells)):
                value = cells[k]
                if value is None or (value.__class__ is str and _blank(value)):
                    continue
                seen = self._beyond.get(k)
                if seen is None:
                    self._beyond[k] = [row_number, value, 1]
                else:
                    seen[2] += 1
                    if row_number < seen[0]:
                        seen[0], seen[1] = row_number, value

    def _place_slow_rows(
        self, batch: RowBatch, rows: Sequence[tuple[int, list[Cell]]], slow: list[int]
    ) -> None:
        """Normalize the rows the fast path left out and put each at its place in the batch."""
        placed = 0  # usable slow rows placed so far
        for done, n in enumerate(slow):
            row_number, cells = rows[n]
            # Its position: the clean rows before it (n - done) plus the usable slow ones.
            if _add_result(
                batch, row_number, cells, self.normalize(row_number, cells), n - done + placed
            ):
                placed += 1

    # Per distinct value: (sends the row to normalize(), what is stored ...). A value that gave
    # a finding (_SLOW) already sends its row there.

    def _disposition_info(self, text: Any) -> tuple[bool, str | None, str]:
        if text is _SLOW:
            return True, None, ""
        parsed = self._disposition_cache.get(text)
        if parsed is None:
            parsed = self._disposition_cache[text] = parse_disposition(text)
        value = parsed.disposition.value if parsed.disposition else None
        return bool(parsed.event_type or parsed.code), value, value or match_key(text)

    def _level_info(self, text: Any) -> tuple[bool, str | None]:
        if text is _SLOW:
            return True, None
        parsed = self._level_cache.get(text)
        if parsed is None:
            parsed = self._level_cache[text] = parse_level(text)
        return bool(parsed.code), parsed.level.value if parsed.level else None

    def _offense_info(self, key: tuple[str | None, str | None, str | None]) -> tuple[Any, ...]:
        raw, comment, description = key
        if _SLOW in key:
            return (True, None, None, None, None, 0, 0, 0, "")
        offense, offense_key, subsection_text = self._offense(raw, comment, description)
        recognized = offense.recognized
        return (
            bool((raw or description) and not recognized),
            comment if raw and "COMMENT" in raw.upper() else None,
            offense.code_book if recognized else None,
            offense.section if recognized else None,
            subsection_text if recognized else None,
            int(offense.attempt),
            int(offense.conspiracy),
            int(recognized and offense.section is not None),
            offense_key,
        )

    def _status_info(self, key: tuple[Any, Any]) -> tuple[bool, str | None, bool]:
        text, disposition_text = key
        if _SLOW in key:
            return True, None, False
        disposition = self._disposition_cache.get(disposition_text)
        if disposition is None:
            disposition = self._disposition_cache[disposition_text] = parse_disposition(
                disposition_text
            )
        status, given = _case_status(text, disposition.disposition)
        return bool(text and status is None), status, given

    def _column_keys(
        self, by_index: list[tuple[Any, ...]]
    ) -> tuple[list[Sequence[Any]], list[bool]]:
        """Each column as cache keys (checked once per batch), and whether it is all text.

        Text, dates, times and empties are their own keys (none of them equals another type);
        numbers are keyed with their type, since bool, int and float compare equal
        (True == 1 == 1.0) but do not read alike.
        """
        if self.text_cells:
            return list(by_index), [True] * len(by_index)
        keyed: list[Sequence[Any]] = []
        text_only: list[bool] = []
        for values in by_index:
            types = set(map(type, values))
            text_only.append(types <= _TEXT_TYPES)
            if types <= _PLAIN_KEY_TYPES:
                keyed.append(values)
            else:
                keyed.append(
                    [v if v is None or v.__class__ is str else (v.__class__, v) for v in values]
                )
        return keyed, text_only

    def _raw_json_rows(
        self,
        keyed: list[Sequence[Any]],
        text_only: list[bool],
        padded: list[list[Cell]],
        pick: Any,
    ) -> list[str]:
        """Each row's cells as the stored JSON list of their raw texts (see :data:`raw_json`)."""
        rows: Any = pick(padded)
        converted = False
        texts: list[Sequence[Any]] = []
        for index, keys in enumerate(keyed):
            if text_only[index]:
                texts.append(keys)
                continue
            # Numbers, dates and times become the text a person sees, once per distinct value.
            converted = True
            cache = self._json_cache.setdefault(index, _Cache())
            texts.append(_looked_up(cache, keys, _raw_text))
        if converted:
            rows = pick(list(zip(*texts)))
        encode = _encode_row
        return ["".join(encode(row, 0)) for row in rows]

    def _fast_column(self, name: str, index: int, keys: Sequence[Any]) -> list[Any]:
        """Each value of one column read by the reference reader, once per distinct value.

        ``keys`` is the column as :meth:`_column_keys` keys it. The answer is the normalized
        text (or ``(iso, raw)`` for a date), None for an empty cell, or ``_SLOW`` when reading
        it gives a finding (the row then takes the slow path).
        """
        cache = self._fast_cache.setdefault(name, _Cache())
        cache[None] = None

        def read(key: Any) -> Any:
            return self._read_value(name, index, key[1] if key.__class__ is tuple else key)

        return _looked_up(cache, keys, read)

    def _read_value(self, name: str, index: int, value: object) -> Any:
        """One cell read by the reference reader: its answer, or ``_SLOW`` if it gives a finding."""
        findings: list[Finding] = []
        probe: list[Cell] = [None] * (index + 1)
        probe[index] = value
        if name in _DATE_FIELDS:
            pair = self._date(probe, name, 0, findings, count=False)
            answer: Any = None
            if pair != (None, None):
                # (ISO date, raw text, True for a value that reads either way round)
                ambiguous = self._order_of_value(value) == "ambiguous"
                answer = (*pair, ambiguous)
                if ambiguous:
                    self._ambiguous_fields.add(name)
        else:
            answer = self._text(probe, name, 0, findings)[0]
        if findings:
            self._slow_fields.add(name)
            return _SLOW
        return answer

    def id_findings(self) -> list[Finding]:
        """After the last row, the findings about whole columns: numeric IDs shorter than their
        column's usual length (lost zeros), values in columns beyond the last header."""
        findings: list[Finding] = []
        last = column_letter(self._width - 1) if self._width else None
        for k, (row, value, rows) in sorted(self._beyond.items()):
            letter = column_letter(k)
            more = f" and {rows - 1:,} more row(s)" if rows > 1 else ""
            findings.append(
                self._finding(
                    Severity.WARNING,
                    "cell.beyond_last_header",
                    f"column {letter} has values but no header (row {row}{more}); the header row ends at "
                    f"column {last}. The values are kept with each row's original cells, but no field reads them: "
                    "give the column a header in the source and import again if it matters",
                    row,
                    letter,
                    value,
                )
            )
        for name, digits in self._digit_ids.items():
            findings.extend(digits.findings(self, self._id_headers[name]))
        # Column order (the states were made in whatever order the rows needed them).
        position = {h: i for i, h in enumerate(self.resolved.headers)}
        for key in sorted(self._orders, key=lambda k: (position.get(k, len(position)), k)):
            findings.extend(self._orders[key].findings(self))
        for name, numeric in self._numeric_ids.items():
            lengths = self._id_lengths[name]
            if not numeric or not lengths:
                continue
            usual, _ = lengths.most_common(1)[0]
            header = self._id_headers[name]
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


class _DigitIds:
    """Digits-only IDs written as text in one column: how many of each length, how many of
    each length start with a zero, and the rows of each length (the lowest ``KEEP`` rows, so
    the answer does not depend on the order rows are noted in).

    A text ID shorter than the column's usual length is reported as having maybe lost leading
    zeros only when the column's usual IDs are zero-padded (some start with "0") and make up at
    least half of them: a column of plain serial numbers (7, 42, 1234) is not padded, and
    flagging its short values would be false alarms.
    """

    KEEP = 1000

    __slots__ = ("lengths", "zero_led", "rows", "cutoff")

    def __init__(self) -> None:
        self.lengths: Counter[int] = Counter()
        self.zero_led: Counter[int] = Counter()
        self.rows: dict[int, list[tuple[int, str]]] = {}
        self.cutoff: dict[int, int] = {}  # a length's rows at or past this are not needed

    def add(self, row: int, text: str) -> None:
        n = len(text)
        self.lengths[n] += 1
        if text[0] == "0":
            self.zero_led[n] += 1
        if row < self.cutoff.get(n, _NO_CUTOFF):
            self._keep(n, [(row, text)])

    def add_many(self, rows: Sequence[int], texts: Sequence[str | None]) -> None:
        """The same as :meth:`add` for each digits-only text (the batch path, mostly in C)."""
        if None in texts:
            flags = [t is not None and t.isdigit() for t in texts]
        else:
            flags = list(map(str.isdigit, texts))  # type: ignore[arg-type]
        if True not in flags:
            return
        digits: list[str] = list(compress(texts, flags))  # type: ignore[arg-type]
        numbers = list(compress(rows, flags))
        self.lengths.update(map(len, digits))
        self.zero_led.update(map(len, filter(_ZERO_LED, digits)))
        first = min(numbers)
        for n in set(map(len, digits)):
            cutoff = self.cutoff.get(n, _NO_CUTOFF)
            if first < cutoff:
                self._keep(
                    n, [(r, t) for r, t in zip(numbers, digits) if len(t) == n and r < cutoff]
                )

    def _keep(self, n: int, new: list[tuple[int, str]]) -> None:
        kept = self.rows.setdefault(n, [])
        kept.extend(new)
        if len(kept) >= 2 * self.KEEP:
            kept.sort()
            del kept[self.KEEP :]
            self.cutoff[n] = kept[-1][0]

    def findings(self, normalizer: RowNormalizer, header: str | None) -> list[Finding]:
        if not self.lengths:
            return []
        # The usual length: the most frequent (the longer on a tie, so the answer is the same
        # whatever order the rows came in).
        usual = max(self.lengths, key=lambda n: (self.lengths[n], n))
        total = sum(self.lengths.values())
        if not self.zero_led[usual] or self.lengths[usual] * 2 < total:
            return []
        short = sorted(row for n, kept in self.rows.items() if n < usual for row in kept)
        shown = short[: self.KEEP]
        findings = [
            normalizer._finding(
                Severity.WARNING,
                "id.lost_leading_zero",
                f"the ID {text!r} has {len(text)} digits while this column's IDs usually have {usual}, "
                "written with leading zeros; it may have lost leading zeros (kept as is, never padded): "
                "check it in the source",
                row,
                header,
                text,
            )
            for row, text in shown
        ]
        more = sum(self.lengths[n] for n in self.lengths if n < usual) - len(shown)
        if more > 0:
            findings.append(
                normalizer._finding(
                    Severity.WARNING,
                    "id.lost_leading_zero",
                    f"{more:,} more IDs in this column are shorter than its usual {usual} digits and may have lost "
                    "leading zeros (not listed one by one)",
                    None,
                    header,
                )
            )
        return findings


class _DateOrder:
    """What one date column shows about day/month order, for the findings at the end.

    ``ambiguous`` values (03/04/1999) are read month-first. The first value that only reads
    month-first (12/25/1999) or only day-first (25/12/1999) is kept as proof, by lowest row.
    Until a day-first proof is seen, the ambiguous values read are kept (the lowest ``KEEP``
    rows) so that, if one turns up further down, each is listed; after it, they are flagged
    and left empty as they are read. The import and the validation do not stop there: they
    read the file again with the proof given from the start
    (:meth:`RowNormalizer.late_day_first_proofs`), so no value is stored month-first.
    """

    KEEP = 1000

    __slots__ = (
        "pending",
        "header",
        "label",
        "ambiguous",
        "example",
        "day_first",
        "month_first",
        "kept",
        "cutoff",
    )

    def __init__(self, header: str, label: str) -> None:
        self.header = header
        self.label = label
        self.ambiguous = 0
        self.example: tuple[int, str | None, str | None] | None = None
        self.day_first: tuple[int, str | None] | None = None
        self.month_first: tuple[int, str | None] | None = None
        self.kept: list[tuple[int, str | None, str | None]] = []
        self.pending = 0  # ambiguous values read month-first before any day-first proof
        self.cutoff = _NO_CUTOFF

    def note_ambiguous(self, row: int, raw: str | None, iso: str | None) -> None:
        self.ambiguous += 1
        if self.example is None or row < self.example[0]:
            self.example = (row, raw, iso)

    def keep(self, row: int, raw: str | None, iso: str | None) -> None:
        self.pending += 1
        if row < self.cutoff:
            self.kept.append((row, raw, iso))
            if len(self.kept) >= 2 * self.KEEP:
                self.kept.sort()
                del self.kept[self.KEEP :]
                self.cutoff = self.kept[-1][0]

    def note_many(
        self, rows: list[int], answers: list[tuple[str | None, str | None, bool]]
    ) -> None:
        """:meth:`note_ambiguous` and :meth:`keep` for many values (``answers``: (ISO, raw, _)),
        as the batch path reads them before any day-first proof."""
        self.ambiguous += len(rows)
        self.pending += len(rows)
        first = min(rows)
        if self.example is None or first < self.example[0]:
            iso, raw, _ = answers[rows.index(first)]
            self.example = (first, raw, iso)
        if first < self.cutoff:
            cutoff = self.cutoff
            self.kept.extend((r, a[1], a[0]) for r, a in zip(rows, answers) if r < cutoff)
            if len(self.kept) >= 2 * self.KEEP:
                self.kept.sort()
                del self.kept[self.KEEP :]
                self.cutoff = self.kept[-1][0]

    def note_proof(self, order: str, row: int, raw: str | None) -> None:
        if order == "dmy":
            if self.day_first is None or row < self.day_first[0]:
                self.day_first = (row, raw)
        elif order == "mdy" and (self.month_first is None or row < self.month_first[0]):
            self.month_first = (row, raw)

    def findings(self, normalizer: RowNormalizer) -> list[Finding]:
        if not self.ambiguous or self.example is None:
            return []
        row, raw, iso = self.example
        n = f"{self.ambiguous:,} value{'s' if self.ambiguous != 1 else ''}"
        either = f"{n} in this column could be read as month/day/year or as day/month/year (e.g. row {row}: {raw!r})"
        if self.day_first is not None:
            proof_row, proof = self.day_first
            before = sorted(self.kept)[: self.KEEP]
            more = self.pending - len(before)
            unlisted = (
                f" ({more:,} more read as month/day/year before row {proof_row} are not listed one by one)"
                if more > 0
                else ""
            )
            out = [
                normalizer._finding(
                    Severity.WARNING,
                    "date.order_assumed",
                    f"{self.label}: {either}, and the column also holds dates that only read as day/month/year "
                    f"(row {proof_row}: {proof!r}), so its order is in doubt: each of those values is flagged{unlisted}; "
                    "check the column's date order in the source",
                    row,
                    self.header,
                    raw,
                )
            ]
            out.extend(
                normalizer._finding(
                    Severity.WARNING,
                    "date.ambiguous_order",
                    f"{self.label}: {value!r} was read as month/day/year ({when}) but could be {_either_way(when)}; "
                    f"this column also holds dates that only read as day/month/year (row {proof_row}: {proof!r}); "
                    "check it in the source",
                    at,
                    self.header,
                    value,
                )
                for at, value, when in before
            )
            return out
        if self.month_first is not None:
            proof_row, proof = self.month_first
            return [
                normalizer._finding(
                    Severity.INFO,
                    "date.order_assumed",
                    f"{self.label}: {either}; they were read as month/day/year, the order the column's other dates "
                    f"show (row {proof_row}: {proof!r})",
                    row,
                    self.header,
                    raw,
                )
            ]
        return [
            normalizer._finding(
                Severity.WARNING,
                "date.order_assumed",
                f"{self.label}: {either}; they were read as month/day/year (row {row}: {iso}), and no date in the "
                "column shows its order (none has a day over 12): check a few against the source",
                row,
                self.header,
                raw,
            )
        ]


def _either_way(iso: str | None) -> str:
    """``1999-03-04`` → "1999-03-04 (month/day) or 1999-04-03 (day/month)"."""
    if iso is None:
        return "read either way"
    other = swap_day_month(dt.date.fromisoformat(iso))
    return f"{iso} (month/day) or {other.isoformat() if other else '?'} (day/month)"


_NO_CUTOFF = 1 << 62
_ZERO_LED = methodcaller("startswith", "0")
_MISS = object()
_SLOW = object()  # normalize_rows: this value gives a finding, so its row takes normalize()

# The stored form of a verbatim row: a compact JSON list of its texts. One encoder for every
# row (json.dumps with options builds a new encoder per call); its string encoder for the
# column-at-a-time path, which must give exactly the same text.
raw_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _python_encode_row(row: Sequence[str | None], _level: int) -> tuple[str]:
    return (raw_json(list(row)),)


# The same encoding without the per-call set-up (JSONEncoder.encode builds its C encoder on
# every call, which costs more than encoding a row): ``"".join(_encode_row(row, 0))`` is
# ``raw_json(row)``; the tests hold the two equal.
_c_make_encoder = getattr(json.encoder, "c_make_encoder", None)
_encode_row = (
    _c_make_encoder(None, None, json.encoder.encode_basestring, None, ":", ",", False, False, True)
    if _c_make_encoder is not None
    else _python_encode_row
)


def _raw_text(key: Any) -> str | None:
    """The raw text of a cell keyed as in :meth:`RowNormalizer._column_keys`."""
    if key is None or key.__class__ is str:
        return key
    return cell_text(key[1] if key.__class__ is tuple else key)


class _Cache(dict):  # type: ignore[type-arg]
    """Answers per distinct value; a value not seen before is computed (once) on lookup."""

    __slots__ = ("compute",)

    def __missing__(self, key: Any) -> Any:
        value = self[key] = self.compute(key)
        return value


def _looked_up(cache: _Cache, values: Sequence[Any], compute: Callable[[Any], Any]) -> list[Any]:
    """``[compute(v) for v in values]`` with each distinct value computed once (kept in ``cache``).

    One C pass (``map`` over the dict's own lookup): a value seen before costs a dict lookup,
    a new one a call of ``compute`` through ``__missing__``.
    """
    if len(cache) > _CACHE_LIMIT:
        cache.clear()
    cache.compute = compute
    return list(map(cache.__getitem__, values))


def _plain_ids(values: Sequence[Any]) -> list[str | None] | None:
    """An ID column's texts when every value is plain ASCII text (the common case), in C.

    The same as the per-value test in :meth:`RowNormalizer.normalize_rows` (text, ASCII, no
    "E"/"e" that could be scientific notation), made once on the column joined together;
    None when any value needs that per-value test.
    """
    if None in values:
        return None
    try:
        joined = "\x1f".join(values)
    except TypeError:  # a number or a date among them
        return None
    if not joined.isascii() or "E" in joined or "e" in joined:
        return None
    stripped = list(map(str.strip, values))
    if "" in stripped:
        return [text or None for text in stripped]
    return stripped


def _hash_text(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def _name_parts(
    names: tuple[str | None, ...],
) -> tuple[str | None, str | None, str | None, str | None, str]:
    """Full, last, first and middle name and the name key, as :meth:`RowNormalizer.normalize` reads them."""
    full, last, first, middle = names
    if full:
        parts = parse_name(full)
        if not (last or first):
            last, first, middle = parts.last, parts.first, parts.middle
    else:
        # The parts are already clean: join them without cleaning again.
        given = f"{first} {middle}" if first and middle else (first or middle)
        full = f"{last}, {given}" if last and given else (last or given)
    return full, last, first, middle, f"{match_key(last)}|{match_key(first)}"


def _record_values(record: RowRecord) -> tuple[Any, ...]:
    """A normalized row's values in :data:`ROW_COLUMNS` order (None for an event's case and count)."""
    p, c, k = record.person, record.case, record.count
    person = (
        p.key, p.key_type, p.full_name, p.last_name, p.first_name, p.middle_name,
        p.dob, p.dob_raw, p.sex, p.race, p.name_key,
    )  # fmt: skip
    case = (
        (
            c.case_number,
            c.case_key,
            c.court,
            c.county,
            c.filing_date,
            c.filing_date_raw,
            c.status,
            c.status_given,
        )
        if c is not None
        else (None,) * 7 + (False,)
    )
    count = (
        (
            k.count_number,
            k.offense_raw,
            k.offense_comment,
            k.code_book,
            k.section,
            k.subsections,
            int(k.attempt),
            int(k.conspiracy),
            int(k.offense_recognized),
            k.description,
            k.level,
            k.level_raw,
            k.disposition,
            k.disposition_raw,
            k.disposition_date,
            k.disposition_date_raw,
            k.offense_date,
            k.offense_date_raw,
            k.sentence,
            k.comment,
        )  # fmt: skip
        if k is not None
        else (None,) * 20
    )
    return (record.row_number, raw_json(record.raw), record.dedupe_key, *person, *case, *count)


def _add_result(
    batch: RowBatch, row_number: int, cells: list[Cell], result: RowResult, position: int | None
) -> bool:
    """Put one row's result into the batch (at ``position``, else at the end); True if usable."""
    if result.blank:
        batch.blank += 1
        return False
    batch.rows += 1
    batch.findings.extend(result.findings)
    record = result.record
    if record is None:
        error = result.error
        texts = [cell_text(c) for c in cells]
        batch.errors.append((row_number, raw_json(texts), error.message if error else ""))
        return False
    values = _record_values(record)
    columns = batch.columns(ROW_COLUMNS)
    if position is None:
        position = len(batch.row_numbers)
        for column, value in zip(columns, values, strict=True):
            column.append(value)
    else:
        for column, value in zip(columns, values, strict=True):
            column.insert(position, value)
    e = record.event
    if e is not None:
        batch.events[position] = (
            e.event_type, e.event_date, e.event_date_raw, e.offense_raw,
            e.code_book, e.section, e.subsections, e.description,
        )  # fmt: skip
    return True


_ID_FIELDS = frozenset({"person_key", "case_number"})
_TEXT_TYPES = frozenset({str, type(None)})
_PLAIN_KEY_TYPES = frozenset({str, type(None), dt.datetime, dt.date, dt.time})
_DATE_FIELDS = frozenset({"dob", "disposition_date", "offense_date", "filing_date"})


def _offense_key(offense: Offense) -> str:
    if offense.recognized and offense.section:
        prefix = "664/" if offense.attempt else ("182/" if offense.conspiracy else "")
        return f"{prefix}{offense.code_book or ''}:{offense.section}{offense.subsection_text}"
    return match_key(offense.raw)


def _case_status(text: str | None, disposition: Disposition | None) -> tuple[str | None, bool]:
    if text:
        return parse_case_status(text), True
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
