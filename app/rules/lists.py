"""Named offense lists that packs refer to (super strikes, PC 290 offenses, NY violent felonies...).

Each entry is a section spec: ``"BOOK SECTION"`` with optional subsections ``(a)(1)``
(a count matches when its subsections start with them) or a trailing ``*`` for a whole
article or chapter (``"PL 130.*"``). The lists are research notes for the engine, each
with its citation; a pack may define further lists of its own.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class NamedList:
    name: str
    title: str
    citation: str
    specs: tuple[str, ...]


_HOMICIDE = ("PC 187", "PC 188", "PC 189", "PC 190", "PC 190.05", "PC 191", "PC 191.5")

BUILTIN_LISTS: dict[str, NamedList] = {
    # PC 667(e)(2)(C)(iv): offenses that are super strikes whatever the facts.
    "ca_super_strikes": NamedList(
        "ca_super_strikes",
        "super strike",
        "PC 667(e)(2)(C)(iv)",
        (
            *_HOMICIDE,  # any homicide 187-191.5, attempts included (the attempt flag is ignored)
            "PC 288(a)",  # lewd act on a child under 14
            "PC 288(b)",
            "PC 653f(b)",  # solicitation of murder
            "PC 245(d)(3)",  # machine-gun assault on a peace officer or firefighter
            "PC 11418(a)(1)",  # weapon of mass destruction
        ),
    ),
    # Offenses that are super strikes only on facts the data rarely hold (victim under 14 and
    # more than 10 years younger, force, life sentence): a person must check.
    "ca_possible_super_strikes": NamedList(
        "ca_possible_super_strikes",
        "possible super strike",
        "PC 667(e)(2)(C)(iv); W&I 6600(b)",
        (
            "PC 261",
            "PC 262",
            "PC 264.1",
            "PC 269",
            "PC 286",
            "PC 287",
            "PC 288a",
            "PC 288",
            "PC 288.5",
            "PC 289",
            "PC 653f",
            "PC 209",
            "WI 6600",
        ),
    ),
    # PC 290(c): convictions that require sex-offender registration.
    "ca_pc290_registrable": NamedList(
        "ca_pc290_registrable",
        "offense requiring PC 290 registration",
        "PC 290(c)",
        (
            "PC 220",
            "PC 236.1(b)",
            "PC 236.1(c)",
            "PC 243.4",
            "PC 261",
            "PC 262(a)(1)",
            "PC 264.1",
            "PC 266",
            "PC 266c",
            "PC 266h(b)",
            "PC 266i(b)",
            "PC 266j",
            "PC 267",
            "PC 269",
            "PC 285",
            "PC 286",
            "PC 287",
            "PC 288a",
            "PC 288",
            "PC 288.3",
            "PC 288.4",
            "PC 288.5",
            "PC 288.7",
            "PC 289",
            "PC 290",
            "PC 311.1",
            "PC 311.2(b)",
            "PC 311.2(c)",
            "PC 311.2(d)",
            "PC 311.3",
            "PC 311.4",
            "PC 311.10",
            "PC 311.11",
            "PC 314(1)",
            "PC 314.1",  # the CA DOJ spelling of 314(1) (indecent exposure)
            "PC 314(2)",
            "PC 647.6",
            "PC 647a",
            "PC 653f(c)",
        ),
    ),
    # Offenses PC 290(c) may name that DOMAIN.md does not settle (PC 288.2 as a felony, PC 272
    # lewd or lascivious conduct): needs legal confirmation, so a prior goes to review, never
    # silently past the disqualifier.
    "ca_pc290_uncertain": NamedList(
        "ca_pc290_uncertain",
        "offense that may require PC 290 registration (needs legal confirmation)",
        "PC 290(c)",
        ("PC 288.2", "PC 272"),
    ),
    # PL 70.02: violent felony offenses (classes B, C, D, E), with attempted murder.
    "ny_violent_felonies": NamedList(
        "ny_violent_felonies",
        "violent felony offense",
        "PL 70.02",
        (
            "PL 120.02",
            "PL 120.05",
            "PL 120.06",
            "PL 120.07",
            "PL 120.08",
            "PL 120.09",
            "PL 120.10",
            "PL 120.11",
            "PL 120.12",
            "PL 120.13",
            "PL 120.18",
            "PL 120.60",
            "PL 121.12",
            "PL 121.13",
            "PL 125.11",
            "PL 125.12",
            "PL 125.13",
            "PL 125.14",
            "PL 125.20",
            "PL 125.21",
            "PL 125.22",
            "PL 125.25",
            "PL 125.26",
            "PL 125.27",
            "PL 130.30",
            "PL 130.35",
            "PL 130.45",
            "PL 130.50",
            "PL 130.53",
            "PL 130.65",
            "PL 130.66",
            "PL 130.67",
            "PL 130.70",
            "PL 130.75",
            "PL 130.80",
            "PL 130.90",
            "PL 130.96",
            "PL 135.20",
            "PL 135.25",
            "PL 135.35",
            "PL 140.25",
            "PL 140.30",
            "PL 150.15",
            "PL 150.20",
            "PL 160.05",
            "PL 160.10",
            "PL 160.15",
            "PL 215.15",
            "PL 215.16",
            "PL 215.17",
            "PL 230.34",
            "PL 265.02",
            "PL 265.03",
            "PL 265.04",
            "PL 265.09",
            "PL 265.11",
            "PL 265.12",
            "PL 265.13",
            "PL 265.19",
            "PL 490.35",
            "PL 490.40",
            "PL 490.45",
            "PL 490.47",
            "PL 490.50",
            "PL 490.55",
        ),
    ),
    # PL article 130 sex offenses and the other offenses SORA registration follows
    # (Correction Law 168-a).
    "ny_sex_offenses": NamedList(
        "ny_sex_offenses",
        "sex offense",
        "PL art. 130; Correction Law 168-a",
        (
            "PL 130.*",
            "PL 230.04",
            "PL 230.05",
            "PL 230.06",
            "PL 230.11",
            "PL 230.12",
            "PL 230.13",
            "PL 230.25",
            "PL 230.30",
            "PL 230.32",
            "PL 230.33",
            "PL 230.34",
            "PL 235.22",
            "PL 250.50",
            "PL 255.25",
            "PL 255.26",
            "PL 255.27",
            "PL 263.05",
            "PL 263.10",
            "PL 263.11",
            "PL 263.15",
            "PL 263.16",
            "PL 263.30",
        ),
    ),
}


# -- places --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """The counties of one state, so a pack can tell "another county" from "not a county".

    Names are written as :func:`app.rules.predicates.place_key` normalizes them (upper case,
    no "COUNTY", no dots or apostrophes, SAINT as ST). ``aliases`` map other spellings to
    every county they may mean: more than one is an ambiguous spelling (NYC, BALTIMORE).
    ``court_words`` are names that identify a place in a court's name without the word
    COUNTY ("Manhattan Criminal Court").
    """

    state: str
    counties: frozenset[str]
    aliases: dict[str, frozenset[str]]
    court_words: frozenset[str] = frozenset()


def _gazetteer(
    state: str,
    counties: str,
    aliases: dict[str, tuple[str, ...]],
    court_words: tuple[str, ...] = (),
) -> Gazetteer:
    names = frozenset(n.strip() for n in counties.split(",") if n.strip())
    for targets in aliases.values():
        if not set(targets) <= names:  # a typo here would silently misplace a county
            raise ValueError(f"{state} alias targets {targets} are not all counties")
    return Gazetteer(
        state, names, {k: frozenset(v) for k, v in aliases.items()}, frozenset(court_words)
    )


_NYC = ("NEW YORK", "KINGS", "QUEENS", "BRONX", "RICHMOND")
_NY_COUNTIES = (
    "ALBANY, ALLEGANY, BRONX, BROOME, CATTARAUGUS, CAYUGA, CHAUTAUQUA, CHEMUNG, CHENANGO, "
    "CLINTON, COLUMBIA, CORTLAND, DELAWARE, DUTCHESS, ERIE, ESSEX, FRANKLIN, FULTON, GENESEE, "
    "GREENE, HAMILTON, HERKIMER, JEFFERSON, KINGS, LEWIS, LIVINGSTON, MADISON, MONROE, "
    "MONTGOMERY, NASSAU, NEW YORK, NIAGARA, ONEIDA, ONONDAGA, ONTARIO, ORANGE, ORLEANS, OSWEGO, "
    "OTSEGO, PUTNAM, QUEENS, RENSSELAER, RICHMOND, ROCKLAND, ST LAWRENCE, SARATOGA, SCHENECTADY, "
    "SCHOHARIE, SCHUYLER, SENECA, STEUBEN, SUFFOLK, SULLIVAN, TIOGA, TOMPKINS, ULSTER, WARREN, "
    "WASHINGTON, WAYNE, WESTCHESTER, WYOMING, YATES"
)

GAZETTEERS: dict[str, Gazetteer] = {
    "CA": _gazetteer(
        "CA",
        "ALAMEDA, ALPINE, AMADOR, BUTTE, CALAVERAS, COLUSA, CONTRA COSTA, DEL NORTE, EL DORADO, "
        "FRESNO, GLENN, HUMBOLDT, IMPERIAL, INYO, KERN, KINGS, LAKE, LASSEN, LOS ANGELES, MADERA, "
        "MARIN, MARIPOSA, MENDOCINO, MERCED, MODOC, MONO, MONTEREY, NAPA, NEVADA, ORANGE, PLACER, "
        "PLUMAS, RIVERSIDE, SACRAMENTO, SAN BENITO, SAN BERNARDINO, SAN DIEGO, SAN FRANCISCO, "
        "SAN JOAQUIN, SAN LUIS OBISPO, SAN MATEO, SANTA BARBARA, SANTA CLARA, SANTA CRUZ, SHASTA, "
        "SIERRA, SISKIYOU, SOLANO, SONOMA, STANISLAUS, SUTTER, TEHAMA, TRINITY, TULARE, TUOLUMNE, "
        "VENTURA, YOLO, YUBA",
        {
            "LA": ("LOS ANGELES",),
            "SF": ("SAN FRANCISCO",),
            "SAN BERNADINO": ("SAN BERNARDINO",),  # the common misspelling
        },
    ),
    "NY": _gazetteer(
        "NY",
        _NY_COUNTIES,
        {
            "MANHATTAN": ("NEW YORK",),
            "BROOKLYN": ("KINGS",),
            "STATEN ISLAND": ("RICHMOND",),
            "THE BRONX": ("BRONX",),
            # The city is five counties; "NY" may be the state's abbreviation or New York County.
            "NEW YORK CITY": _NYC,
            "NYC": _NYC,
            "CITY OF NEW YORK": _NYC,
            "NY": tuple(n.strip() for n in _NY_COUNTIES.split(",")),
        },
        court_words=("MANHATTAN", "BROOKLYN", "QUEENS", "BRONX", "STATEN ISLAND"),
    ),
    "MD": _gazetteer(
        "MD",
        "ALLEGANY, ANNE ARUNDEL, BALTIMORE, BALTIMORE CITY, CALVERT, CAROLINE, CARROLL, CECIL, "
        "CHARLES, DORCHESTER, FREDERICK, GARRETT, HARFORD, HOWARD, KENT, MONTGOMERY, "
        "PRINCE GEORGES, QUEEN ANNES, ST MARYS, SOMERSET, TALBOT, WASHINGTON, WICOMICO, WORCESTER",
        {
            # "BALTIMORE" alone may be the city or the county (two different courts); written
            # with the word COUNTY it is the county.
            "BALTIMORE": ("BALTIMORE", "BALTIMORE CITY"),
            "CITY OF BALTIMORE": ("BALTIMORE CITY",),
        },
        court_words=("BALTIMORE CITY",),
    ),
    "WA": _gazetteer(
        "WA",
        "ADAMS, ASOTIN, BENTON, CHELAN, CLALLAM, CLARK, COLUMBIA, COWLITZ, DOUGLAS, FERRY, "
        "FRANKLIN, GARFIELD, GRANT, GRAYS HARBOR, ISLAND, JEFFERSON, KING, KITSAP, KITTITAS, "
        "KLICKITAT, LEWIS, LINCOLN, MASON, OKANOGAN, PACIFIC, PEND OREILLE, PIERCE, SAN JUAN, "
        "SKAGIT, SKAMANIA, SNOHOMISH, SPOKANE, STEVENS, THURSTON, WAHKIAKUM, WALLA WALLA, "
        "WHATCOM, WHITMAN, YAKIMA",
        {},
    ),
}

# A pack's jurisdiction names its state first ("California — Los Angeles County").
STATE_NAMES = {"CALIFORNIA": "CA", "NEW YORK": "NY", "MARYLAND": "MD", "WASHINGTON": "WA"}
