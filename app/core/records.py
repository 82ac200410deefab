"""Tuple-backed, read-only twins of the model's frozen dataclasses, for bulk evaluation.

Building a frozen dataclass costs one ``object.__setattr__`` per field (about 3 µs for a
21-field :class:`~app.core.model.CountFacts` on the reference machine), and a
million-count evaluation reads a million counts. A twin is a tuple subclass with the same
attribute names, in field order, and the dataclass's properties (``is_conviction``,
``event_date`` ...): it is built ten times faster and the engine and its predicates read
it exactly as they read the dataclass. Twins are generated from the dataclass's own
fields, so a field added to the model appears in its twin without anyone editing this.

A layout maps each field to a position of the tuple, so that a stored row with a few
converted values appended (``row + (offense, level, ...)``, one C-level concatenation)
is itself the twin, instead of being rearranged value by value in Python. A field may
also be ``(position, convert)``: read as ``convert(item)`` when it is read, so values the
engine never looks at (most counts' dates) are never converted.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable, Mapping
from typing import Any

Place = int | tuple[int, Callable[[Any], Any]]  # an item, or an item and its conversion
_TWINS: dict[tuple[type, tuple[Place, ...] | None], type[tuple[Any, ...]]] = {}


def _converted(i: int, convert: Callable[[Any], Any], doc: str) -> property:
    return property(lambda row: convert(row[i]), doc=doc)


def tuple_twin(cls: type, layout: Mapping[str, Place] | None = None) -> type[tuple[Any, ...]]:
    """The tuple twin of the frozen dataclass ``cls``.

    Without ``layout`` the twin is ``Twin((v1, v2, ...))`` in field order; with it, field
    ``name`` is item ``layout[name]``, or ``convert(item)`` for ``(item, convert)`` (every
    field must be placed; other items are ignored). ``convert`` must be pure.
    """
    names = tuple(f.name for f in dataclasses.fields(cls))
    if layout is None:
        positions: tuple[Place, ...] = tuple(range(len(names)))
    else:
        missing = [n for n in names if n not in layout]
        if missing:
            raise ValueError(f"{cls.__name__} twin layout places no {', '.join(missing)}")
        positions = tuple(layout[n] for n in names)
    key = (cls, None if layout is None else positions)
    twin = _TWINS.get(key)
    if twin is not None:
        return twin
    namespace: dict[str, Any] = {
        "__slots__": (),
        "__doc__": f"{cls.__name__}'s fields in a tuple (see app.core.records).",
        "__module__": __name__,
        "_fields": names,
        "_positions": positions,
        "model": cls,
    }
    for name, place in zip(names, positions, strict=True):
        doc = f"{cls.__name__}.{name}"
        if isinstance(place, int):
            namespace[name] = property(operator.itemgetter(place), doc=doc)
        else:
            namespace[name] = _converted(place[0], place[1], doc)
    # Derived values (properties of the dataclass) read the fields by name, so the same
    # property objects work on the twin unchanged.
    for klass in reversed(cls.__mro__):
        for name, value in vars(klass).items():
            if isinstance(value, property) and name not in names:
                namespace[name] = value

    def __repr__(self: tuple[Any, ...]) -> str:
        shown = ", ".join(f"{n}={getattr(self, n)!r}" for n in names)
        return f"{cls.__name__}Row({shown})"

    namespace["__repr__"] = __repr__
    twin = type(f"{cls.__name__}Row", (tuple,), namespace)
    _TWINS[key] = twin
    return twin


def to_model(row: tuple[Any, ...]) -> Any:
    """The dataclass a twin stands for (for tests and the rare caller that needs the type)."""
    twin = type(row)
    return twin.model(*(getattr(row, n) for n in twin._fields))  # type: ignore[attr-defined]
