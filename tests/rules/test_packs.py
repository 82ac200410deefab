"""Pack loading and validation: the eight shipped packs, and clear errors for broken ones."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from app.core.errors import PolicyError
from app.rules.packs import list_packs, load_pack, load_pack_bytes, policies_dir

IDS = [
    "ca-prop64-state",
    "ca-prop64-la-2020",
    "ny-manhattan-2018",
    "ny-brooklyn-2018",
    "ny-mrta-2021",
    "md-baltimore-2019",
    "md-2022-auto-expunge",
    "wa-seattle-2018",
]

MINIMAL = """\
id = "test-pack"
title = "Test"
version = "1"
jurisdiction = "Nowhere"

[territory]
name = "Nowhere"

[[sources]]
title = "A source"

[options.age]
default = 21
min = 18
max = 25
description = "An age."

[[rules]]
code = "t.one"
when = [{ pred = "section", sections = ["HS 11357"] }, { pred = "age", at = "offense", at_least = "$age" }]
outcome = "eligible_dismiss"
citation = "HS 1"
text = "Dismiss (HS 1)."

[[rules]]
code = "t.rest"
outcome = "needs_review"
citation = "HS 2"
text = "Review (HS 2)."
"""


def test_exactly_the_eight_packs_ship() -> None:
    assert sorted(p.id for p in list_packs()) == sorted(IDS)


@pytest.mark.parametrize("policy_id", IDS)
def test_shipped_pack_is_complete(policy_id: str) -> None:
    pack = load_pack(policy_id)
    assert pack.title and pack.version and pack.jurisdiction and pack.sources
    assert pack.territory.get("name")
    assert (
        pack.sha256
        == hashlib.sha256((policies_dir() / f"{policy_id}.toml").read_bytes()).hexdigest()
    )
    for rule in pack.rules:
        assert rule.citation in rule.text, rule.code
    assert not pack.rules[-1].when


def test_la_has_its_reference_date() -> None:
    assert load_pack("ca-prop64-la-2020").as_of.isoformat() == "2020-02-11"


def test_minimal_pack_loads_and_resolves_options() -> None:
    pack = load_pack_bytes(MINIMAL.encode(), name="test.toml", options={"age": 18})
    assert pack.options == {"age": 18}
    assert [r.code for r in pack.rules] == ["t.one", "t.rest"]


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("old", "new", "key", "line_needle"),
    [
        ('pred = "age"', 'pred = "agee"', "when", 'pred = "agee"'),
        ('text = "Dismiss (HS 1)."', 'text = "Dismiss."', "text", 'text = "Dismiss."'),
        ('citation = "HS 1"\n', "", "citation", "[[rules]]"),
        (
            'outcome = "eligible_dismiss"',
            'outcome = "eligible_maybe"',
            "outcome",
            'outcome = "eligible_maybe"',
        ),
        ('"$age"', '"$nosuch"', "when", '"$nosuch"'),
        ('at = "offense"', 'at = "birthday"', "when", 'at = "birthday"'),
        ('sections = ["HS 11357"]', 'sections = ["11357"]', "when", 'sections = ["11357"]'),
        ('title = "A source"', 'titel = "A source"', "title", "[[sources]]"),
        ('title = "A source"', 'title = "A source"\nurl2 = "x"', "url2", 'url2 = "x"'),
        ('description = "An age."', 'description = ""', "description", 'description = ""'),
        (
            'citation = "HS 1"',
            'citation = "HS 1"\non_missing = "defer"',
            "on_missing",
            'on_missing = "defer"',
        ),
        (
            'jurisdiction = "Nowhere"',
            'jurisdiction = "Nowhere"\nas_of_fixed = true',
            "as_of_fixed",
            "as_of_fixed = true",
        ),
    ],
)
def test_bad_pack_names_pack_key_and_line(old: str, new: str, key: str, line_needle: str) -> None:
    text = MINIMAL.replace(old, new, 1)
    assert text != MINIMAL
    with pytest.raises(PolicyError) as info:
        load_pack_bytes(text.encode(), name="bad.toml")
    msg = str(info.value)
    assert "bad.toml" in msg and repr(key) in msg
    assert f"line {_line_of(text, line_needle)}" in msg


def test_bad_date_and_toml_syntax() -> None:
    with pytest.raises(PolicyError, match="as_of"):
        load_pack_bytes(
            MINIMAL.replace(
                'jurisdiction = "Nowhere"', 'jurisdiction = "Nowhere"\nas_of = "soon"'
            ).encode(),
            name="b.toml",
        )
    with pytest.raises(PolicyError, match="TOML syntax error.*line"):
        load_pack_bytes(b"id = = 3", name="b.toml")


def test_last_rule_must_be_unconditional() -> None:
    text = MINIMAL.replace('code = "t.rest"\n', 'code = "t.rest"\nwhen = [{ pred = "attempt" }]\n')
    with pytest.raises(PolicyError, match="last rule"):
        load_pack_bytes(text.encode(), name="b.toml")


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"nope": 1}, "does not exist"),
        ({"age": "old"}, "whole number"),
        ({"age": 40}, "between 18 and 25"),
    ],
)
def test_bad_option_overrides(options: dict, match: str) -> None:
    with pytest.raises(PolicyError, match=match):
        load_pack_bytes(MINIMAL.encode(), name="t.toml", options=options)


def test_option_choices_are_enforced() -> None:
    with pytest.raises(PolicyError, match="one of"):
        load_pack("ca-prop64-state", {"felony_remedy": "eligible_vacate"})
    assert load_pack("ca-prop64-state", {"adult_age": "18"}).options["adult_age"] == 18


def test_unknown_pack_id() -> None:
    with pytest.raises(PolicyError, match="no policy pack"):
        load_pack("ca-prop65")


def test_a_county_copy_loads_from_a_file(tmp_path: Path) -> None:
    from app.rules.packs import load_pack_file

    shipped = load_pack("ca-prop64-state")
    copy = tmp_path / "kern-copy.toml"
    copy.write_bytes(
        (policies_dir() / "ca-prop64-state.toml")
        .read_bytes()
        .replace(
            f'version = "{shipped.version}"'.encode(),
            f'version = "{shipped.version}-kern"'.encode(),
        )
    )
    pack = load_pack_file(copy)
    assert pack.version == f"{shipped.version}-kern" and pack.sha256 != shipped.sha256


DEFER = """\
id = "defer-pack"
title = "Defer"
version = "1"
jurisdiction = "Nowhere"

