"""The library of named predicates that policy packs compose into rules.

A pack names a predicate and its parameters in TOML; :func:`compile_predicate` checks them
and returns a fast closure ``check(ctx) -> facts | None``: a dict of the facts it used when
it holds, ``None`` when it does not. When a fact the predicate needs is missing or
unreadable it raises :class:`MissingFact` with a sentence saying what a person should
check, and the engine turns that into ``needs_review``: the engine never guesses.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.core.model import CountFacts, Disposition, EventFacts, Level, Offense, PersonFacts
from app.rules.lists import GAZETTEERS

Facts = dict[str, Any]
Check = Callable[["Ctx"], Facts | None]


class MissingFact(Exception):  # noqa: N818 - a signal inside the engine, not an error
    """A deciding fact is missing or unreadable; ``message`` says what to check."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


class SpecError(ValueError):
    """A predicate or its parameters are wrong in a pack (the loader adds pack and line)."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


# -- section specs ---------------------------------------------------------------------

_SPEC = re.compile(
    r"^\s*(?P<book>[A-Z0-9&]+)\s+(?P<section>[0-9A-Za-z.\-]+?)(?P<star>\*)?(?P<subs>(?:\([0-9A-Za-z]+\))*)\s*$"
)


@dataclass(frozen=True, slots=True)
class SectionSpec:
    """One entry of a section list: book, whole section (or prefix) and leading subsections."""

    book: str
    section: str
    subsections: tuple[str, ...] = ()
    prefix: bool = False
    text: str = ""

    @classmethod
    def parse(cls, text: str) -> SectionSpec:
        m = _SPEC.match(text)
        if not m:
            raise SpecError(f"section spec {text!r} is not 'BOOK SECTION(sub)', e.g. 'HS 11357(b)'")
        subs = tuple(s.lower() for s in re.findall(r"\(([0-9A-Za-z]+)\)", m["subs"]))
        return cls(m["book"].upper(), m["section"].lower(), subs, bool(m["star"]), text.strip())

    def matches(self, offense: Offense, default_book: str | None) -> bool:
        if offense.section is None:
            return False
        book = offense.code_book or default_book
        if book != self.book:
            return False
        section = offense.section.lower()
        if self.prefix:
            if not section.startswith(self.section):
                return False
        elif section != self.section:
            # Whole sections only: "11357" never matches "11357.5".
            return False
        n = len(self.subsections)
        return not n or offense.subsections[:n] == self.subsections

    def relation(self, offense: Offense) -> str:
        """How a history row's offense relates to this entry, using only its own book.

        ``"match"``; ``"no_book"`` (the section is this entry's but the row names no code
        book, so it may be another code's section); ``"partial"`` (same book and section,
        but the row's subdivision is absent or less specific than the entry's, e.g. ``314 PC``
        against ``PC 314(1)``); or ``""`` (no match).
        """
        section = offense.section
        if section is None:
            return ""
        section = section.lower()
        if not (section.startswith(self.section) if self.prefix else section == self.section):
            return ""
        n = len(self.subsections)
        subs = offense.subsections
        if n and subs[:n] != self.subsections:
            # A row with fewer subdivisions that agree so far may still be this entry.
            if len(subs) < n and subs == self.subsections[: len(subs)]:
                return "no_book" if offense.code_book is None else "partial"
            return ""
        if offense.code_book is None:
            return "no_book"
        return "match" if offense.code_book == self.book else ""


@dataclass(frozen=True, slots=True)
class SectionSet:
    """A compiled list of specs with a lookup by section for speed."""

    specs: tuple[SectionSpec, ...]
    names: tuple[str, ...] = ()
    title: str = ""
    citation: str = ""
    _by_section: dict[str, tuple[SectionSpec, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )
    _prefixed: tuple[SectionSpec, ...] = field(default=(), compare=False, repr=False)
    # id(offense) -> (offense, default book, answer): a person's priors are matched once per
    # count under evaluation, and the store shares one Offense object per distinct code.
    _memo: dict[int, tuple[Offense, str | None, SectionSpec | None]] = field(
        default_factory=dict, compare=False, repr=False
    )
    _history_memo: dict[int, tuple[Offense, tuple[SectionSpec | None, str]]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def build(
        cls,
        specs: Iterable[SectionSpec],
        *,
        names: tuple[str, ...] = (),
        title: str = "",
        citation: str = "",
    ) -> SectionSet:
        specs = tuple(specs)
        by: dict[str, list[SectionSpec]] = {}
        for s in specs:
            if not s.prefix:
                by.setdefault(s.section, []).append(s)
        return cls(
            specs,
            names,
            title,
            citation,
            {k: tuple(v) for k, v in by.items()},
            tuple(s for s in specs if s.prefix),
        )

    def match(self, offense: Offense, default_book: str | None) -> SectionSpec | None:
        # An Offense is frozen, so its answer never changes; the entry holds the object,
        # so its id cannot be reused while it is here.
        hit = self._memo.get(id(offense))
        if hit is not None and hit[0] is offense and hit[1] == default_book:
            return hit[2]
        spec = self._match(offense, default_book)
        if len(self._memo) >= 10_000:
            self._memo.clear()
        self._memo[id(offense)] = (offense, default_book, spec)
        return spec

    def _match(self, offense: Offense, default_book: str | None) -> SectionSpec | None:
        section = offense.section
        if section is None:
            return None
        for spec in self._by_section.get(section.lower(), ()):
            if spec.matches(offense, default_book):
                return spec
        for spec in self._prefixed:
            if spec.matches(offense, default_book):
                return spec
        return None

    def match_history(self, offense: Offense) -> tuple[SectionSpec | None, str]:
        """Match a row of the person's history (never the count under evaluation).

        A pack's default code book describes the count being decided, not the rest of the
        record: a bookless prior ``187`` is not assumed to be HS 187. Returns ``(spec,
        "match")``, ``(spec, "no_book" | "partial")`` when the row may be the entry but the
        data cannot tell (the caller asks a person to check), or ``(None, "")``.
        """
        hit = self._history_memo.get(id(offense))
        if hit is not None and hit[0] is offense:
            return hit[1]
        answer = self._match_history(offense)
        if len(self._history_memo) >= 10_000:
            self._history_memo.clear()
        self._history_memo[id(offense)] = (offense, answer)
        return answer

    def _match_history(self, offense: Offense) -> tuple[SectionSpec | None, str]:
        section = offense.section
        if section is None:
            return None, ""
        unsure: tuple[SectionSpec | None, str] = (None, "")
        for spec in (*self._by_section.get(section.lower(), ()), *self._prefixed):
            how = spec.relation(offense)
            if how == "match":
                return spec, how
            if how and unsure[0] is None:
                unsure = (spec, how)
        return unsure

    def specs_for(self, offense: Offense) -> str:
        """The list entries naming this offense's section, for a reason text."""
        section = (offense.section or "").lower()
        return ", ".join(s.text for s in self.specs if s.relation(offense)) or section


