"""Which source column feeds which field: header synonyms, saved profiles and ``--map`` overrides.

A :class:`Mapping` names, for each target field, the header it is read from. It can also
build a field from a template of several columns (the California DOJ file has no case
number, so a case is the arrest cycle: ``"DOJ cycle {CYC_DATE}"``) and fall back to a second
column when the first is empty. Columns no field uses are still kept with the original row.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.errors import ImportFailed, Remedy
from app.ingest.findings import Finding, Severity


@dataclass(frozen=True, slots=True)
class TargetField:
    name: str
    label: str
    synonyms: tuple[str, ...]  # normalized header spellings, best first
    kind: str = "text"  # text | id | date | name


def norm_header(text: str | None) -> str:
    """Header comparison form: lower case, letters and digits only (``Docket #`` → ``docket``)."""
    return re.sub(r"[^0-9a-z]+", "", (text or "").lower())


def _syn(*names: str) -> tuple[str, ...]:
    return tuple(norm_header(n) for n in names)


FIELDS: tuple[TargetField, ...] = (
    TargetField(
        "person_key",
        "Person key (state ID, CII, subject ID)",
        _syn(
            "person_key",
            "person_id",
            "personid",
            "SID",
            "state_id",
            "SID number",
            "CII_NUMBER",
            "CII",
            "CII No",
            "SUBJECT_ID",
            "NYSID",
            "defendant_id",
            "party_id",
            "client_id",
            "person number",
            "MPI",
            "ident",
        ),
        "id",
    ),
    TargetField(
        "full_name",
        "Full name",
        _syn(
            "full_name",
            "name",
            "Defendant Name",
            "defendant",
            "PRI_NAME",
            "party_name",
            "subject_name",
            "person_name",
            "def_name",
            "client_name",
            "Defendant Full Name",
        ),
        "name",
    ),
    TargetField(
        "last_name",
        "Last name",
        _syn("last_name", "lname", "surname", "family_name", "last", "Defendant Last Name"),
    ),
    TargetField(
        "first_name",
        "First name",
        _syn("first_name", "fname", "given_name", "first", "Defendant First Name"),
    ),
    TargetField(
        "middle_name", "Middle name", _syn("middle_name", "mname", "middle", "middle_initial", "MI")
    ),
    TargetField(
        "dob",
        "Date of birth",
        _syn(
            "dob",
            "date_of_birth",
            "birth_date",
            "birthdate",
            "PRI_DOB",
            "birth_dt",
            "defendant_dob",
            "bdate",
            "D.O.B.",
        ),
        "date",
    ),
    TargetField("sex", "Sex", _syn("sex", "gender", "GENDER")),
    TargetField(
        "race",
        "Race / ethnicity",
        _syn("race", "RACE_DESCR", "ethnicity", "race_ethnicity", "race/ethnicity"),
    ),
    TargetField(
        "case_number",
        "Case number",
        _syn(
            "case_number",
            "Case No",
            "case_num",
            "case",
            "case #",
            "Docket #",
            "docket",
            "docket_number",
            "docket_no",
            "case_docket",
            "OFN",
            "court_case_number",
            "case_id",
            "Case Number",
            "case nbr",
            "citation_number",
        ),
        "id",
    ),
    TargetField(
        "count_number",
        "Count number",
        _syn(
            "count_number",
            "count",
            "count_no",
            "CNT_ORDER",
            "charge_no",
            "charge_number",
            "charge_seq",
            "count_seq",
            "seq",
            "line",
        ),
    ),
    TargetField(
        "court",
        "Court",
        _syn(
            "court",
            "court_name",
            "Court Location",
            "county_or_court",
            "courthouse",
            "venue",
            "STP_ORI_DESCR",
            "court_system",
        ),
    ),
    TargetField(
        "county",
        "County",
        _syn(
            "county",
            "county_name",
            "STP_ORI_CNTY_NAME",
            "cnty",
            "county_of_conviction",
            "jurisdiction",
        ),
    ),
    TargetField(
        "filing_date",
        "Filing date",
        _syn(
            "filing_date",
            "file_date",
            "date_filed",
            "filed",
            "case_filed_date",
            "case_filing_date",
            "filed_date",
        ),
        "date",
    ),
    TargetField(
        "offense_date",
        "Offense date",
        _syn(
            "offense_date",
            "date_of_offense",
            "violation_date",
            "incident_date",
            "arrest_date",
            "CYC_DATE",
            "offense_dt",
            "offence_date",
        ),
        "date",
    ),
    TargetField(
        "disposition",
        "Disposition",
        _syn(
            "disposition",
            "disp",
            "DISP_DESCR",
            "disposition_description",
            "disposition_text",
            "outcome",
            "verdict",
            "finding",
            "disp_code",
            "result",
        ),
    ),
    TargetField(
        "disposition_date",
        "Disposition date",
        _syn(
            "disposition_date",
            "Disp Date",
            "DISP_DATE",
            "disp_dt",
            "date_of_disposition",
            "STP_EVENT_DATE",
            "conviction_date",
            "judgment_date",
            "disposed_date",
            "finding_date",
            "verdict_date",
        ),
        "date",
    ),
    TargetField(
        "offense_code",
        "Offense code",
        _syn(
            "offense_code",
            "offense",
            "charge",
            "charge_code",
            "Statute",
            "statute_code",
            "charge_statute",
            "code",
            "section",
            "violation",
            "law",
            "offense_statute",
            "charge_section",
            "OFN_CODE",
        ),
    ),
    TargetField(
        "offense_description",
        "Offense description",
        _syn(
            "offense_description",
            "OFFENSE_DESCR",
            "description",
            "charge_description",
            "charge_desc",
            "offense_desc",
            "statute_description",
            "literal",
            "charge_literal",
            "desc",
        ),
    ),
    TargetField(
        "level",
        "Level (felony / misdemeanor ...)",
        _syn(
            "level",
            "offense_level",
            "charge_level",
            "class",
            "offense_class",
            "charge_class",
            "severity",
            "degree",
            "CONV_STAT_DESCR",
            "OFFENSE_TOC",
            "fel_misd",
            "grade",
            "charge_type",
            "charge_degree",
        ),
    ),
    TargetField(
        "sentence",
        "Sentence",
        _syn("sentence", "sentence_descr", "sentence_text", "sentencing", "SENT_DESCR"),
    ),
    TargetField(
        "event_type",
        "Event type",
        _syn("event_type", "STP_TYPE_DESCR", "step_type", "record_type", "entry_type"),
    ),
    TargetField(
        "comment",
        "Comment",
        _syn("comment", "comments", "COMMENT_TEXT", "notes", "remarks", "note"),
    ),
    TargetField(
        "case_status",
        "Case status (open / closed / warrant)",
        _syn("case_status", "status", "warrant_status"),
    ),
)
FIELDS_BY_NAME = {f.name: f for f in FIELDS}
FIELD_NAMES = tuple(f.name for f in FIELDS)


@dataclass(slots=True)
class Mapping:
    """Field → header, plus templates and fallbacks. ``profile`` names the profile it came from."""

    columns: dict[str, str] = field(default_factory=dict)
    templates: dict[str, str] = field(default_factory=dict)
    fallbacks: dict[str, str] = field(default_factory=dict)
    profile: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "columns": dict(self.columns),
            "templates": dict(self.templates),
            "fallbacks": dict(self.fallbacks),
            "profile": self.profile,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Mapping:
        return cls(
            columns=dict(data.get("columns", {})),
            templates=dict(data.get("templates", {})),
            fallbacks=dict(data.get("fallbacks", {})),
            profile=data.get("profile"),
        )

    def mapped_fields(self) -> set[str]:
        return set(self.columns) | set(self.templates)

    def headers_used(self) -> set[str]:
        used = set(self.columns.values()) | set(self.fallbacks.values())
        for template in self.templates.values():
            used.update(_TEMPLATE_FIELD.findall(template))
        return used


_TEMPLATE_FIELD = re.compile(r"\{([^{}]+)\}")


def template_headers(template: str) -> list[str]:
    """The columns a template combines: ``DOJ {SUBJECT_ID} cycle {CYC_DATE}`` → both headers."""
    return _TEMPLATE_FIELD.findall(template)


def fill_template(template: str, texts: dict[str, str | None]) -> str | None:
    """``template`` with each ``{HEADER}`` replaced by that column's text (trimmed); None
    when every part is blank (a template never makes a value out of its fixed words alone)."""
    if all(not (t or "").strip() for t in texts.values()):
        return None
    return _TEMPLATE_FIELD.sub(lambda m: (texts.get(m.group(1)) or "").strip(), template)


def guess_mapping(headers: Sequence[str]) -> Mapping:
    """Map each target field to the header that best matches one of its synonyms.

    Each header feeds at most one field; earlier synonyms win, so ``CII_NUMBER`` beats
    ``SUBJECT_ID`` for the person key when both are present.
    """
    by_norm: dict[str, str] = {}
    for header in headers:
        by_norm.setdefault(norm_header(header), header)
    taken: set[str] = set()
    columns: dict[str, str] = {}
    # Fields with specific synonyms go first so a generic one ("name", "code") cannot steal a column.
    for target in sorted(
        FIELDS, key=lambda f: f.name in {"full_name", "offense_code", "case_number"}
    ):
        for synonym in target.synonyms:
            header = by_norm.get(synonym)
            if header is not None and header not in taken:
                columns[target.name] = header
                taken.add(header)
                break
    if "full_name" in columns and ("last_name" in columns or "first_name" in columns):
        # Separate name columns are more exact than a combined one.
        taken.discard(columns.pop("full_name"))
    return Mapping(columns=columns)


def parse_overrides(items: Iterable[str]) -> dict[str, str | None]:
    """``["case_number=Docket #", "sex="]`` → field → header (None means "don't import")."""
    overrides: dict[str, str | None] = {}
    for item in items:
        name, sep, header = item.partition("=")
        name = name.strip().lower().replace("-", "_").replace(" ", "_")
        if not sep:
            raise ImportFailed(f"--map needs FIELD=HEADER, got {item!r}")
        if name not in FIELDS_BY_NAME:
            near = difflib.get_close_matches(name, FIELD_NAMES, n=3)
            hint = (
                f" Did you mean {', '.join(near)}?"
                if near
                else f" Fields: {', '.join(FIELD_NAMES)}."
            )
            raise ImportFailed(f"--map: there is no field {name!r}.{hint}")
        header = header.strip()
        overrides[name] = header or None
    return overrides


def apply_overrides(mapping: Mapping, overrides: dict[str, str | None]) -> Mapping:
    columns = dict(mapping.columns)
    templates = dict(mapping.templates)
    fallbacks = dict(mapping.fallbacks)
    for name, header in overrides.items():
        templates.pop(name, None)
        fallbacks.pop(name, None)
        if header is None:
            columns.pop(name, None)
        else:
            # A header already used for another field moves to this one.
            for other, used in list(columns.items()):
                if used == header and other != name:
                    del columns[other]
            columns[name] = header
    return Mapping(columns, templates, fallbacks, mapping.profile)


@dataclass(frozen=True, slots=True)
class ResolvedMapping:
    """A mapping checked against real headers: field → column index (templates as index lists)."""

    mapping: Mapping
    headers: tuple[str, ...]
    index: dict[str, int]
    templates: dict[str, tuple[str, tuple[tuple[str, int], ...]]]
    fallback_index: dict[str, int]

    def header_of(self, name: str) -> str | None:
        if name in self.index:
            return self.headers[self.index[name]]
        if name in self.templates:
            return self.mapping.templates[name]
        return None


def _find_header(wanted: str, headers: Sequence[str]) -> int | None:
    if wanted in headers:
        return headers.index(wanted)
    key = norm_header(wanted)
    for i, header in enumerate(headers):
        if norm_header(header) == key:
            return i
    return None


def nearest_headers(
    wanted: str, headers: Sequence[str], *, n: int = 3, cutoff: float = 0.4
) -> list[str]:
    """The sheet's headers closest to ``wanted``, best first, compared in their
    :func:`norm_header` form (so ``CASE REF`` and ``Case Ref`` are equally near "case number")."""
    key = norm_header(wanted)
    by_norm: dict[str, list[str]] = {}
    for header in headers:
        norm = norm_header(header)
        if norm:  # a header of punctuation only is near nothing
            by_norm.setdefault(norm, []).append(header)
    near = difflib.get_close_matches(key, list(by_norm), n=n, cutoff=cutoff) if key else []
    return [header for norm in near for header in by_norm[norm]][:n]


def _hint(near: Sequence[str]) -> str:
    return f" Nearest headers: {', '.join(repr(h) for h in near)}." if near else ""


def _missing(
    wanted: str, headers: Sequence[str], *, file: str | None, sheet: str | None, what: str
) -> ImportFailed:
    hint = _hint(nearest_headers(wanted, headers))
    return ImportFailed(
        f"{what}: there is no column {wanted!r} in this sheet.{hint}", file=file, sheet=sheet
    )


def resolve(
    mapping: Mapping, headers: Sequence[str], *, file: str | None = None, sheet: str | None = None
) -> ResolvedMapping:
    """Check the mapping against the sheet's headers; a missing column or required field is an error.

    Required: a case number, and a person key or a name (full, or last name).
    """
    headers = tuple(headers)
    index: dict[str, int] = {}
    for name, header in mapping.columns.items():
        if name not in FIELDS_BY_NAME:
            raise ImportFailed(
                f"The mapping names an unknown field {name!r}.", file=file, sheet=sheet
            )
        i = _find_header(header, headers)
        if i is None:
            raise _missing(
                header, headers, file=file, sheet=sheet, what=f"{FIELDS_BY_NAME[name].label}"
            )
        index[name] = i
    templates: dict[str, tuple[str, tuple[tuple[str, int], ...]]] = {}
    for name, template in mapping.templates.items():
        parts = []
        for header in _TEMPLATE_FIELD.findall(template):
            i = _find_header(header, headers)
            if i is None:
                raise _missing(
                    header, headers, file=file, sheet=sheet, what=f"{FIELDS_BY_NAME[name].label}"
                )
            parts.append((header, i))
        templates[name] = (template, tuple(parts))
    fallback_index: dict[str, int] = {}
    for name, header in mapping.fallbacks.items():
        i = _find_header(header, headers)
        if i is not None:  # an absent fallback column is harmless
            fallback_index[name] = i
    mapped = set(index) | set(templates)
    if "case_number" not in mapped:
        hint = _hint(nearest_headers("case number", headers, cutoff=0.3))
        remedy = Remedy.map_field("case_number")
        raise ImportFailed(
            f"Required column missing: case number. Map it with {remedy.command_line()} "
            f"(or in the mapping step).{hint}",
            file=file,
            sheet=sheet,
            remedy=remedy,
            problem="Required column missing: case number.",
        )
    if not mapped & {"person_key", "full_name", "last_name"}:
        hint = _hint(nearest_headers("name", headers, cutoff=0.3))
        remedy = Remedy.map_field("person_key", "full_name")
        raise ImportFailed(
            "Required column missing: a person key or a name. Map one with "
            f"{remedy.command_line()}.{hint}",
            file=file,
            sheet=sheet,
            remedy=remedy,
            problem="Required column missing: a person key or a name.",
        )
    return ResolvedMapping(mapping, headers, index, templates, fallback_index)


# -- profiles ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    title: str
    mapping: Mapping
    match: tuple[str, ...] = ()  # headers that identify the layout (all must be present)
    layout: str = "rows"  # "rows", or "doj": one row per count event, registration steps are events
    header_row: int | None = None
    origin: str = "shipped"  # shipped | workspace

    def matches(self, headers: Sequence[str]) -> bool:
        if not self.match:
            return False
        have = {norm_header(h) for h in headers}
        return all(norm_header(h) in have for h in self.match)


def resources_dir() -> Path:
    """The shipped ``resources/`` folder, also inside a PyInstaller bundle."""
    from app.resources import resources_dir as shipped

    return shipped()


def profiles_dir() -> Path:
    return resources_dir() / "profiles"


def profile_from_dict(data: dict[str, Any], *, name: str, origin: str) -> Profile:
    mapping = Mapping(
        columns={str(k): str(v) for k, v in data.get("columns", {}).items()},
        templates={str(k): str(v) for k, v in data.get("templates", {}).items()},
        fallbacks={str(k): str(v) for k, v in data.get("fallbacks", {}).items()},
        profile=name,
    )
    for key in (*mapping.columns, *mapping.templates, *mapping.fallbacks):
        if key not in FIELDS_BY_NAME:
            raise ImportFailed(f"Profile {name!r} names an unknown field {key!r}.")
    layout = str(data.get("layout", "rows"))
    if layout not in {"rows", "doj"}:
        raise ImportFailed(f"Profile {name!r}: layout must be 'rows' or 'doj', not {layout!r}.")
    header_row = data.get("header_row")
    return Profile(
        name=name,
        title=str(data.get("title", name)),
        mapping=mapping,
        match=tuple(str(h) for h in data.get("match", ())),
        layout=layout,
        header_row=int(header_row) if header_row else None,
        origin=origin,
    )


def load_profile_file(path: Path) -> Profile:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ImportFailed(f"The mapping profile cannot be read: {exc}", file=str(path)) from exc
    return profile_from_dict(data, name=path.stem, origin="shipped")


def shipped_profiles() -> list[Profile]:
    folder = profiles_dir()
    if not folder.is_dir():
        return []
    return [load_profile_file(p) for p in sorted(folder.glob("*.toml"))]


def match_profile(headers: Sequence[str], profiles: Iterable[Profile]) -> Profile | None:
    """The profile whose identifying headers are all present (the most specific one wins)."""
    best: Profile | None = None
    for profile in profiles:
        if profile.matches(headers) and (best is None or len(profile.match) > len(best.match)):
            best = profile
    return best


# A near miss: at most this many identifying headers absent, and at least this share present.
NEAR_MISS_MAX_MISSING = 2
NEAR_MISS_MIN_SHARE = 0.75
# How alike (difflib ratio of the norm_header forms) a header must be to stand in for an
# absent one as a likely rename or typo: PRI_DOBB for PRI_DOB is 0.92, Charge for Charge No 0.86.
NEAR_HEADER_RATIO = 0.8


@dataclass(frozen=True, slots=True)
class NearMiss:
    """A profile whose identifying headers are all in the sheet but one or two.

    ``missing`` holds each absent header with the sheet's header most like it (a likely rename
    or typo) or None. ``typos`` is True when every absent header has such a stand-in: then the
    file is almost surely that layout with a header misspelt, and guessing a mapping instead
    would read it wrongly (the DOJ file's OFN taken for a case number).
    """

    profile: Profile
    missing: tuple[tuple[str, str | None], ...]

    @property
    def typos(self) -> bool:
        return all(near is not None for _, near in self.missing)

    def fields_of(self, header: str) -> list[str]:
        """The profile's fields read from ``header`` as a plain column."""
        key = norm_header(header)
        return [name for name, h in self.profile.mapping.columns.items() if norm_header(h) == key]

    def describe(self) -> str:
        """``looks like … but PRI_DOB is missing (nearest: 'PRI_DOBB')``."""
        parts = []
        for header, near in self.missing:
            parts.append(f"{header} is missing" + (f" (nearest: {near!r})" if near else ""))
        return f"looks like the {self.profile.title} layout (profile {self.profile.name!r}) but {' and '.join(parts)}"

    def remedy(self) -> str:
        """What to do: the ``--map`` options that read each absent column from its stand-in,
        the profile itself (absent optional columns left empty), or fixing the header."""
        maps = []
        for header, near in self.missing:
            if near and not self._in_template(header):
                maps.extend(f"--map {name}={near}" for name in self.fields_of(header))
        ways = []
        if maps and len(maps) >= len(self.missing):
            ways.append(f"map it with {' '.join(maps)}")
        if not any(self._in_template(header) for header, _ in self.missing):
            absent = " and ".join(header for header, _ in self.missing)
            ways.append(f"import with --profile {self.profile.name} ({absent} left empty)")
        renames = ", ".join(
            f"rename {near!r} to {header!r}" if near else f"add the column {header!r}"
            for header, near in self.missing
        )
        ways.append(f"fix the header in the source ({renames})")
        return (
            f"{'; or '.join(ways)}. If the file is not that layout, name its columns with "
            "--map FIELD=HEADER"
        )

    def covered_by(self, overrides: dict[str, str | None]) -> bool:
        """True when ``--map`` overrides take over every field the absent headers fed."""
        if not overrides:
            return False
        changed = apply_overrides(self.profile.mapping, overrides)
        used = {norm_header(h) for h in changed.columns.values()}
        for template in changed.templates.values():
            used.update(norm_header(h) for h in _TEMPLATE_FIELD.findall(template))
        return all(norm_header(header) not in used for header, _ in self.missing)

    def _in_template(self, header: str) -> bool:
        key = norm_header(header)
        return any(
            norm_header(h) == key
            for template in self.profile.mapping.templates.values()
            for h in _TEMPLATE_FIELD.findall(template)
        )


def near_miss_profile(headers: Sequence[str], profiles: Iterable[Profile]) -> NearMiss | None:
    """The profile the sheet almost matches: all but one or two of its identifying headers (at
    least three quarters of them) are present. Call it when :func:`match_profile` found none.

    The closest wins (most headers present, then fewest absent); None when nothing is that close.
    """
    by_norm: dict[str, str] = {}
    for header in headers:
        if norm_header(header):
            by_norm.setdefault(norm_header(header), header)
    best: tuple[tuple[int, int], NearMiss] | None = None
    for profile in profiles:
        if not profile.match:
            continue
        wanted = {norm_header(h): h for h in profile.match}
        absent = [h for key, h in wanted.items() if key not in by_norm]
        present = len(wanted) - len(absent)
        if not absent or len(absent) > NEAR_MISS_MAX_MISSING:
            continue
        if present < NEAR_MISS_MIN_SHARE * len(wanted):
            continue
        # Stand-ins: headers of the sheet no identifying header of the profile already claims.
        spare = {key: h for key, h in by_norm.items() if key not in wanted}
        missing = []
        for header in absent:
            near = difflib.get_close_matches(
                norm_header(header), list(spare), n=1, cutoff=NEAR_HEADER_RATIO
            )
            missing.append((header, spare[near[0]] if near else None))
        rank = (present, -len(absent))
        if best is None or rank > best[0]:
            best = (rank, NearMiss(profile, tuple(missing)))
    return best[1] if best is not None else None


# Optional fields the evaluation reads: a guessed mapping that leaves one out is worth a warning
# (the counts that depend on it can only be answered "needs review").
EVALUATION_FIELDS = ("dob", "offense_date", "disposition", "disposition_date", "level")


def unmapped_evaluation_fields(
    mapping: Mapping, headers: Sequence[str]
) -> list[tuple[str, list[str]]]:
    """Each evaluation field ``mapping`` leaves out, with the unused headers most like it."""
    used = {norm_header(h) for h in mapping.headers_used()}
    spare = [h for h in headers if norm_header(h) and norm_header(h) not in used]
    out = []
    for name in EVALUATION_FIELDS:
        if name in mapping.mapped_fields():
            continue
        scores: dict[str, float] = {}
        for header in spare:
            key = norm_header(header)
            score = max(
                difflib.SequenceMatcher(None, key, synonym).ratio()
                for synonym in FIELDS_BY_NAME[name].synonyms
            )
            if score >= 0.6:
                scores[header] = score
        out.append((name, sorted(scores, key=lambda h: -scores[h])[:3]))
    return out


def apply_near_miss(
    headers: Sequence[str],
    profiles: Iterable[Profile],
    overrides: dict[str, str | None] | None,
    findings: list[Finding],
    *,
    refuse: bool,
    file: str | None,
    sheet: str | None,
    row: int | None,
) -> Profile | None:
    """What to do with a sheet no profile matches but one nearly does (see :class:`NearMiss`).

    - ``--map`` overrides that read every absent column from elsewhere: that profile is used
      (returned, with the overrides applied to its mapping);
    - other overrides: the person is mapping the columns themself; a warning finding only;
    - no overrides and ``refuse`` (validating, importing): :class:`ImportFailed` saying which
      layout it looks like, what is missing and what to do, rather than guessing a mapping
      that reads the file wrongly;
    - no overrides, not ``refuse`` (inspecting, so the wizard can still show the sheet): a
      warning finding.
    Returns None when the guess should be used.
    """
    near = near_miss_profile(headers, profiles)
    if near is None:
        return None
    if overrides and near.covered_by(overrides):
        profile = near.profile
        return Profile(
            profile.name,
            profile.title,
            apply_overrides(profile.mapping, overrides),
            profile.match,
            profile.layout,
            profile.header_row,
            profile.origin,
        )
    message = f"This sheet {near.describe()}. To import it, {near.remedy()}."
    if refuse and not overrides:
        raise ImportFailed(message, file=file, sheet=sheet)
    findings.append(
        Finding(
            Severity.WARNING,
            "mapping.near_profile",
            message + " The columns were matched by their names instead; check the mapping.",
            file=file,
            sheet=sheet,
            row=row,
        )
    )
    return None


def unmapped_findings(
    mapping: Mapping,
    headers: Sequence[str],
    overrides: dict[str, str | None] | None,
    *,
    file: str | None,
    sheet: str | None,
    row: int | None,
) -> list[Finding]:
    """A warning for each field the evaluation reads that a guessed mapping leaves out (a field
    unmapped on purpose with ``--map FIELD=`` is not reported)."""
    findings = []
    for name, near in unmapped_evaluation_fields(mapping, headers):
        if overrides and name in overrides:
            continue
        label = FIELDS_BY_NAME[name].label.lower()
        hint = f" (nearest headers: {', '.join(repr(h) for h in near)})" if near else ""
        findings.append(
            Finding(
                Severity.WARNING,
                "mapping.field_unmapped",
                f"no column was recognized as the {label}, which the evaluation uses: counts that depend on "
                f"it will need review. If the sheet has it, map it with --map {name}=HEADER{hint}",
                file=file,
                sheet=sheet,
                row=row,
                column=near[0] if near else None,
            )
        )
    return findings


def profile_to_dict(profile: Profile) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": profile.title,
        "layout": profile.layout,
        "match": list(profile.match),
        **{k: v for k, v in profile.mapping.to_dict().items() if k != "profile"},
    }
    if profile.header_row:
        data["header_row"] = profile.header_row
    return data
