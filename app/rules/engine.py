"""Apply a compiled policy pack to a person's facts: one recommendation, with reasons, per count.

The first rule whose conditions all hold decides a count. A condition that needs a fact
the data lack raises :class:`MissingFact`; the rule then answers ``needs_review`` with a
reason naming what to check (or, for rules marked ``on_missing = "skip"``, the engine tries
the next rule and keeps the note for the final reason; for not_eligible rules marked
``"defer"``, a later not_eligible still decides and anything else becomes needs_review). The engine is pure: the same pack,
options, facts and as-of date always give the same recommendations.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.core.model import CountFacts, Offense, Outcome, PersonFacts, Reason, Recommendation
from app.rules.packs import Pack, Rule
from app.rules.predicates import (
    Check,
    Ctx,
    MissingFact,
    PersonIndex,
    is_offense_only,
    reads_count_dates,
)

# Bump when a change to the engine or the predicate library can change any outcome; every
# run stores it with the pack's hash so a recommendation can be reproduced later.
ENGINE_VERSION = "1.2.1"  # 1.2: an open same-person proposal holds back relief; 1.2.1: a court name's spelled-out county wins

_EPOCH = dt.date(1900, 1, 1)
_EMPTY_INDEX = PersonIndex(PersonFacts(0, None, None, None))


class _FormatFacts(dict[str, Any]):
    """Facts for a reason text; count-level values on demand, unknown names left as is."""

    def __init__(
        self, facts: dict[str, Any], count: CountFacts, options: Mapping[str, Any]
    ) -> None:
        super().__init__(facts)
        self.count = count
        self.options = options

    def __missing__(self, key: str) -> Any:
        c = self.count
        if key.startswith("opt_") and key[4:] in self.options:
            return self.options[key[4:]]
        if key == "section":
            return c.offense.display
        if key == "raw":
            return c.offense.raw or "(blank)"
        if key == "case_number":
            return c.case_number
        if key == "disposition_date":
            return c.disposition_date.isoformat() if c.disposition_date else "date unknown"
        if key == "county":
            return c.county or "county unknown"
        if key == "court":
            return c.court or "court unknown"
        if key == "description":
            return c.description or "no description"
        if key == "disposition":
            return c.disposition.value if c.disposition else "unknown"
        if key == "level":
            return c.level.value if c.level else "unknown"
        return "{" + key + "}"


_FIELDS: dict[str, frozenset[str]] = {}


def _reason(
    rule: Rule, facts: dict[str, Any], count: CountFacts, options: Mapping[str, Any]
) -> Reason:
    fields = _FIELDS.get(rule.text)
    if fields is None:
        fields = _FIELDS[rule.text] = frozenset(_text_fields(rule.text))
    if fields <= facts.keys():
        text = rule.text.format_map(facts)  # every name is a fact: no count lookups needed
    else:
        text = rule.text.format_map(_FormatFacts(facts, count, options))
    shown = {"offense": _display(count.offense)}
    shown.update(facts)
    return Reason(code=rule.code, text=text, citation=rule.citation, facts=shown)


_DISPLAY: dict[int, tuple[Offense, str]] = {}


def _display(offense: Offense) -> str:
    """``offense.display``, built once per offense object (the store shares one per code)."""
    hit = _DISPLAY.get(id(offense))
    if hit is not None and hit[0] is offense:
        return hit[1]
    if len(_DISPLAY) >= 10_000:
        _DISPLAY.clear()
    text = offense.display
    _DISPLAY[id(offense)] = (offense, text)
    return text


def _missing_reason(rule: Rule, missing: MissingFact, count: CountFacts) -> Reason:
    return Reason(
        code=f"{rule.code}.missing_{missing.field}",
        text=f"{missing.message} (Needed for: {rule.title}, {rule.citation}.)",
        citation=rule.citation,
        facts={"offense": count.offense.display, "missing": missing.field},
    )


_OFFENSE_FIELDS = {"section", "raw"}


@dataclass(frozen=True, slots=True)
class _Step:
    """A rule whose offense-only conditions hold for one offense code: what is left to check."""

    rule: Rule
    facts: dict[str, Any]  # from the offense-only conditions
    rest: tuple[Check, ...]  # conditions that read the rest of the record
    cached: tuple[Reason, ...] | None  # the reasons, when nothing else can change them
    reads_dates: bool = False  # a condition reads the count's dates (see _finish)


def _text_fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _build_plan(pack: Pack, offense: Offense) -> tuple[_Step, ...]:
    """The rules that can still apply to this offense code, in order, with offense facts."""
    # Offense-only conditions and cached reasons read nothing but the offense (see
    # _Step.cached), so a blank count carrying it stands in for every count with this code.
    count = CountFacts(0, 0, 0, "", None, offense)
    steps = []
    for rule in pack.rules:
        facts: dict[str, Any] = {}
        rest = list(rule.when)
        ok = True
        while rest and is_offense_only(rest[0]):
            got = rest.pop(0)(Ctx(count, _EMPTY_INDEX, _EPOCH, pack))
            if got is None:
                ok = False
                break
            facts.update(got)
        if not ok:
            continue
        cached = None
        fields = _text_fields(rule.text)
        if not rest and all(
            f in facts or f in _OFFENSE_FIELDS or f.startswith("opt_") for f in fields
        ):
            cached = (_reason(rule, facts, count, pack.options),)
        reads_dates = any(reads_count_dates(c) for c in rest)
        steps.append(_Step(rule, facts, tuple(rest), cached, reads_dates))
        if not rest:
            break  # an unconditional step always decides: later rules are unreachable
    return tuple(steps)


def _plan(pack: Pack, offense: Offense) -> tuple[_Step, ...]:
    # Keyed by the offense object's id (the store shares one object per distinct code);
    # the entry keeps the object alive, so an id is never reused while it is cached.
    cache = pack.cache
    hit = cache.get(id(offense))
    if hit is not None and hit[0] is offense:
        return hit[1]
    if len(cache) > 200_000:
        cache.clear()
    plan = _build_plan(pack, offense)
    cache[id(offense)] = (offense, plan)
    return plan


# (count id, outcome, reasons): a Recommendation's fields, without building one per count.
Result = tuple[int, Outcome, tuple[Reason, ...]]


def date_conflict(count: CountFacts) -> str | None:
    """The count's dates contradicting each other, in words, or None.

    A disposition or filing before the offense it is about is impossible: one of the dates
    is wrong, and every date rule (cut-offs, ages, priors) may have read the wrong one.
    """
    offense = count.offense_date
    if offense is None:
        return None
    # Each date is read once: on the bulk path a count's dates are converted on every read.
    disposition, filing = count.disposition_date, count.filing_date
    late_disposition = disposition is not None and disposition < offense
    late_filing = filing is not None and filing < offense
    if not (late_disposition or late_filing):
        return None
    found = []
    if late_disposition:
        found.append(f"disposition date ({disposition.isoformat()})")
    if late_filing:
        found.append(f"filing date ({filing.isoformat()})")
    verb = "are" if len(found) > 1 else "is"
    return f"{' and '.join(found)} {verb} before the offense date ({offense.isoformat()})"


def _finish(
    step: _Step, count: CountFacts, outcome: Outcome, reasons: tuple[Reason, ...]
) -> Result:
    """The rule's answer, unless the count's own dates contradict each other.

    A data-consistency check every pack gets: an eligible answer, or a not_eligible one
    that rests on a date, becomes needs_review naming the dates; a review gets the note too.
    """
    if outcome is Outcome.NOT_ELIGIBLE and not step.reads_dates:
        return (count.count_id, outcome, reasons)  # decided without the dates
    problem = date_conflict(count)
    if problem is None:
        return (count.count_id, outcome, reasons)
    rule = step.rule
    note = Reason(
        code=f"{rule.code}.dates_inconsistent",
        text=(
            f"The {problem}: one of these dates is wrong; check them in the court record "
            f"before deciding (Needed for: {rule.title}, {rule.citation})."
        ),
        citation=rule.citation,
        facts={"offense": count.offense.display, "dates": problem},
    )
    if outcome is Outcome.NEEDS_REVIEW:
        return (count.count_id, outcome, (*reasons, note))
    return (count.count_id, Outcome.NEEDS_REVIEW, (note,))


def _decide(pack: Pack, plan: tuple[_Step, ...], ctx: Ctx) -> Result:
    count = ctx.count
    skipped: list[Reason] = []
    # Disqualifiers the data could not settle (rules with on_missing = "defer"): a later
    # not_eligible still decides, since the count is not eligible either way; anything else
    # becomes needs_review, so an unsettled disqualifier never lets an eligible through.
    deferred: list[Reason] = []
    for step in plan:
        rule = step.rule
        if (
            step.cached is not None
            and not deferred
            and (not skipped or rule.outcome is not Outcome.NEEDS_REVIEW)
        ):
            return _finish(step, count, rule.outcome, step.cached)
        # Most steps fail on their first condition: the facts are copied only when a
        # condition holds and adds some (step.facts is shared by every count of the code).
        facts = step.facts
        try:
            for cond in step.rest:
                got = cond(ctx)
                if got is None:
                    break
                if got:
                    facts = {**facts, **got}
            else:
                reasons = [_reason(rule, facts, count, pack.options)]
                if deferred and rule.outcome is not Outcome.NOT_ELIGIBLE:
                    if rule.outcome is Outcome.NEEDS_REVIEW:
                        reasons = [*deferred, *reasons, *skipped]
                    else:
                        reasons = [*deferred, *skipped]
                    return _finish(step, count, Outcome.NEEDS_REVIEW, tuple(reasons))
                if rule.outcome is Outcome.NEEDS_REVIEW:
                    # Tell the reviewer what the data could not settle on the way here.
                    reasons.extend(skipped)
                return _finish(step, count, rule.outcome, tuple(reasons))
        except MissingFact as exc:
            if rule.on_missing == "skip":
                skipped.append(_missing_reason(rule, exc, count))
                continue
            if rule.on_missing == "defer":
                deferred.append(_missing_reason(rule, exc, count))
                continue
            return (
                count.count_id,
                Outcome.NEEDS_REVIEW,
                (*deferred, _missing_reason(rule, exc, count)),
            )
    if deferred:
        return (count.count_id, Outcome.NEEDS_REVIEW, (*deferred, *skipped))
    # Unreachable for a validated pack (its last rule has no conditions); be safe anyway.
    return (
        count.count_id,
        Outcome.NEEDS_REVIEW,
        (
            Reason(
                "engine.no_rule",
                f"No rule of {pack.id} decided this count: review it by hand ({pack.title}).",
                pack.title,
            ),
        ),
    )


def evaluate_count(pack: Pack, ctx: Ctx) -> Recommendation:
    return Recommendation(*_decide(pack, _plan(pack, ctx.count.offense), ctx))


def evaluate_person_results(pack: Pack, person: PersonFacts, as_of: dt.date) -> list[Result]:
    """What :func:`evaluate_person` gives, as plain (count id, outcome, reasons) tuples.

    The bulk path: most counts of a real history are decided by their code alone, and
    for them neither the person's index nor a context object is built.
    """
    if pack.as_of_fixed and pack.as_of is not None:
        as_of = pack.as_of  # an order of a fixed date: its date, whatever the run asked
    index: PersonIndex | None = None
    out: list[Result] = []
    for count in person.counts:
        plan = _plan(pack, count.offense)
        first = plan[0]
        if first.cached is not None:
            out.append(_finish(first, count, first.rule.outcome, first.cached))
            continue
        if index is None:
            index = PersonIndex(person)
        out.append(_decide(pack, plan, Ctx(count, index, as_of, pack)))
    if person.pending_match:
        return [_unsettled_identity(pack, person.pending_match, r) for r in out]
    return out


def _unsettled_identity(pack: Pack, other: str, result: Result) -> Result:
    """A result for a person with an open same-person proposal.

    The other record's history (priors, registrations, open cases) belongs to this person if
    the proposal is confirmed, so relief cannot be recommended until someone decides it; a
    not_eligible stands (more history can only add to what disqualifies), a review gets the
    note.
    """
    count_id, outcome, reasons = result
    if outcome is Outcome.NOT_ELIGIBLE:
        return result
    note = Reason(
        code="engine.identity_unconfirmed",
        text=(
            f"Another record may be the same person: {other}, proposed on the same name and "
            "date of birth and not yet confirmed or rejected. If it is this person, its "
            "history (prior convictions, registration, open cases) counts here and may change "
            "this answer: check the two records, confirm or reject the match, and evaluate "
            "again."
        ),
        citation=pack.title,
        facts={"possible_same_person": other},
    )
    if outcome is Outcome.NEEDS_REVIEW:
        return (count_id, outcome, (*reasons, note))
    return (count_id, Outcome.NEEDS_REVIEW, (note, *reasons))


def evaluate_person(pack: Pack, person: PersonFacts, as_of: dt.date) -> list[Recommendation]:
    """One recommendation per count of ``person`` (non-cannabis counts included), in count order."""
    return [Recommendation(*r) for r in evaluate_person_results(pack, person, as_of)]


def effective_as_of(pack: Pack, as_of: dt.date | None, today: dt.date) -> dt.date:
    """The run's reference date: the pack's fixed one, else the one asked for, else the pack's, else today."""
    if pack.as_of_fixed and pack.as_of is not None:
        return pack.as_of
    return as_of or pack.as_of or today