# -- evaluation context ----------------------------------------------------------------


class PersonIndex:
    """What the predicates ask about a person's whole history, computed once per person."""

    __slots__ = ("person", "by_case", "convictions", "undisposed", "registrations")

    def __init__(self, person: PersonFacts) -> None:
        self.person = person
        self.by_case: dict[int, list[CountFacts]] = {}
        self.convictions: list[CountFacts] = []
        self.undisposed: list[CountFacts] = []
        for c in person.counts:
            self.by_case.setdefault(c.case_id, []).append(c)
            if c.disposition is Disposition.CONVICTED:
                self.convictions.append(c)
            elif c.disposition is None:
                self.undisposed.append(c)
        self.registrations: list[EventFacts] = [
            e for e in person.events if "regist" in (e.event_type or "").lower()
        ]


class Ctx:
    """One count under evaluation, with its person's index, the pack and the as-of date."""

    __slots__ = ("count", "person", "index", "as_of", "pack")

    def __init__(self, count: CountFacts, index: PersonIndex, as_of: dt.date, pack: Any) -> None:
        self.count = count
        self.person = index.person
        self.index = index
        self.as_of = as_of
        self.pack = pack


# Below this age at a cannabis offense the birth date or the event date is almost surely wrong.
MIN_PLAUSIBLE_AGE = 10
# Above this age the birth date is almost surely a placeholder (01/01/1900) or a typo.
MAX_PLAUSIBLE_AGE = 100


def age_on(dob: dt.date, day: dt.date) -> int:
    """Whole years of age on ``day``."""
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def _describe(c: CountFacts) -> str:
    when = c.disposition_date or c.event_date
    year = f", {when.year}" if when else ""
    return f"{c.offense.display} (case {c.case_number}{year})"


def _when(c: CountFacts) -> dt.date | None:
    """The date a conviction happened for ordering: offense, else filing, else disposition."""
    return c.offense_date or c.filing_date or c.disposition_date


def _a(what: str) -> str:
    return ("an " if what[:1].lower() in "aeiou" else "a ") + what


def _unsure(other: CountFacts, sset: SectionSet, how: str, what: str) -> MissingFact:
    """The review message for a history row that may be a listed offense (see match_history)."""
    specs = sset.specs_for(other.offense)
    noun = "Conviction" if other.disposition is Disposition.CONVICTED else "Count"
    if how == "no_book":
        return MissingFact(
            "prior_code_book",
            f"{noun} {_describe(other)} names no code book: check whether it is {specs} "
            f"({_a(what)}) in the court record.",
        )
    return MissingFact(
        "prior_subdivision",
        f"{noun} {_describe(other)} does not show the subdivision that would make it {_a(what)} "
        f"({specs}): check the subdivision in the court record.",
    )


def _undisposed(other: CountFacts, why: str) -> MissingFact:
    """A count with no disposition whose conviction would change the outcome."""
    when = other.disposition_date or _when(other)
    shown = f" ({other.disposition_raw!r} could not be read)" if other.disposition_raw else ""
    return MissingFact(
        "prior_disposition",
        f"The disposition of {other.offense.display or other.offense.raw or 'a count'} "
        f"(case {other.case_number}, {when.isoformat() if when else 'date unknown'}) is not "
        f"known{shown}: check whether it ended in a conviction ({why}).",
    )


def _co_count_undisposed(other: CountFacts) -> MissingFact:
    """A count of the same case with no disposition, where a conviction would matter."""
    return MissingFact(
        "disposition",
        f"Co-count {_describe(other)} has no disposition: check whether it ended in a conviction.",
    )


def _count_date(ctx: Ctx) -> dt.date:
    d = _when(ctx.count)
    if d is None:
        raise MissingFact(
            "date",
            "This count has no offense, filing or disposition date, so earlier and later "
            "convictions cannot be told apart: check the dates in the court record.",
        )
    return d


# -- registry --------------------------------------------------------------------------

ParamKinds = Mapping[str, tuple[str, bool, Any]]  # name -> (kind, required, default)


@dataclass(frozen=True, slots=True)
class PredicateDef:
    name: str
    doc: str
    params: ParamKinds
    build: Callable[..., Check]


REGISTRY: dict[str, PredicateDef] = {}


def predicate(
    name: str, doc: str, **params: tuple[str, bool, Any]
) -> Callable[[Callable[..., Check]], Callable[..., Check]]:
    def register(builder: Callable[..., Check]) -> Callable[..., Check]:
        REGISTRY[name] = PredicateDef(name, doc, params, builder)
        return builder

    return register


@dataclass
class BuildEnv:
    """What a predicate builder may read from its pack: lists, territory, default book."""

    lists: Mapping[str, SectionSet]
    default_book: str | None
    territory: Mapping[str, Any]


_OUTCOME_CHOICES = {
    "timing": ("before", "same_case", "after", "any_other"),
    "field": ("disposition", "filing", "offense", "event", "filing_or_offense"),
    "at": ("offense", "conviction", "reference", "event"),
    "missing": ("review", "false"),
    "unreadable": ("review", "ignore"),
}


def _check_param(pred: str, name: str, kind: str, value: Any) -> Any:
    bad = SpecError(
        f"predicate {pred!r}: parameter {name!r} must be {kind}, not {value!r}", key=name
    )
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad
    elif kind == "bool":
        if not isinstance(value, bool):
            raise bad
    elif kind == "date":
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            raise bad
    elif kind == "str":
        if not isinstance(value, str):
            raise bad
    elif kind in ("str_list", "sections", "lists"):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad
    elif kind.startswith("choice:"):
        choices = kind.removeprefix("choice:").split("|")
        if value not in choices:
            raise SpecError(
                f"predicate {pred!r}: parameter {name!r} must be one of {choices}, not {value!r}",
                key=name,
            )
    elif kind == "pred":
        if not isinstance(value, dict):
            raise bad
    elif kind == "preds" and (
        not isinstance(value, list) or not all(isinstance(v, dict) for v in value)
    ):
        raise bad
    return value


