"""Tuple twins of the model's dataclasses: same attributes and properties, read-only."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from app.core.model import CountFacts, Disposition, Offense
from app.core.records import to_model, tuple_twin


def _count(**kw: object) -> CountFacts:
    base: dict[str, object] = {
        "count_id": 7,
        "person_id": 3,
        "case_id": 2,
        "case_number": "K-2",
        "count_number": "1",
        "offense": Offense("11359 HS", "HS", "11359"),
        "disposition": Disposition.CONVICTED,
        "filing_date": dt.date(2001, 2, 3),
    }
    base.update(kw)
    return CountFacts(**base)  # type: ignore[arg-type]


def test_twin_reads_every_field_and_property_like_the_dataclass() -> None:
    real = _count()
    Twin = tuple_twin(CountFacts)
    twin = Twin(tuple(getattr(real, f.name) for f in dataclasses.fields(real)))
    for f in dataclasses.fields(CountFacts):
        assert getattr(twin, f.name) == getattr(real, f.name)
    assert twin.is_conviction and twin.event_date == dt.date(2001, 2, 3)
    assert to_model(twin) == real
    assert repr(twin).startswith("CountFactsRow(count_id=7, person_id=3")
    with pytest.raises(AttributeError):
        twin.count_id = 8  # type: ignore[misc]


def test_layout_places_fields_anywhere_in_a_longer_tuple() -> None:
    names = [f.name for f in dataclasses.fields(CountFacts)]
    layout = {name: 2 * i + 1 for i, name in enumerate(names)}  # odd items; even ones ignored
    Twin = tuple_twin(CountFacts, layout)
    real = _count(comment="note")
    values: list[object] = []
    for name in names:
        values += ["ignored", getattr(real, name)]
    twin = Twin(values)
    assert twin.comment == "note" and twin.offense.section == "11359"
    assert to_model(twin) == real
    assert tuple_twin(CountFacts, layout) is Twin  # one class per layout
    with pytest.raises(ValueError, match="places no comment"):
        tuple_twin(CountFacts, {n: i for i, n in enumerate(names) if n != "comment"})


def test_a_field_added_to_a_dataclass_appears_in_its_twin() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Grown:
        a: int
        b: str = "x"

        @property
        def both(self) -> str:
            return f"{self.a}{self.b}"

    twin = tuple_twin(Grown)((1, "y"))
    assert (twin.a, twin.b, twin.both) == (1, "y", "1y") and to_model(twin) == Grown(1, "y")


def test_a_converted_place_is_converted_when_read() -> None:
    seen: list[object] = []

    def parse(text: object) -> dt.date | None:
        seen.append(text)
        return dt.date.fromisoformat(text) if isinstance(text, str) else None

    names = [f.name for f in dataclasses.fields(CountFacts)]
    layout: dict[str, object] = {name: i for i, name in enumerate(names)}
    layout["filing_date"] = (len(names), parse)
    real = _count()
    Twin = tuple_twin(CountFacts, layout)  # type: ignore[arg-type]
    twin = Twin((*(getattr(real, n) for n in names), "2001-02-03"))
    assert seen == []  # nothing converted until the field is read
    assert twin.filing_date == dt.date(2001, 2, 3) and twin.event_date == dt.date(2001, 2, 3)
    assert to_model(twin) == real and seen == ["2001-02-03"] * 3
