"""Count rows for seeding evaluation tests through app.store.synthetic.insert_rows."""

from __future__ import annotations


def count_row(
    cid,
    case,
    pid,
    raw,
    book,
    section,
    subs="",
    level="felony",
    disp="convicted",
    ddate="2010-03-01",
    odate="2010-01-01",
) -> tuple:  # type: ignore[type-arg]
    """One count in insert_rows' column order (one per case unless ``case`` says so)."""
    return (
        cid,
        case,
        pid,
        "1",
        raw,
        book,
        section,
        subs,
        0,
        0,
        1 if section else 0,
        None,
        level,
        disp,
        ddate,
        odate,
        None,
        f"k{cid}",
    )