def compile_predicate(spec: Mapping[str, Any], env: BuildEnv) -> Check:
    """Check a ``{pred = "name", ...params}`` table and build its closure."""
    if not isinstance(spec, Mapping) or "pred" not in spec:
        raise SpecError("each condition must be a table with a 'pred' key", key="when")
    name = spec["pred"]
    definition = REGISTRY.get(name)
    if definition is None:
        raise SpecError(
            f"unknown predicate {name!r} (known: {', '.join(sorted(REGISTRY))})", key="pred"
        )
    unknown = set(spec) - {"pred"} - set(definition.params)
    if unknown:
        raise SpecError(
            f"predicate {name!r} has no parameter {sorted(unknown)[0]!r}", key=sorted(unknown)[0]
        )
    kwargs: dict[str, Any] = {}
    for pname, (kind, required, default) in definition.params.items():
        if pname in spec:
            kwargs[pname] = _check_param(name, pname, kind, spec[pname])
        elif required:
            raise SpecError(f"predicate {name!r} needs parameter {pname!r}", key=pname)
        else:
            kwargs[pname] = default
        if kind == "sections":
            try:
                kwargs[pname] = SectionSet.build(SectionSpec.parse(s) for s in kwargs[pname] or [])
            except SpecError as exc:
                raise SpecError(str(exc), key=pname) from None
        elif kind == "lists":
            missing = [n for n in kwargs[pname] or [] if n not in env.lists]
            if missing:
                raise SpecError(
                    f"predicate {name!r}: unknown list {missing[0]!r} (known: {', '.join(sorted(env.lists))})",
                    key=pname,
                )
            kwargs[pname] = _merge_lists(kwargs[pname] or [], env.lists)
        elif kind == "pred":
            kwargs[pname] = compile_predicate(kwargs[pname], env)
        elif kind == "preds":
            kwargs[pname] = [compile_predicate(p, env) for p in kwargs[pname]]
    try:
        check = definition.build(env, **kwargs)
        # Conditions that read only the count's offense code are evaluated once per distinct
        # code by the engine (see engine._plan): the speed of a million-count run rests on it.
        if name in OFFENSE_ONLY:
            check.offense_only = True  # type: ignore[attr-defined]
        elif name in ("not", "any"):
            inner = kwargs["of"] if isinstance(kwargs["of"], list) else [kwargs["of"]]
            if all(is_offense_only(c) for c in inner):
                check.offense_only = True  # type: ignore[attr-defined]
            if any(reads_count_dates(c) for c in inner):
                check.reads_dates = True  # type: ignore[attr-defined]
        if name in DATE_READERS:
            check.reads_dates = True  # type: ignore[attr-defined]
        return check
    except SpecError:
        raise
    except ValueError as exc:  # e.g. an unknown level or disposition value
        raise SpecError(f"predicate {name!r}: {exc}") from None


OFFENSE_ONLY = frozenset(
    {"offense_unreadable", "section", "attempt", "conspiracy", "no_subsection"}
)


def is_offense_only(check: Check) -> bool:
    """True when the condition depends on nothing but the count's offense code."""
    return bool(getattr(check, "offense_only", False))


# Predicates whose answer depends on the count's own offense, filing or disposition date.
DATE_READERS = frozenset(
    {"date", "age", "prior_conviction", "prior_same_section", "registration_event"}
)


def reads_count_dates(check: Check) -> bool:
    """True when the condition reads the count's own dates (see engine._finish)."""
    return bool(getattr(check, "reads_dates", False))


def _merge_lists(names: list[str], lists: Mapping[str, SectionSet]) -> SectionSet:
    chosen = [lists[n] for n in names]
    return SectionSet.build(
        (s for sset in chosen for s in sset.specs),
        names=tuple(names),
        title=" or ".join(s.title for s in chosen),
        citation="; ".join(s.citation for s in chosen),
    )


def _union(a: SectionSet, b: SectionSet) -> SectionSet:
    return SectionSet.build(
        (*a.specs, *b.specs),
        names=a.names + b.names,
        title=" or ".join(t for t in (a.title, b.title) if t),
        citation="; ".join(c for c in (a.citation, b.citation) if c),
    )


# -- combinators -----------------------------------------------------------------------


@predicate("not", "True when the inner condition does not hold.", of=("pred", True, None))
def _not(env: BuildEnv, of: Check) -> Check:
    def check(ctx: Ctx) -> Facts | None:
        return None if of(ctx) is not None else {}

    return check


@predicate(
    "any", "True when one of the inner conditions holds (first one wins).", of=("preds", True, None)
)
def _any(env: BuildEnv, of: list[Check]) -> Check:
    def check(ctx: Ctx) -> Facts | None:
        missing: MissingFact | None = None
        for inner in of:
            try:
                facts = inner(ctx)
            except MissingFact as exc:
                missing = missing or exc
                continue
            if facts is not None:
                return facts
        if missing is not None:
            raise missing
        return None

    return check


# -- the count's own offense -------------------------------------------------------------


@predicate("offense_unreadable", "The count's offense code could not be read.")
def _offense_unreadable(env: BuildEnv) -> Check:
    def check(ctx: Ctx) -> Facts | None:
        off = ctx.count.offense
        if off.recognized and off.section:
            return None
        return {"raw": off.raw or "(blank)"}

    return check


@predicate(
    "section",
    "The count's offense is one of the sections (whole-section match, subsections by prefix).",
    sections=("sections", False, []),
    lists=("lists", False, []),
    attempts=("bool", False, True),
    conspiracy=("bool", False, False),
)
def _section(
    env: BuildEnv, sections: SectionSet, lists: SectionSet, attempts: bool, conspiracy: bool
) -> Check:
    sset = _union(sections, lists)
    book = env.default_book

    def check(ctx: Ctx) -> Facts | None:
        off = ctx.count.offense
        if (off.attempt and not attempts) or (off.conspiracy and not conspiracy):
            return None
        spec = sset.match(off, book)
        return None if spec is None else {"section": off.display}

    return check


@predicate(
    "no_subsection", "The count's code has no subsection (e.g. plain '11357' or 'PL 221.10')."
)
def _no_subsection(env: BuildEnv) -> Check:
    return lambda ctx: (
        None if ctx.count.offense.subsections else {"section": ctx.count.offense.display}
    )


@predicate("attempt", "The count is an attempt (PC 664, PL 110).")
def _attempt(env: BuildEnv) -> Check:
    return lambda ctx: {"section": ctx.count.offense.display} if ctx.count.offense.attempt else None


@predicate("conspiracy", "The count is a conspiracy to commit its section (PC 182).")
def _conspiracy(env: BuildEnv) -> Check:
    return lambda ctx: (
        {"section": ctx.count.offense.display} if ctx.count.offense.conspiracy else None
    )