[territory]
name = "Nowhere"

[[sources]]
title = "A source"

[[rules]]
code = "t.old"
when = [{ pred = "section", sections = ["HS 11357", "HS 11358"] }, { pred = "age", at = "offense", at_least = 90 }]
outcome = "not_eligible"
citation = "HS 1"
text = "Too old (HS 1)."
on_missing = "defer"

[[rules]]
code = "t.cultivation"
when = [{ pred = "section", sections = ["HS 11358"] }]
outcome = "not_eligible"
citation = "HS 2"
text = "Not this one (HS 2)."

[[rules]]
code = "t.rest"
outcome = "eligible_dismiss"
citation = "HS 3"
text = "Dismiss (HS 3)."
"""


def test_a_deferred_disqualifier_lets_only_a_not_eligible_through() -> None:
    from app.core.model import Outcome
    from app.rules.engine import evaluate_person
    from tests.rules.factory import c, d, person

    pack = load_pack_bytes(DEFER.encode(), name="defer.toml")
    recs = evaluate_person(
        pack, person(c("11358 HS"), c("11357 HS", case=2), dob=None), d("2024-01-01")
    )
    assert [(r.outcome, r.reasons[0].code) for r in recs] == [
        (Outcome.NOT_ELIGIBLE, "t.cultivation"),
        (Outcome.NEEDS_REVIEW, "t.old.missing_dob"),
    ]
    assert "HS 1" in recs[1].reasons[0].text


def test_a_fixed_reference_date_wins_over_the_run_date() -> None:
    from app.rules.engine import effective_as_of
    from tests.rules.factory import d

    text = MINIMAL.replace(
        'jurisdiction = "Nowhere"',
        'jurisdiction = "Nowhere"\nas_of = 2020-02-11\nas_of_fixed = true',
    )
    pack = load_pack_bytes(text.encode(), name="fixed.toml")
    assert effective_as_of(pack, d("2030-01-01"), d("2031-01-01")) == d("2020-02-11")
    unfixed = load_pack_bytes(
        MINIMAL.replace(
            'jurisdiction = "Nowhere"', 'jurisdiction = "Nowhere"\nas_of = 2020-02-11'
        ).encode(),
        name="unfixed.toml",
    )
    assert effective_as_of(unfixed, d("2030-01-01"), d("2031-01-01")) == d("2030-01-01")


def test_territory_state_is_read_from_the_jurisdiction_or_checked() -> None:
    assert load_pack("ca-prop64-la-2020").territory["state"] == "CA"
    assert load_pack("ny-manhattan-2018").territory["state"] == "NY"
    assert "state" not in load_pack_bytes(MINIMAL.encode(), name="m.toml").territory
    bad = MINIMAL.replace('name = "Nowhere"\n', 'name = "Nowhere"\nstate = "ZZ"\n', 1)
    with pytest.raises(PolicyError, match="state"):
        load_pack_bytes(bad.encode(), name="bad.toml")
