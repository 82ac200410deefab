"""Loading, validating and compiling policy packs (``resources/policies/<id>.toml``).

A pack is data: territory, options a county may change, named offense lists, sources, and
an ordered list of rules. Each rule is a set of conditions (predicates from
:mod:`app.rules.predicates`), an outcome, and a reason text that names its citation; the
first rule whose conditions all hold decides the count. Anything wrong in a pack raises
:class:`PolicyError` naming the pack, the key and the line, before any count is evaluated.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import re
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.errors import PolicyError
from app.core.model import Outcome
from app.resources import resource_path
from app.rules.lists import BUILTIN_LISTS, GAZETTEERS, STATE_NAMES
from app.rules.predicates import (
    BuildEnv,
    Check,
    SectionSet,
    SectionSpec,
    SpecError,
    compile_predicate,
)

_ID = re.compile(r"^[a-z0-9][a-z0-9\-]{1,63}$")
_TOP_KEYS = {
    "id",
    "title",
    "version",
    "jurisdiction",
    "summary",
    "as_of",
    "as_of_fixed",
    "default_code_book",
    "remedy",
    "territory",
    "sources",
    "options",
    "lists",
    "rules",
    "filing",
}
_RULE_KEYS = {"code", "title", "when", "outcome", "text", "citation", "on_missing"}
_TERRITORY_KEYS = {
    "name",
    "state",
    "counties",
    "aliases",
    "court_patterns",
    "exclude_patterns",
    "require",
    "missing",
}


@dataclass(frozen=True, slots=True)
class Source:
    title: str
    citation: str = ""
    url: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class OptionDef:
    name: str
    default: Any
    description: str
    choices: tuple[Any, ...] = ()
    min: int | None = None
    max: int | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    title: str
    outcome: Outcome
    text: str
    citation: str
    when: tuple[Check, ...]
    # "review": a missing fact sends the count to review; "skip": try the next rule;
    # "defer" (not_eligible rules): try the next rule, but only its not_eligible may decide.
    on_missing: str
    line: int | None = None


@dataclass(frozen=True, slots=True)
class PackInfo:
    """What the policy list shows without compiling the rules."""

    id: str
    title: str
    version: str
    jurisdiction: str
    summary: str
    sources: tuple[Source, ...]
    path: Path


@dataclass(frozen=True)
class Pack:
    id: str
    title: str
    version: str
    jurisdiction: str
    summary: str
    sha256: str
    path: Path | None
    as_of: dt.date | None
    default_code_book: str | None
    territory: Mapping[str, Any]
    sources: tuple[Source, ...]
    option_defs: Mapping[str, OptionDef]
    options: Mapping[str, Any]  # effective: defaults with the county's overrides applied
    overrides: Mapping[str, Any]
    rules: tuple[Rule, ...]
    filing: Mapping[str, Any] = field(default_factory=dict)
    source_text: str = field(default="", repr=False)
    # True when the policy is an order of a fixed date (LA 2020-02-11): its reference date
    # is `as_of` whatever date a run asks for.
    as_of_fixed: bool = False
    # The engine's per-offense plans (see app.rules.engine); derived, never compared.
    cache: dict[int, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def info(self) -> PackInfo:
        return PackInfo(
            self.id,
            self.title,
            self.version,
            self.jurisdiction,
            self.summary,
            self.sources,
            self.path or Path(),
        )


def policies_dir() -> Path:
    return resource_path("policies")


def list_packs(folder: Path | None = None) -> list[PackInfo]:
    """Every pack shipped (or in ``folder``), sorted by id; a broken pack raises PolicyError."""
    folder = folder or policies_dir()
    infos = []
    for path in sorted(folder.glob("*.toml")):
        pack = load_pack_file(path)
        infos.append(pack.info)
    return infos


def load_pack(policy_id: str, options: Mapping[str, Any] | None = None) -> Pack:
    """The shipped pack ``policy_id`` with the county's option overrides applied."""
    if not _ID.match(policy_id or ""):
        raise PolicyError(f"{policy_id!r} is not a policy id (see `policies` for the list).")
    path = policies_dir() / f"{policy_id}.toml"
    if not path.is_file():
        known = ", ".join(p.stem for p in sorted(policies_dir().glob("*.toml")))
        raise PolicyError(f"There is no policy pack {policy_id!r}. Known packs: {known}.")
    return load_pack_file(path, options)