@predicate(
    "description",
    "The offense description matches a regular expression (case-insensitive).",
    pattern=("str", True, None),
    missing=("choice:review|false", False, "review"),
)
def _description(env: BuildEnv, pattern: str, missing: str) -> Check:
    try:
        rx = re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise SpecError(
            f"predicate 'description': bad pattern {pattern!r}: {exc}", key="pattern"
        ) from None

    def check(ctx: Ctx) -> Facts | None:
        text = ctx.count.description
        if not text or not text.strip():
            if missing == "review":
                raise MissingFact(
                    "description",
                    "The offense description is blank: check the charge wording in the court record.",
                )
            return None
        return {"description": text} if rx.search(text) else None

    return check


@predicate(
    "level",
    "The count's level is one of the values (felony, misdemeanor, infraction, violation).",
    values=("str_list", True, None),
)
def _level(env: BuildEnv, values: list[str]) -> Check:
    wanted = {Level(v) for v in values}

    def check(ctx: Ctx) -> Facts | None:
        lvl = ctx.count.level
        if lvl is None:
            raw = ctx.count.level_raw
            shown = f" ({raw!r} could not be read)" if raw else ""
            raise MissingFact(
                "level",
                f"The level (felony or misdemeanor) of this count is missing{shown}: check it in the court record.",
            )
        return {"level": lvl.value} if lvl in wanted else None

    return check


@predicate(
    "disposition", "The count's disposition is one of the values.", values=("str_list", True, None)
)
def _disposition(env: BuildEnv, values: list[str]) -> Check:
    wanted = {Disposition(v) for v in values}

    def check(ctx: Ctx) -> Facts | None:
        disp = ctx.count.disposition
        if disp is None:
            raw = ctx.count.disposition_raw
            shown = f" ({raw!r} could not be read)" if raw else ""
            raise MissingFact(
                "disposition",
                f"The disposition of this count is missing{shown}: check whether it ended in a conviction.",
            )
        return {"disposition": disp.value} if disp in wanted else None

    return check


@predicate(
    "case_status",
    "The case status (open, closed, warrant) is one of the values.",
    values=("str_list", True, None),
    missing=("choice:review|false", False, "review"),
)
def _case_status(env: BuildEnv, values: list[str], missing: str) -> Check:
    wanted = {v.lower() for v in values}

    def check(ctx: Ctx) -> Facts | None:
        status = (ctx.count.case_status or "").strip().lower()
        if not status:
            if missing == "review":
                raise MissingFact(
                    "case_status",
                    "The case status (open, closed, warrant) is missing: check the court record.",
                )
            return None
        return {"case_status": status} if status in wanted else None

    return check


_DATE_FIELDS = "choice:disposition|filing|offense|event|filing_or_offense"


def _pick_date(c: CountFacts, field_name: str) -> dt.date | None:
    if field_name == "disposition":
        return c.disposition_date
    if field_name == "filing":
        return c.filing_date
    if field_name == "offense":
        return c.offense_date
    if field_name == "filing_or_offense":
        return c.filing_date or c.offense_date
    return _when(c)


_DATE_LABEL = {
    "disposition": "disposition date",
    "filing": "filing date",
    "offense": "offense date",
    "event": "offense or filing date",
    "filing_or_offense": "filing (or offense) date",
}


@predicate(
    "date",
    "A date of the count lies in [on_or_after, before).",
    field=(_DATE_FIELDS, True, None),
    on_or_after=("date", False, None),
    before=("date", False, None),
    missing=("choice:review|false", False, "review"),
)
def _date(
    env: BuildEnv, field: str, on_or_after: dt.date | None, before: dt.date | None, missing: str
) -> Check:
    if on_or_after is None and before is None:
        raise SpecError("predicate 'date' needs on_or_after or before", key="field")
    label = _DATE_LABEL[field]

    def check(ctx: Ctx) -> Facts | None:
        d = _pick_date(ctx.count, field)
        if d is None:
            if missing == "review":
                raw = ctx.count.disposition_date_raw if field == "disposition" else None
                shown = f" ({raw!r} could not be read)" if raw else ""
                raise MissingFact(
                    field, f"The {label} is missing{shown}: check it in the court record."
                )
            return None
        if on_or_after is not None and d < on_or_after:
            return None
        if before is not None and d >= before:
            return None
        return {"date": d.isoformat(), "date_field": label}

    return check


@predicate(
    "age",
    "The person's age in whole years at a date is in [at_least, under).",
    at=("choice:offense|conviction|reference|event", True, None),
    at_least=("int", False, None),
    under=("int", False, None),
)
def _age(env: BuildEnv, at: str, at_least: int | None, under: int | None) -> Check:
    if at_least is None and under is None:
        raise SpecError("predicate 'age' needs at_least or under", key="at")

    def check(ctx: Ctx) -> Facts | None:
        dob = ctx.person.dob
        if dob is None:
            raise MissingFact(
                "dob",
                "The date of birth is missing or unreadable: check it in the person's record (the rule depends on age).",
            )
        c = ctx.count
        if at == "reference":
            day = ctx.as_of
        elif at == "conviction":
            day = c.disposition_date
        elif at == "offense":
            # Filing date stands in for a missing offense date (DOMAIN.md, data per count).
            day = c.offense_date or c.filing_date
        else:
            day = _when(c)
        if day is None:
            raise MissingFact(
                "date",
                f"The {at} date is missing, so the person's age then is unknown: check the court record.",
            )
        age = age_on(dob, day)
        if age < MIN_PLAUSIBLE_AGE or age > MAX_PLAUSIBLE_AGE:
            # A birth date after (or just before) the event, or a placeholder like 1900-01-01,
            # is a data error, and deciding on it could turn a dismissal into a reduction or
            # the reverse: a person must look.
            raise MissingFact(
                "dob",
                f"The date of birth ({dob.isoformat()}) gives age {age} on the {at} date "
                f"({day.isoformat()}), which is not plausible: check the date of birth and the "
                "dates in the court record.",
            )
        if at_least is not None and age < at_least:
            return None
        if under is not None and age >= under:
            return None
        return {"age": age, "age_at": at, "age_date": day.isoformat()}

    return check


# -- the rest of the case ----------------------------------------------------------------


