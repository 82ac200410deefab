"""Filing templates per policy (``resources/templates/<policy>.toml``) and how they are filled.

A template gives, per relief type, the motion (or petition, notice) and the proposed order:
a title, a caption and paragraphs with ``{placeholders}`` filled from the workspace's county
settings and the signed set. A relief may also declare a ``notice``: a letter to each person
whose counts are filed (see ``app/exports/notices.py``). ``default.toml`` supplies anything a pack's file leaves out.
Only ``{name}`` placeholders are replaced (no format mini-language), so text in the
settings can never reach into Python objects.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from typing import Any

from app.core.errors import ExportError
from app.resources import resource_path

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True, slots=True)
class FilingText:
    """One filled document: its title, caption and body paragraphs."""

    kind: str  # "motion" or "order"
    title: str
    caption: str
    paragraphs: list[str]
    signature_label: str
    short: str = ""  # the document's name in the footer ("Petition for coram nobis")
    # The first word of its file name where the document is not a motion ("petition" gives
    # petition-vacate.pdf); "" for the usual "motion" and "proposed-order".
    file: str = ""


@dataclass(frozen=True, slots=True)
class ReliefTemplate:
    relief: str
    motion: dict[str, Any]
    order: dict[str, Any]
    # The relief as the case list states it for each count ("Dismiss and seal", "Expunge"),
    # and per level where the law gives each level a different relief (CA redesignation).
    label: str = ""
    labels: dict[str, str] | None = None
    # The letter to each person whose counts this relief's filings list (None: the pack's
    # law or practice sends none). Its wording and the days to answer are the pack's.
    notice: dict[str, Any] | None = None

    @property
    def notice_days(self) -> int | None:
        """The days a person has to answer the notice (None without a notice)."""
        if self.notice is None:
            return None
        days = self.notice.get("days")
        if not isinstance(days, int) or isinstance(days, bool) or days < 1:
            raise ExportError(
                f"The notice of the '{self.relief}' filings must give the days a person has to "
                "answer as a whole number (days = 33)."
            )
        return days

    def label_for(self, level: str | None) -> str:
        by_level = self.labels or {}
        return by_level.get((level or "").lower()) or self.label or self.relief.capitalize()


@dataclass(frozen=True, slots=True)
class PolicyTemplates:
    policy_id: str
    policy_title: str
    caption: str
    reliefs: dict[str, ReliefTemplate]

    def for_relief(self, relief: str) -> ReliefTemplate:
        try:
            return self.reliefs[relief]
        except KeyError:
            raise ExportError(
                f"Policy {self.policy_id} has no filing that asks a court to {relief}: the law "
                "it follows does not give that relief."
            ) from None


def _read(name: str) -> dict[str, Any]:
    path = resource_path("templates", name)
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ExportError(f"The filing template is malformed: {exc}", file=str(path)) from exc


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        out[key] = (
            _merge(out[key], value)
            if isinstance(value, dict) and isinstance(out.get(key), dict)
            else value
        )
    return out


def load_templates(policy_id: str) -> PolicyTemplates:
    """The filings of ``policy_id``: its own file's, with ``default.toml`` filling the gaps.

    The reliefs are those the pack's file names: a pack whose law gives no "vacate" has no
    vacate filing, even though the defaults have one (a motion must ask for what the law
    gives). Only a policy without a file of its own uses the defaults' reliefs.
    """
    own = _read(f"{policy_id}.toml")
    data = _merge(_read("default.toml"), own)
    if not data.get("filings"):
        raise ExportError(
            "There are no filing templates (resources/templates/default.toml is missing)."
        )
    names = list((own.get("filings") or data["filings"]).keys())
    reliefs = {}
    for relief in names:
        spec = data["filings"][relief]
        reliefs[relief] = ReliefTemplate(
            relief,
            spec.get("motion", {}),
            spec.get("order", {}),
            label=str(spec.get("label", "")),
            labels={str(k).lower(): str(v) for k, v in (spec.get("labels") or {}).items()},
            notice=spec.get("notice") or None,
        )
    return PolicyTemplates(
        policy_id, data.get("policy_title", policy_id), data.get("caption", ""), reliefs
    )


def fill(text: str, values: dict[str, str]) -> str:
    """Replace ``{name}`` with ``values[name]``; an unknown name is left visible for the attorney."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def filing_text(
    templates: PolicyTemplates, relief: str, kind: str, values: dict[str, str]
) -> FilingText:
    spec = getattr(templates.for_relief(relief), kind)
    values = {**values, "policy_title": values.get("policy_title") or templates.policy_title}
    return FilingText(
        kind=kind,
        title=fill(spec.get("title", ""), values),
        caption=fill(spec.get("caption", templates.caption), values),
        paragraphs=[fill(p, values) for p in spec.get("paragraphs", [])],
        signature_label=fill(spec.get("signature", ""), values),
        short=fill(spec.get("short", ""), values),
        file=_file_word(relief, kind, spec.get("file", "")),
    )


_FILE_WORD = re.compile(r"[a-z]+(-[a-z]+)*")


def _file_word(relief: str, kind: str, word: Any) -> str:
    """A template's file word, checked: it becomes part of a file name in every packet."""
    if word == "":
        return ""
    if not isinstance(word, str) or not _FILE_WORD.fullmatch(word) or len(word) > 30:
        raise ExportError(
            f"The {kind} of the '{relief}' filings names its file {word!r}: use lowercase "
            'letters and hyphens only, e.g. file = "petition".'
        )
    return word


def setting_or_blank(value: str, label: str) -> str:
    """A county setting, or a bracketed blank the attorney must fill before filing."""
    return value.strip() or f"[{label} — set it in the workspace settings]"