def load_pack_file(path: str | Path, options: Mapping[str, Any] | None = None) -> Pack:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PolicyError(
            f"The policy pack cannot be read: {exc.strerror or exc}", file=str(path)
        ) from None
    return load_pack_bytes(data, name=path.name, path=path, options=options)


def load_pack_bytes(
    data: bytes, *, name: str, path: Path | None = None, options: Mapping[str, Any] | None = None
) -> Pack:
    """Parse, validate and compile a pack from its TOML bytes (the SHA-256 is of these bytes)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise PolicyError(f"policy pack {name}: not UTF-8 text") from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"policy pack {name}: TOML syntax error: {exc}") from None
    return _Compiler(
        doc, text, name, path, hashlib.sha256(data).hexdigest(), dict(options or {})
    ).compile()


class _Compiler:
    def __init__(
        self,
        doc: dict[str, Any],
        text: str,
        name: str,
        path: Path | None,
        sha: str,
        overrides: dict[str, Any],
    ) -> None:
        self.doc = doc
        self.lines = text.splitlines()
        self.text = text
        self.name = name
        self.path = path
        self.sha = sha
        self.overrides = overrides

    # -- errors with lines ---------------------------------------------------------

    def fail(
        self, message: str, key: str, *, table: str | None = None, nth: int = 0, array: bool = False
    ) -> PolicyError:
        line = self.locate(key, table=table, nth=nth, array=array)
        where = f", line {line}" if line else ""
        # The message names pack, key and line itself (a TOML line is not a spreadsheet row).
        return PolicyError(f"policy pack {self.name}: key {key!r}{where}: {message}")

    def locate(
        self, key: str, *, table: str | None = None, nth: int = 0, array: bool = False
    ) -> int | None:
        """1-based line of ``key`` in ``[table]`` (or the nth ``[[table]]``), else the table's line."""
        start, end = 0, len(self.lines)
        if table is not None:
            header = re.compile(
                r"^\s*\[\[\s*" + re.escape(table) + r"\s*\]\]"
                if array
                else r"^\s*\[\s*" + re.escape(table) + r"\s*\]"
            )
            hits = [i for i, ln in enumerate(self.lines) if header.match(ln)]
            if len(hits) <= nth:
                return None
            start = hits[nth]
            end = next(
                (
                    i
                    for i in range(start + 1, len(self.lines))
                    if self.lines[i].lstrip().startswith("[")
                ),
                len(self.lines),
            )
        else:
            end = next(
                (i for i, ln in enumerate(self.lines) if ln.lstrip().startswith("[")),
                len(self.lines),
            )
        key_rx = re.compile(r"^\s*" + re.escape(key) + r"\s*=")
        for i in range(start, end):
            if key_rx.match(self.lines[i]):
                return i + 1
        return start + 1 if table is not None else None

    # -- compile -------------------------------------------------------------------

    def compile(self) -> Pack:
        doc = self.doc
        for key in doc:
            if key not in _TOP_KEYS:
                raise self.fail(f"unknown key (known: {', '.join(sorted(_TOP_KEYS))})", key)
        for key in ("id", "title", "version", "jurisdiction"):
            if not isinstance(doc.get(key), str) or not doc[key].strip():
                raise self.fail("is required and must be text", key)
        pack_id = doc["id"]
        if not _ID.match(pack_id):
            raise self.fail("must be lower-case letters, digits and dashes", "id")
        if (
            self.path is not None
            and self.path.parent == Path(resource_path("policies"))
            and self.path.stem != pack_id
        ):
            raise self.fail(f"must match the file name ({self.path.stem})", "id")
        as_of = doc.get("as_of")
        if as_of is not None and (isinstance(as_of, dt.datetime) or not isinstance(as_of, dt.date)):
            raise self.fail("must be a date like 2020-02-11", "as_of")
        as_of_fixed = doc.get("as_of_fixed", False)
        if not isinstance(as_of_fixed, bool):
            raise self.fail("must be true or false", "as_of_fixed")
        if as_of_fixed and as_of is None:
            raise self.fail("needs as_of (the fixed reference date)", "as_of_fixed")
        book = doc.get("default_code_book")
        if book is not None and not isinstance(book, str):
            raise self.fail('must be text such as "HS"', "default_code_book")
        option_defs = self._options()
        effective = self._apply_overrides(option_defs)
        sources = self._sources()
        territory = self._territory()
        lists = self._lists()
        env = BuildEnv(lists=lists, default_book=book, territory=territory)
        rules = self._rules(env, effective)
        filing = doc.get("filing", {})
        if not isinstance(filing, dict):
            raise self.fail("must be a table", "filing")
        return Pack(
            id=pack_id,
            title=doc["title"],
            version=doc["version"],
            jurisdiction=doc["jurisdiction"],
            summary=str(doc.get("summary", "")),
            sha256=self.sha,
            path=self.path,
            as_of=as_of,
            default_code_book=book,
            territory=territory,
            sources=sources,
            option_defs=option_defs,
            options=effective,
            overrides=dict(self.overrides),
            rules=rules,
            filing=filing,
            source_text=self.text,
            as_of_fixed=as_of_fixed,
        )

    def _options(self) -> dict[str, OptionDef]:
        raw = self.doc.get("options", {})
        if not isinstance(raw, dict):
            raise self.fail("must be a table of [options.NAME] tables", "options")
        defs: dict[str, OptionDef] = {}
        for name, spec in raw.items():
            table = f"options.{name}"
            if not isinstance(spec, dict) or "default" not in spec:
                raise self.fail("needs a default", "default", table=table)
            if not isinstance(spec.get("description"), str) or not spec["description"].strip():
                raise self.fail(
                    "every option needs a description a county can read", "description", table=table
                )
            extra = set(spec) - {"default", "description", "choices", "min", "max"}
            if extra:
                raise self.fail("unknown option key", sorted(extra)[0], table=table)
            choices = tuple(spec.get("choices", ()))
            if choices and spec["default"] not in choices:
                raise self.fail("default is not one of the choices", "default", table=table)
            defs[name] = OptionDef(
                name,
                spec["default"],
                spec["description"],
                choices,
                spec.get("min"),
                spec.get("max"),
            )
        return defs

    def _apply_overrides(self, defs: Mapping[str, OptionDef]) -> dict[str, Any]:
        effective = {name: d.default for name, d in defs.items()}
        for name, value in self.overrides.items():
            d = defs.get(name)
            if d is None:
                known = ", ".join(sorted(defs)) or "none"
                raise PolicyError(
                    f"policy pack {self.name}: option {name!r} does not exist (options: {known})",
                    column=name,
                )
            value = _coerce_option(d, value)
            if value is None:
                raise PolicyError(
                    f"policy pack {self.name}: option {name!r} must be {_kind(d.default)}"
                    + (f" (one of {list(d.choices)})" if d.choices else ""),
                    column=name,
                )
            if d.choices and value not in d.choices:
                raise PolicyError(
                    f"policy pack {self.name}: option {name!r} must be one of {list(d.choices)}",
                    column=name,
                )
            is_int = isinstance(value, int) and not isinstance(value, bool)
            if is_int and (
                (d.min is not None and value < d.min) or (d.max is not None and value > d.max)
            ):
                raise PolicyError(
                    f"policy pack {self.name}: option {name!r} must be between {d.min} and {d.max}",
                    column=name,
                )
            effective[name] = value
        return effective

    def _sources(self) -> tuple[Source, ...]:
        raw = self.doc.get("sources")
        if not isinstance(raw, list) or not raw:
            raise self.fail("at least one [[sources]] entry is required", "sources")
        out = []
        for i, s in enumerate(raw):
            if (
                not isinstance(s, dict)
                or not isinstance(s.get("title"), str)
                or not s["title"].strip()
            ):
                raise self.fail(
                    "each source needs a title", "title", table="sources", nth=i, array=True
                )
            extra = set(s) - {"title", "citation", "url", "note"}
            if extra:
                raise self.fail(
                    "unknown source key", sorted(extra)[0], table="sources", nth=i, array=True
                )
            out.append(
                Source(
                    s["title"],
                    str(s.get("citation", "")),
                    str(s.get("url", "")),
                    str(s.get("note", "")),
                )
            )
        return tuple(out)

    def _territory(self) -> dict[str, Any]:
        terr = self.doc.get("territory")
        if not isinstance(terr, dict):
            raise self.fail("a [territory] table is required", "territory")
        extra = set(terr) - _TERRITORY_KEYS
        if extra:
            raise self.fail("unknown territory key", sorted(extra)[0], table="territory")
        if not isinstance(terr.get("name"), str):
            raise self.fail(
                "the territory needs a name (e.g. 'Los Angeles County')", "name", table="territory"
            )
        if terr.get("require", "county_or_court") not in ("county", "court", "county_or_court"):
            raise self.fail(
                "must be county, court or county_or_court", "require", table="territory"
            )
        if terr.get("missing", "review") not in ("review", "pass"):
            raise self.fail("must be review or pass", "missing", table="territory")
        state = terr.get("state")
        if state is None:
            # "California — Los Angeles County": the jurisdiction names the state first.
            lead = str(self.doc.get("jurisdiction", "")).split("—")[0].strip().upper()
            state = STATE_NAMES.get(lead)
            if state is not None:
                terr = {**terr, "state": state}
        elif not isinstance(state, str) or state.upper() not in GAZETTEERS:
            raise self.fail(
                f"must be one of {', '.join(sorted(GAZETTEERS))} (the state whose counties "
                "the pack can tell apart)",
                "state",
                table="territory",
            )
        for key in ("court_patterns", "exclude_patterns"):
            for p in terr.get(key, []):
                try:
                    re.compile(p)
                except re.error as exc:
                    raise self.fail(f"bad pattern {p!r}: {exc}", key, table="territory") from None
        return terr

    def _lists(self) -> dict[str, SectionSet]:
        lists = {
            name: SectionSet.build(
                (SectionSpec.parse(s) for s in nl.specs),
                names=(name,),
                title=nl.title,
                citation=nl.citation,
            )
            for name, nl in BUILTIN_LISTS.items()
        }
        raw = self.doc.get("lists", {})
        if not isinstance(raw, dict):
            raise self.fail("must be a table of [lists.NAME] tables", "lists")
        for name, spec in raw.items():
            table = f"lists.{name}"
            if not isinstance(spec, dict) or not isinstance(spec.get("sections"), list):
                raise self.fail("a list needs sections = [...]", "sections", table=table)
            for key in ("title", "citation"):
                if not isinstance(spec.get(key), str) or not spec[key].strip():
                    raise self.fail("is required", key, table=table)
            try:
                specs = [SectionSpec.parse(s) for s in spec["sections"]]
            except (SpecError, TypeError) as exc:
                raise self.fail(str(exc), "sections", table=table) from None
            lists[name] = SectionSet.build(
                specs, names=(name,), title=spec["title"], citation=spec["citation"]
            )
        return lists

    def _rules(self, env: BuildEnv, options: Mapping[str, Any]) -> tuple[Rule, ...]:
        raw = self.doc.get("rules")
        if not isinstance(raw, list) or not raw:
            raise self.fail("at least one [[rules]] entry is required", "rules")
        rules: list[Rule] = []
        codes: set[str] = set()
        for i, r in enumerate(raw):

            def fail(msg: str, key: str, i: int = i) -> PolicyError:
                return self.fail(msg, key, table="rules", nth=i, array=True)

            if not isinstance(r, dict):
                raise fail("must be a table", "rules")
            extra = set(r) - _RULE_KEYS
            if extra:
                raise fail(
                    f"unknown rule key (known: {', '.join(sorted(_RULE_KEYS))})", sorted(extra)[0]
                )
            for key in ("code", "text", "citation", "outcome"):
                if not isinstance(r.get(key), str) or not r[key].strip():
                    raise fail(
                        "is required"
                        + (": every reason names its citation" if key == "citation" else ""),
                        key,
                    )
            code = r["code"]
            if not re.match(r"^[a-z0-9_.\-]+$", code):
                raise fail("must be lower-case letters, digits, '.', '_' or '-'", "code")
            if code in codes:
                raise fail(f"duplicate rule code {code!r}", "code")
            codes.add(code)
            citation = r["citation"]
            if citation not in r["text"]:
                raise fail(f"the reason text must name its citation {citation!r}", "text")
            _check_format(r["text"], fail)
            try:
                outcome = Outcome(self._resolve(r["outcome"], options, fail, "outcome"))
            except ValueError:
                raise fail(
                    f"must be one of {[o.value for o in Outcome]} (or an option that holds one)",
                    "outcome",
                ) from None
            on_missing = r.get("on_missing", "review")
            if on_missing not in ("review", "skip", "defer"):
                raise fail("must be review, skip or defer", "on_missing")
            if on_missing == "defer" and outcome is not Outcome.NOT_ELIGIBLE:
                # Deferring lets a later not_eligible decide: only sound for a disqualifier.
                raise fail("defer is only for rules whose outcome is not_eligible", "on_missing")
            when = r.get("when", [])
            if not isinstance(when, list):
                raise fail("must be a list of conditions", "when")
            when = self._resolve(copy.deepcopy(when), options, fail, "when")
            checks = []
            for cond in when:
                try:
                    checks.append(compile_predicate(cond, env))
                except SpecError as exc:
                    raise fail(str(exc), "when") from None
            rules.append(
                Rule(
                    code=code,
                    title=str(r.get("title") or code),
                    outcome=outcome,
                    text=r["text"],
                    citation=citation,
                    when=tuple(checks),
                    on_missing=on_missing,
                    line=self.locate("code", table="rules", nth=i, array=True),
                )
            )
        if rules[-1].when:
            raise self.fail(
                "the last rule must have no conditions (the answer when nothing else applies)",
                "when",
                table="rules",
                nth=len(rules) - 1,
                array=True,
            )
        return tuple(rules)

    def _resolve(self, value: Any, options: Mapping[str, Any], fail: Any, key: str) -> Any:
        """Replace "$option" strings by the option's effective value."""
        if isinstance(value, str) and value.startswith("$"):
            name = value[1:]
            if name not in options:
                raise fail(f"refers to unknown option {name!r}", key)
            return options[name]
        if isinstance(value, list):
            return [self._resolve(v, options, fail, key) for v in value]
        if isinstance(value, dict):
            return {k: self._resolve(v, options, fail, key) for k, v in value.items()}
        return value


def _check_format(text: str, fail: Any) -> None:
    try:
        list(string.Formatter().parse(text))
    except ValueError as exc:
        raise fail(f"bad {{placeholder}} in the reason text: {exc}", "text") from None


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, dt.date):
        return "a date (YYYY-MM-DD)"
    return "text"


def _coerce_option(d: OptionDef, value: Any) -> Any:
    """Accept an override of the default's type (also from JSON/CLI text); None if impossible."""
    default = d.default
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false", "yes", "no"):
            return value.lower() in ("true", "yes")
        return None
    if isinstance(default, int):
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
            return int(value)
        return None
    if isinstance(default, dt.date):
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                return None
        return None
    return value if isinstance(value, str) else None