@predicate(
    "same_case_has",
    "Another count in the same case is one of the sections (any disposition unless given).",
    sections=("sections", False, []),
    lists=("lists", False, []),
    dispositions=("str_list", False, []),
)
def _same_case_has(
    env: BuildEnv, sections: SectionSet, lists: SectionSet, dispositions: list[str]
) -> Check:
    sset = _union(sections, lists)
    wanted = {Disposition(v) for v in dispositions}
    what = sset.title or " or ".join(s.text for s in sset.specs) or "listed offense"

    def check(ctx: Ctx) -> Facts | None:
        me = ctx.count
        pending: MissingFact | None = None  # raised only if no co-count settles it
        for other in ctx.index.by_case.get(me.case_id, ()):
            if other.count_id == me.count_id:
                continue
            # A co-count is history too: the pack's default book is not assumed for it.
            spec, how = sset.match_history(other.offense)
            if spec is None:
                continue
            if wanted and other.disposition not in wanted:
                if other.disposition is None:
                    pending = pending or _co_count_undisposed(other)
                continue
            if how != "match":
                pending = pending or _unsure(other, sset, how, what)
                continue
            return {"co_count": other.offense.display, "case_number": me.case_number}
        if pending is not None:
            raise pending
        return None

    return check


@predicate(
    "same_case_other_conviction",
    "Another count of the same case is a conviction outside the sections.",
    sections=("sections", False, []),
)
def _same_case_other(env: BuildEnv, sections: SectionSet) -> Check:
    what = " or ".join(s.text for s in sections.specs) or "listed section"

    def check(ctx: Ctx) -> Facts | None:
        me = ctx.count
        pending: MissingFact | None = None  # raised only if no co-count settles it
        for other in ctx.index.by_case.get(me.case_id, ()):
            if other.count_id == me.count_id:
                continue
            # A co-count is history: the pack's default book is not assumed for it.
            spec, how = sections.match_history(other.offense)
            if how == "match":
                continue
            if other.disposition is None:
                pending = pending or _co_count_undisposed(other)
                continue
            if other.disposition is not Disposition.CONVICTED:
                continue
            if spec is not None:  # may be one of the sections: the data cannot tell
                pending = pending or _unsure(other, sections, how, what)
                continue
            return {"co_count": other.offense.display, "case_number": me.case_number}
        if pending is not None:
            raise pending
        return None

    return check


@predicate(
    "only_charge_in_case",
    "The count is the only charge in its case; a co-count meeting every `unless` condition "
    "(read on that co-count, e.g. a second possession count) is not another charge.",
    unless=("preds", False, []),
)
def _only_charge(env: BuildEnv, unless: list[Check]) -> Check:
    def check(ctx: Ctx) -> Facts | None:
        missing: MissingFact | None = None
        for other in ctx.index.by_case.get(ctx.count.case_id, ()):
            if other.count_id == ctx.count.count_id:
                continue
            try:
                if not _co_count_meets(ctx, other, unless):
                    return None  # a charge of another kind: decisive whatever else is unknown
            except MissingFact as exc:
                missing = missing or exc
        if missing is not None:
            raise missing
        return {"case_number": ctx.count.case_number}

    return check


# -- the person's history ----------------------------------------------------------------


def _timing_of(ctx: Ctx, other: CountFacts, my_date: dt.date | None) -> str:
    """before / same_case / after for another conviction relative to this count."""
    if other.case_id == ctx.count.case_id:
        return "same_case"
    other_date = _when(other)
    if other_date is None or my_date is None:
        return "unknown"
    # A conviction on the same day in another case is not "before": treat it as concurrent
    # (later), which the packs send to review.
    return "before" if other_date < my_date else "after"


@predicate(
    "prior_conviction",
    "The person has another conviction in the sections or lists, timed relative to this count.",
    sections=("sections", False, []),
    lists=("lists", False, []),
    timing=("choice:before|same_case|after|any_other", False, "before"),
    unreadable=("choice:review|ignore", False, "ignore"),
)
def _prior_conviction(
    env: BuildEnv, sections: SectionSet, lists: SectionSet, timing: str, unreadable: str
) -> Check:
    sset = _union(sections, lists)
    what = sset.title or "listed offense"

    def relevant(ctx: Ctx, other: CountFacts, my_date: dt.date | None) -> bool:
        when = _timing_of(ctx, other, my_date)
        return timing == "any_other" or when in (timing, "unknown")

    def check(ctx: Ctx) -> Facts | None:
        me = ctx.count
        my_date = _when(me) if timing != "any_other" else None
        if timing in ("before", "after") and my_date is None:
            _count_date(ctx)
        idx = ctx.index
        # A definite listed conviction decides; what the data leave open (an unreadable or
        # bookless code, a missing subdivision, date or disposition) is raised only when none
        # is found, so one unclear row never hides a clear disqualifier.
        pending: MissingFact | None = None
        for other in idx.convictions:
            if other.count_id == me.count_id:
                continue
            if not other.offense.recognized or not other.offense.section:
                if unreadable == "review" and pending is None and relevant(ctx, other, my_date):
                    pending = MissingFact(
                        "prior_code",
                        f"Conviction in case {other.case_number} has an unreadable offense code "
                        f"({other.offense.raw or 'blank'!r}): check whether it is {_a(what)}.",
                    )
                continue
            spec, how = sset.match_history(other.offense)
            if spec is None:
                continue
            when = _timing_of(ctx, other, my_date)
            if timing != "any_other" and when == "unknown":
                pending = pending or MissingFact(
                    "prior_date",
                    f"Conviction {_describe(other)} is {_a(what)} but has no date: check whether it came before this count.",
                )
                continue
            if timing != "any_other" and when != timing:
                continue
            if how != "match":
                pending = pending or _unsure(other, sset, how, what)
                continue
            d = other.disposition_date or _when(other)
            return {
                "prior": other.offense.display,
                "prior_case": other.case_number,
                "prior_year": d.year if d else "date unknown",
                "prior_date": _iso(d),
            }
        if pending is not None:
            raise pending
        for other in idx.undisposed:
            if other.count_id == me.count_id or not relevant(ctx, other, my_date):
                continue
            if not other.offense.recognized or not other.offense.section:
                if unreadable == "review":
                    raise _undisposed(other, f"its code is unreadable too: it may be {_a(what)}")
                continue
            if sset.match_history(other.offense)[0] is not None:
                raise _undisposed(other, f"it may be {_a(what)}")
        return None

    return check


