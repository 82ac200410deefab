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


def blank_run(ws, policy_id: str = "ca-prop64-state"):  # type: ignore[no-untyped-def]
    """An evaluation run row with placeholder pack facts, for tests that write results."""
    import datetime as dt

    from app.store import evaluation as store

    return store.create_run(
        ws,
        policy_id=policy_id,
        pack_version="1",
        pack_sha256="0" * 64,
        options={},
        as_of=dt.date(2024, 1, 1),
        engine_version="1",
        user="admin",
    )
