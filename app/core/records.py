"""Tuple-backed, read-only twins of the model's frozen dataclasses, for bulk evaluation.

Building a frozen dataclass costs one ``object.__setattr__`` per field (about 3 µs for a
21-field :class:`~app.core.model.CountFacts` on the reference machine), and a
million-count evaluation reads a million counts. A twin is a tuple subclass with the same
attribute names, in field order, and the dataclass's properties (``is_conviction``,
``event_date`` ...): it is built ten times faster and the engine and its predicates read
it exactly as they read the dataclass. Twins are generated from the dataclass's own
fields, so a field added to the model appears in its twin without anyone editing this.
"""

from __future__ import annotations

import dataclasses
import operator
from typing import Any

_TWINS: dict[type, type[tuple[Any, ...]]] = {}


def tuple_twin(cls: type) -> type[tuple[Any, ...]]:
    """The tuple twin of the frozen dataclass ``cls``: ``Twin((v1, v2, ...))`` in field order."""
    twin = _TWINS.get(cls)
    if twin is not None:
        return twin
    names = tuple(f.name for f in dataclasses.fields(cls))
    namespace: dict[str, Any] = {
        "__slots__": (),
        "__doc__": f"{cls.__name__}'s fields in a tuple (see app.core.records).",
        "__module__": __name__,
        "_fields": names,
        "model": cls,
    }
    for i, name in enumerate(names):
        namespace[name] = property(operator.itemgetter(i), doc=f"{cls.__name__}.{name}")
    # Derived values (properties of the dataclass) read the fields by name, so the same
    # property objects work on the twin unchanged.
    for klass in reversed(cls.__mro__):
        for name, value in vars(klass).items():
            if isinstance(value, property) and name not in names:
                namespace[name] = value

    def __repr__(self: tuple[Any, ...]) -> str:
        shown = ", ".join(f"{n}={v!r}" for n, v in zip(names, self, strict=True))
        return f"{cls.__name__}Row({shown})"

    namespace["__repr__"] = __repr__
    twin = type(f"{cls.__name__}Row", (tuple,), namespace)
    _TWINS[cls] = twin
    return twin


def to_model(row: tuple[Any, ...]) -> Any:
    """The dataclass a twin stands for (for tests and the rare caller that needs the type)."""
    return type(row).model(*row)  # type: ignore[attr-defined]