@predicate(
    "prior_same_section",
    "The person has at least `min` earlier convictions of this count's section (other cases).",
    min=("int", True, None),
)
def _prior_same_section(env: BuildEnv, min: int) -> Check:  # noqa: A002 - the pack's word
    book = env.default_book

    def check(ctx: Ctx) -> Facts | None:
        me = ctx.count
        my_date = _count_date(ctx)
        mine = me.offense
        my_book = mine.code_book or book  # the default book is for this count only
        n = 0
        cases: list[str] = []
        # Earlier rows that may be convictions of this section but the data cannot tell
        # (no disposition, no code book, no date): they matter only if they could reach `min`.
        unsure: list[MissingFact] = []
        for other in ctx.person.counts:
            o = other.offense
            if other.case_id == me.case_id or o.section != mine.section:
                continue
            if other.disposition is not Disposition.CONVICTED and other.disposition is not None:
                continue
            when = _timing_of(ctx, other, my_date)
            if when == "after":
                continue
            if when == "unknown":
                unsure.append(
                    MissingFact(
                        "prior_date",
                        f"Conviction {_describe(other)} has no date: check whether it came before this count.",
                    )
                    if other.disposition is not None
                    else _undisposed(other, f"it may be an earlier {mine.display} conviction")
                )
                continue
            if other.disposition is None:
                unsure.append(_undisposed(other, f"it may be an earlier {mine.display} conviction"))
            elif o.code_book is None:
                unsure.append(
                    MissingFact(
                        "prior_code_book",
                        f"Conviction {_describe(other)} names no code book: check whether it is "
                        f"{mine.section} {my_book or ''}".rstrip()
                        + " in the court record (it would count as a prior of this section).",
                    )
                )
            elif o.code_book == my_book:
                n += 1
                cases.append(other.case_number)
        if n >= min:
            return {"prior_count": n, "prior_cases": ", ".join(cases)}
        if unsure and n + len(unsure) >= min:
            raise unsure[0]
        return None

    return check


@predicate(
    "registration_event",
    "The person has a sex-offender registration event (before this count, or after/undated).",
    timing=("choice:before|after_or_undated|any", False, "before"),
)
def _registration(env: BuildEnv, timing: str) -> Check:
    def check(ctx: Ctx) -> Facts | None:
        regs = ctx.index.registrations
        if not regs:
            return None
        my_date = _when(ctx.count)
        for e in regs:
            before = e.event_date is not None and my_date is not None and e.event_date < my_date
            if timing == "any" or (timing == "before") == before:
                what = (
                    e.offense.display
                    if e.offense and e.offense.recognized
                    else (e.description or "registration")
                )
                return {
                    "registration": what,
                    "registration_date": _iso(e.event_date) or "date unknown",
                }
        return None

    return check


@predicate(
    "other_open_felony",
    "The person has another open case or warrant (another case) charging a felony: an open or "
    "warrant disposition, or none in a case whose status is open or warrant; a felony with "
    "neither a disposition nor a case status -> review.",
)
def _other_open_felony(env: BuildEnv) -> Check:
    open_states = {Disposition.OPEN, Disposition.WARRANT}
    open_status = {"open", "warrant"}

    def check(ctx: Ctx) -> Facts | None:
        me = ctx.count
        # A definite open felony decides (not_eligible) even when another count is unclear;
        # otherwise the first unclear count sends the count to review.
        missing: MissingFact | None = None
        for other in ctx.person.counts:
            if other.case_id == me.case_id:
                continue
            status = (other.case_status or "").strip().lower()
            disp = other.disposition
            blank = not (other.disposition_raw or "").strip()
            if disp in open_states or (disp is None and blank and status in open_status):
                # Open by its disposition, or by its case status with no disposition yet.
                if other.level is None:
                    missing = missing or MissingFact(
                        "level",
                        f"Open count {_describe(other)} has no level: check whether it is a felony.",
                    )
                    continue
                if other.level is Level.FELONY:
                    return {"open_felony": other.offense.display, "open_case": other.case_number}
            elif (
                status != "closed"
                and (disp is None or (disp is Disposition.OTHER and status in open_status))
                and other.level in (None, Level.FELONY)
            ):
                # No disposition and no case status, or an unreadable or "other" outcome in a
                # case still open: a felony (or a count of unknown level) may be outstanding.
                what = "felony" if other.level is Level.FELONY else "count of unknown level"
                missing = missing or MissingFact(
                    "open_case",
                    f"Other {what} {_describe(other)} has no clear disposition or case "
                    "status: check whether it is still open (people with other "
                    "outstanding felonies were excluded).",
                )
        if missing is not None:
            raise missing
        return None

    return check


@predicate(
    "all_convictions_in",
    "Every conviction on the person's record is one of the sections.",
    sections=("sections", True, None),
)
def _all_convictions_in(env: BuildEnv, sections: SectionSet) -> Check:
    book = env.default_book
    what = " or ".join(s.text for s in sections.specs)

    def check(ctx: Ctx) -> Facts | None:
        me = ctx.count
        pending: MissingFact | None = None  # raised only if no conviction settles it
        for c in ctx.index.convictions:
            if not c.offense.recognized:
                pending = pending or MissingFact(
                    "prior_code",
                    f"Conviction in case {c.case_number} has an unreadable code: check what it was.",
                )
                continue
            if c.count_id == me.count_id:
                # The pack's default book applies to the count under evaluation only.
                if sections.match(c.offense, book) is None:
                    return None
                continue
            spec, how = sections.match_history(c.offense)
            if spec is None:
                return None  # a conviction outside the sections
            if how != "match":
                pending = pending or _unsure(c, sections, how, what)
        for c in ctx.index.undisposed:
            # A count of any other section that may be a conviction would end "only these".
            if c.count_id != me.count_id and sections.match_history(c.offense)[1] != "match":
                pending = pending or _undisposed(
                    c, f"a conviction outside {what} would change the answer"
                )
        if pending is not None:
            raise pending
        return {"convictions": len(ctx.index.convictions)}

    return check


@predicate(
    "sentences_completed", "Every conviction on the person's record shows a completed sentence."
)
def _sentences_completed(env: BuildEnv) -> Check:
    def check(ctx: Ctx) -> Facts | None:
        for c in ctx.index.convictions:
            if c.sentence_completed is None:
                raise MissingFact(
                    "sentence",
                    f"Whether the sentence in case {c.case_number} was completed is not in the data: check it.",
                )
            if not c.sentence_completed:
                return None
        for c in ctx.index.undisposed:
            # A count that may be a conviction with an open sentence.
            if c.sentence_completed is not True:
                raise _undisposed(
                    c, "a conviction with its sentence not completed would change the answer"
                )
        return {"sentences": "completed"}

    return check


@predicate(
    "conviction_within_years",
    "The person has a conviction (optionally of given levels) within `years` before the as-of date.",
    years=("int", True, None),
    levels=("str_list", False, []),
)
def _conviction_within(env: BuildEnv, years: int, levels: list[str]) -> Check:
    wanted = {Level(v) for v in levels}

    def check(ctx: Ctx) -> Facts | None:
        ref = ctx.as_of
        try:
            start = ref.replace(year=ref.year - years)
        except ValueError:  # 29 February
            start = ref.replace(year=ref.year - years, day=28)
        for c in ctx.index.convictions:
            d = c.disposition_date or _when(c)
            if d is None:
                raise MissingFact(
                    "date",
                    f"Conviction in case {c.case_number} has no date: check whether it falls in the {years}-year window.",
                )
            if not (start <= d <= ref):
                continue
            if wanted:
                if c.level is None:
                    raise MissingFact(
                        "level",
                        f"Conviction {_describe(c)} in the {years}-year window has no level: check whether it is a felony.",
                    )
                if c.level not in wanted:
                    continue
            return {
                "recent": c.offense.display,
                "recent_case": c.case_number,
                "recent_date": d.isoformat(),
                "window_start": start.isoformat(),
            }
        for c in ctx.index.undisposed:
            # A count with no disposition in (or possibly in) the window may be a conviction.
            d = c.disposition_date or _when(c)
            if d is not None and not (start <= d <= ref):
                continue
            if wanted and c.level is not None and c.level not in wanted:
                continue
            raise _undisposed(c, f"a conviction in the {years}-year window would change the answer")
        return None

    return check


# -- territory ---------------------------------------------------------------------------

_COUNTY_NOISE = re.compile(r"\b(COUNTY|CNTY|CO|PARISH)\b\.?|[.,]")
_COUNTY_WORD = re.compile(r"\b(?:COUNTY|CNTY|CO|PARISH)\b")
_COUNTY_OF = re.compile(r"^(?:THE\s+)?(?:CITY\s+AND\s+)?COUNTY\s+OF\s+|\s+CITY\s+AND\s+COUNTY$")
_PAREN = re.compile(r"^(?P<outer>[^()]+?)\s*\((?P<inner>[^()]+)\)$")


def normalize_county(text: str | None) -> str:
    """'Los Angeles County' / 'LOS ANGELES CO.' -> 'LOS ANGELES'."""
    if not text:
        return ""
    return re.sub(r"\s+", " ", _COUNTY_NOISE.sub(" ", text.upper())).strip()


def _clean_place(text: str) -> str:
    """Upper case; '&' as AND; no dots or apostrophes; SAINT as ST; single spaces."""
    t = text.upper().replace("&", " AND ").replace("\u2019", "").replace("'", "").replace(".", "")
    t = re.sub(r"\s+", " ", re.sub(r"[,;]", " ", t)).strip()
    return re.sub(r"\bSAINT\b", "ST", t)


def place_key(text: str | None) -> tuple[str, bool]:
    """A county spelling as the gazetteers write it, and whether it said "county".

    'City & County of San Francisco' -> ('SAN FRANCISCO', True); 'L.A.' -> ('LA', False);
    "St. Mary's Co." -> ('ST MARYS', True). Parentheses are kept for the caller.
    """
    if not text:
        return "", False
    t = _clean_place(text)
    stripped = _COUNTY_OF.sub("", t)
    explicit = stripped != t or bool(_COUNTY_WORD.search(stripped))
    key = re.sub(r"\s+", " ", _COUNTY_WORD.sub(" ", stripped)).strip()
    return key, explicit


class _Places:
    """Where a county or court text points for one pack: inside, outside, ambiguous, unknown."""

    def __init__(self, terr: Mapping[str, Any]) -> None:
        self.gaz = GAZETTEERS.get(str(terr.get("state") or "").upper())
        self.inside = {place_key(c)[0] for c in terr.get("counties", [])}
        self.aliases = {
            place_key(k)[0]: place_key(v)[0] for k, v in terr.get("aliases", {}).items()
        }
        words: set[str] = set(self.aliases)
        if self.gaz is not None:
            words |= self.gaz.court_words
        # Court names mention a place as "X County", "County of X" or a borough-like name.
        names = set(self.gaz.counties | set(self.gaz.aliases)) if self.gaz else set()
        names |= self.inside
        alt = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        bare = "|".join(re.escape(n) for n in sorted(words, key=len, reverse=True))
        parts = []
        if alt:
            parts.append(rf"\b(?P<n1>{alt})\s+(?:COUNTY|CO)\b")
            parts.append(rf"\bCOUNTY\s+OF\s+(?P<n2>{alt})\b")
        if bare:
            parts.append(rf"\b(?P<n3>{bare})\b")
        self.court_rx = re.compile("|".join(parts)) if parts else None

    def candidates(self, text: str) -> frozenset[str] | None:
        """Every county the text may mean (None when it names no place this pack knows)."""
        key, explicit = place_key(text)
        if not key:
            return None
        m = _PAREN.match(key)
        if m:  # "RICHMOND (STATEN ISLAND)": both halves should agree
            outer, inner = self.candidates(m["outer"]), self.candidates(m["inner"])
            if outer and inner:
                return (outer & inner) or (outer | inner)
            return outer or inner
        if key in self.aliases:
            return frozenset({self.aliases[key]})
        if key in self.inside:
            return frozenset({key})
        gaz = self.gaz
        if gaz is not None:
            if key in gaz.counties and (explicit or key not in gaz.aliases):
                return frozenset({key})
            if key in gaz.aliases:
                return gaz.aliases[key]
        return None

    def classify(self, found: frozenset[str] | None) -> str:
        if found is None:
            return "unknown"
        if found <= self.inside:
            return "inside"
        return "outside" if not (found & self.inside) else "ambiguous"

    def county(self, text: str) -> str:
        if not text:
            return "blank"
        if not self.inside and not self.gaz:
            return "inside"  # a pack that names no county (the court decides)
        return self.classify(self.candidates(text))

    def court(self, text: str, patterns: list[re.Pattern[str]]) -> str:
        if not text:
            return "blank"
        if any(rx.search(text) for rx in patterns):
            return "inside"
        if self.court_rx is None:
            return "unknown"
        named: set[str] = set()  # places written as a county ("X County", "County of X")
        bare: set[str] = set()  # places named by a bare word ("Manhattan", "City of New York")
        # Each comma-separated part on its own: "…City of New York, County of New York" must
        # not read as "CITY OF NEW YORK COUNTY".
        matches = (
            m
            for part in re.split(r"[,;]", text)
            for m in self.court_rx.finditer(_clean_place(part))
        )
        for m in matches:
            # "Baltimore County District Court" names the county, not the city.
            county = m["n1"] or m["n2"]
            got = self.candidates(f"{county} COUNTY" if county else m["n3"])
            if got:
                (named if county else bare).update(got)
        # "Criminal Court of the City of New York, County of New York": the county the name
        # spells out is where the court sits; the city's name alone could be five counties.
        found = named or bare
        return self.classify(frozenset(found)) if found else "unknown"


PlaceDecider = Callable[[str | None, str | None], tuple[Facts | None, str | None]]


def territory_decider(terr: Mapping[str, Any]) -> PlaceDecider:
    """``decide(court, county)`` for a territory table: (facts naming the place when it is
    outside, None when inside; a message saying what to check when the place is unclear)."""
    places = _Places(terr)
    patterns = [re.compile(p, re.IGNORECASE) for p in terr.get("court_patterns", [])]
    exclude = [re.compile(p, re.IGNORECASE) for p in terr.get("exclude_patterns", [])]
    require = terr.get("require", "county_or_court")
    on_missing = terr.get("missing", "review")
    name = terr.get("name", "the policy's territory")

    def decide(court_text: str | None, county_text: str | None) -> tuple[Facts | None, str | None]:
        """(facts when outside, None when inside; message when the place is unclear)."""
        court = (court_text or "").strip()
        county_raw = (county_text or "").strip()
        where = ", ".join(x for x in (court, county_raw) if x)
        outside = {"place": where or "(blank)", "territory": name}
        if any(rx.search(where) for rx in exclude):
            return outside, None
        if require == "court":
            if not court:
                if on_missing == "pass":
                    return None, None
                return None, f"The court of this case is missing: check that it is in {name}."
            return (None if any(rx.search(court) for rx in patterns) else outside), None
        county = places.county(county_raw)
        court_is = places.court(court, patterns) if require == "county_or_court" else "blank"
        if county == "unknown":
            # Not a county this policy knows (a misspelling, a code, another state's county):
            # saying "outside" would be a guess.
            return None, (
                f"The county {county_raw!r} is not one this policy recognizes: check whether "
                f"the case is in {name}."
            )
        if county == "blank" and court_is == "blank":
            if on_missing == "pass":
                return None, None
            need = "county" if require == "county" else "county or court"
            return None, f"The {need} of this case is missing: check that it is in {name}."
        if {county, court_is} == {"inside", "outside"}:
            return None, (
                f"The county ({county_raw}) and the court ({court}) point to different places: "
                f"check which is right and whether the case is in {name}."
            )
        if county == "ambiguous":
            if court_is in ("inside", "outside"):  # the court settles which place it was
                return (None if court_is == "inside" else outside), None
            return None, (
                f"The county {county_raw!r} may mean more than one place: check whether the "
                f"case is in {name}."
            )
        if county in ("inside", "outside"):
            return (None if county == "inside" else outside), None
        # No county: the court alone decides, when it says where it sits.
        if court_is in ("inside", "outside"):
            return (None if court_is == "inside" else outside), None
        return None, (
            f"The court {court!r} does not say where it sits and the county is missing: check "
            f"whether the case is in {name}."
        )

    return decide


def home_county_decider(terr: Mapping[str, Any], county: str) -> PlaceDecider | None:
    """``decide(court, county)`` for "is this case in ``county``", the workspace's own county,
    read with the pack's spellings and its state's gazetteer (a court acts only on its own
    cases, though a statewide law gives relief in every county).

    None when the pack covers one county only (its own territory check already placed every
    count) or when ``county`` is not one county this pack can name.
    """
    if len(terr.get("counties", [])) < 2:
        return None
    # Read with the state's gazetteer, not the pack's list, which may settle a spelling one
    # way (Maryland's pack reads "Baltimore" as the county; the setting may mean the city).
    found = _Places({**terr, "counties": []}).candidates(county)
    if found is None or len(found) != 1:
        return None
    (home,) = found
    return territory_decider(
        {
            "name": f"{home.title()} County",
            "state": terr.get("state"),
            "counties": [home],
            "aliases": terr.get("aliases", {}),
            "require": "county_or_court",
            "missing": "review",
        }
    )


@predicate("outside_territory", "The count's county or court is outside the pack's territory.")
def _outside_territory(env: BuildEnv) -> Check:
    decide = territory_decider(env.territory)

    # The answer depends on the (court, county) texts alone, and a county's data has a few
    # hundred of those for a million counts: the regular expressions run once per pair.
    memo: dict[tuple[str | None, str | None], tuple[Facts | None, str | None]] = {}

    def check(ctx: Ctx) -> Facts | None:
        c = ctx.count
        key = (c.court, c.county)
        hit = memo.get(key)
        if hit is None:
            if len(memo) >= 10_000:
                memo.clear()
            hit = memo[key] = decide(*key)
        facts, missing = hit
        if missing is not None:
            raise MissingFact("territory", missing)
        return None if facts is None else dict(facts)  # a copy: callers own their facts

    return check


# -- co-counts read with the pack's own conditions; dates that are absent -------------------
# (The NY/MD/WA packs' additions: a second possession count in a case is not "another
# charge", and a rule can ask that a date be missing rather than treat missing as false.)


def _co_count_meets(ctx: Ctx, other: CountFacts, conditions: list[Check]) -> bool:
    """True when every condition holds for ``other``, read as if it were under evaluation.

    No conditions -> False (every co-count is another charge). A condition that lacks a fact
    of the co-count raises MissingFact naming that co-count.
    """
    if not conditions:
        return False
    sub = Ctx(other, ctx.index, ctx.as_of, ctx.pack)
    try:
        return all(cond(sub) is not None for cond in conditions)
    except MissingFact as exc:
        raise MissingFact(exc.field, f"Co-count {_describe(other)}: {exc.message}") from None


@predicate(
    "same_case_conviction",
    "Another count of the same case ended in a conviction, unless that count meets every "
    "`unless` condition (read on that co-count); a co-count with no disposition -> review.",
    unless=("preds", False, []),
)
def _same_case_conviction(env: BuildEnv, unless: list[Check]) -> Check:
    def check(ctx: Ctx) -> Facts | None:
        me = ctx.count
        missing: MissingFact | None = None
        for other in ctx.index.by_case.get(me.case_id, ()):
            if other.count_id == me.count_id:
                continue
            disp = other.disposition
            if disp is not None and disp is not Disposition.CONVICTED:
                continue  # a count that did not end in a conviction is no bar, whatever it is
            try:
                if _co_count_meets(ctx, other, unless):
                    continue
            except MissingFact as exc:
                missing = missing or exc
                continue
            if disp is None:
                missing = missing or _co_count_undisposed(other)
                continue
            return {"co_count": other.offense.display, "case_number": me.case_number}
        if missing is not None:
            raise missing
        return None

    return check


@predicate(
    "date_missing",
    "The count has no date of the kind (event = offense, else filing, else disposition).",
    field=(_DATE_FIELDS, True, None),
)
def _date_missing(env: BuildEnv, field: str) -> Check:
    label = _DATE_LABEL[field]
    if field == "event":
        label = "offense, filing or disposition date"

    def check(ctx: Ctx) -> Facts | None:
        return {"date_field": label} if _pick_date(ctx.count, field) is None else None

    return check
