"""Versioned migrations of the workspace schema.

Each migration is a list of SQL statements applied in one transaction; the file is backed
up with the SQLite backup API before any migration runs on an existing workspace.
Decisions, sign-offs and the audit log are append-only: triggers refuse UPDATE and DELETE.
"""

from __future__ import annotations

APPEND_ONLY_TABLES = ("audit", "decisions", "signoffs")


def _append_only(table: str) -> list[str]:
    return [
        f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} is append-only: add a new row instead'); END""",
        f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} is append-only: rows are never deleted'); END""",
    ]


MIGRATION_1 = [
    # Workspace-level settings that change behaviour (policy, county, idle lock, four eyes...).
    """CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    """CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE COLLATE NOCASE,
        full_name TEXT,
        role TEXT NOT NULL CHECK (role IN ('clerk','reviewer','supervisor','admin')),
        password_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0,
        locked_at TEXT
    )""",
    """CREATE TABLE login_attempts (
        id INTEGER PRIMARY KEY,
        user_id INTEGER REFERENCES users(id),
        username TEXT NOT NULL,
        at TEXT NOT NULL,
        ok INTEGER NOT NULL
    )""",
    # One row per imported file (and sheet); the file's SHA-256 makes re-import a no-op.
    """CREATE TABLE sources (
        id INTEGER PRIMARY KEY,
        file_name TEXT NOT NULL,
        file_sha256 TEXT NOT NULL,
        sheet TEXT,
        file_kind TEXT,
        profile TEXT,
        mapping TEXT NOT NULL DEFAULT '{}',
        headers TEXT NOT NULL DEFAULT '[]',
        header_row INTEGER,
        row_count INTEGER NOT NULL DEFAULT 0,
        imported_rows INTEGER NOT NULL DEFAULT 0,
        skipped_rows INTEGER NOT NULL DEFAULT 0,
        imported_at TEXT NOT NULL,
        imported_by TEXT,
        UNIQUE (file_sha256, sheet)
    )""",
    # Every source row verbatim (JSON array of cell texts in header order).
    """CREATE TABLE source_rows (
        id INTEGER PRIMARY KEY,
        source_id INTEGER NOT NULL REFERENCES sources(id),
        row_number INTEGER NOT NULL,
        data TEXT NOT NULL
    )""",
    # Findings and skipped rows kept with the source so a clerk can see them later.
    """CREATE TABLE import_findings (
        id INTEGER PRIMARY KEY,
        source_id INTEGER NOT NULL REFERENCES sources(id),
        sheet TEXT,
        row_number INTEGER,
        column_name TEXT,
        severity TEXT NOT NULL CHECK (severity IN ('error','warning','info')),
        code TEXT,
        message TEXT NOT NULL,
        skipped INTEGER NOT NULL DEFAULT 0
    )""",
    """CREATE TABLE people (
        id INTEGER PRIMARY KEY,
        person_key TEXT,
        key_type TEXT,
        full_name TEXT,
        last_name TEXT,
        first_name TEXT,
        middle_name TEXT,
        dob TEXT,
        dob_raw TEXT,
        sex TEXT,
        race TEXT,
        source_id INTEGER REFERENCES sources(id),
        name_key TEXT  -- comparison form "last|first" (NFC, case-folded) for proposing matches
    )""",
    """CREATE TABLE cases (
        id INTEGER PRIMARY KEY,
        person_id INTEGER NOT NULL REFERENCES people(id),
        case_number TEXT NOT NULL,
        case_key TEXT,  -- comparison form of case_number (upper case, no spaces or dashes)
        court TEXT,
        county TEXT,
        filing_date TEXT,
        filing_date_raw TEXT,
        status TEXT
    )""",
    """CREATE TABLE counts (
        id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL REFERENCES cases(id),
        person_id INTEGER NOT NULL REFERENCES people(id),
        count_number TEXT,
        offense_raw TEXT,
        offense_comment TEXT,
        code_book TEXT,
        section TEXT,
        subsections TEXT,
        attempt INTEGER NOT NULL DEFAULT 0,
        conspiracy INTEGER NOT NULL DEFAULT 0,
        offense_recognized INTEGER NOT NULL DEFAULT 0,
        description TEXT,
        level TEXT,
        level_raw TEXT,
        disposition TEXT,
        disposition_raw TEXT,
        disposition_date TEXT,
        disposition_date_raw TEXT,
        offense_date TEXT,
        offense_date_raw TEXT,
        sentence TEXT,
        sentence_completed INTEGER,
        comment TEXT,
        source_row_id INTEGER REFERENCES source_rows(id),
        dedupe_key TEXT NOT NULL  -- unique: see BULK_INDEXES
    )""",
    """CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        person_id INTEGER NOT NULL REFERENCES people(id),
        event_type TEXT NOT NULL,
        event_date TEXT,
        event_date_raw TEXT,
        offense_raw TEXT,
        code_book TEXT,
        section TEXT,
        subsections TEXT,
        description TEXT,
        source_row_id INTEGER REFERENCES source_rows(id),
        dedupe_key TEXT NOT NULL  -- unique: see BULK_INDEXES
    )""",
    # Name + DOB matches proposed for people without a key; a person confirms or rejects them.
    """CREATE TABLE person_matches (
        id INTEGER PRIMARY KEY,
        person_a INTEGER NOT NULL REFERENCES people(id),
        person_b INTEGER NOT NULL REFERENCES people(id),
        basis TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed','confirmed','rejected')),
        decided_by TEXT,
        decided_at TEXT,
        UNIQUE (person_a, person_b)
    )""",
    """CREATE TABLE policy_overrides (
        id INTEGER PRIMARY KEY,
        policy_id TEXT NOT NULL,
        options TEXT NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT
    )""",
    """CREATE TABLE evaluation_runs (
        id INTEGER PRIMARY KEY,
        policy_id TEXT NOT NULL,
        pack_version TEXT,
        pack_sha256 TEXT NOT NULL,
        options TEXT NOT NULL DEFAULT '{}',
        as_of TEXT NOT NULL,
        engine_version TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        user TEXT,
        count_total INTEGER NOT NULL DEFAULT 0,
        summary TEXT NOT NULL DEFAULT '{}'
    )""",
    """CREATE TABLE recommendations (
        run_id INTEGER NOT NULL REFERENCES evaluation_runs(id),
        count_id INTEGER NOT NULL REFERENCES counts(id),
        outcome TEXT NOT NULL,
        rule_ids TEXT NOT NULL,
        reasons TEXT NOT NULL,
        PRIMARY KEY (run_id, count_id)
    ) WITHOUT ROWID""",
    # Append-only review history. The current decision of a count is its newest row (highest
    # id). An undo is a new row (action 'undo', supersedes = the row undone) that copies the
    # final_outcome and status of the row before the undone one (or NULL / 'undecided').
    """CREATE TABLE decisions (
        id INTEGER PRIMARY KEY,
        count_id INTEGER NOT NULL REFERENCES counts(id),
        run_id INTEGER REFERENCES evaluation_runs(id),
        recommended TEXT,
        action TEXT NOT NULL CHECK (action IN ('accept','override','flag','skip','undo')),
        final_outcome TEXT,
        -- The count's review state after this row: decided (final_outcome set), flagged
        -- (waiting for a supervisor), skipped, or undecided (an undo back to nothing).
        status TEXT NOT NULL CHECK (status IN ('decided','flagged','skipped','undecided')),
        reason TEXT,
        user TEXT NOT NULL,
        at TEXT NOT NULL,
        batch_id TEXT,
        supersedes INTEGER REFERENCES decisions(id)
    )""",
    """CREATE TABLE signoffs (
        id INTEGER PRIMARY KEY,
        user TEXT NOT NULL,
        at TEXT NOT NULL,
        run_id INTEGER REFERENCES evaluation_runs(id),
        decisions_hash TEXT NOT NULL,
        last_decision_id INTEGER,
        count_total INTEGER NOT NULL,
        summary TEXT NOT NULL
    )""",
    """CREATE TABLE exports (
        id INTEGER PRIMARY KEY,
        signoff_id INTEGER REFERENCES signoffs(id),
        folder TEXT NOT NULL,
        manifest_sha256 TEXT NOT NULL,
        at TEXT NOT NULL,
        user TEXT NOT NULL
    )""",
    # Tamper-evident audit chain: hash = SHA-256(prev_hash + canonical entry).
    """CREATE TABLE audit (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        user TEXT,
        action TEXT NOT NULL,
        object TEXT,
        outcome TEXT NOT NULL,
        details TEXT NOT NULL DEFAULT '{}',
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    )""",
    # The review queue's per-case summary: DERIVED data (rebuilt from people, cases, counts,
    # the latest run's recommendations and the newest decision per count; see
    # app/store/review.py), so a 1M-count queue opens, sorts and searches without aggregating
    # every count. Folded name / case number / key columns serve indexed prefix search.
    """CREATE TABLE review_cases (
        case_id INTEGER PRIMARY KEY,
        person_id INTEGER NOT NULL,
        person_name TEXT,
        person_key TEXT,
        name_lf TEXT,
        name_fl TEXT,
        key_fold TEXT,
        case_number TEXT,
        case_fold TEXT,
        court TEXT,
        county TEXT,
        case_date TEXT,
        n_counts INTEGER NOT NULL DEFAULT 0,
        n_dismiss INTEGER NOT NULL DEFAULT 0,
        n_reduce INTEGER NOT NULL DEFAULT 0,
        n_vacate INTEGER NOT NULL DEFAULT 0,
        n_not INTEGER NOT NULL DEFAULT 0,
        n_review INTEGER NOT NULL DEFAULT 0,
        n_none INTEGER NOT NULL DEFAULT 0,
        n_decided INTEGER NOT NULL DEFAULT 0,
        n_flagged INTEGER NOT NULL DEFAULT 0,
        n_skipped INTEGER NOT NULL DEFAULT 0,
        n_rereview INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL DEFAULT 'new',
        reviewer TEXT,
        last_decision_id INTEGER
    )""",
    "CREATE INDEX review_cases_name_lf ON review_cases(name_lf)",
    "CREATE INDEX review_cases_name_fl ON review_cases(name_fl)",
    "CREATE INDEX review_cases_case ON review_cases(case_fold)",
    "CREATE INDEX review_cases_key ON review_cases(key_fold)",
    # What the review_cases summary was built from (signature, last decision folded in).
    """CREATE TABLE review_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    "CREATE INDEX login_attempts_user_at ON login_attempts(username, at)",
    "CREATE INDEX decisions_count ON decisions(count_id, id)",
    # Undo/redo walks one user's batches; per-day progress groups by time.
    "CREATE INDEX decisions_user ON decisions(user, id)",
    *[stmt for table in APPEND_ONLY_TABLES for stmt in _append_only(table)],
]

# Indexes on the bulk tables are built after a load (see the importer); these are the ones
# a fresh workspace needs for queries. CREATE INDEX IF NOT EXISTS keeps them idempotent.
BULK_INDEXES = [
    "CREATE INDEX IF NOT EXISTS source_rows_source ON source_rows(source_id, row_number)",
    "CREATE INDEX IF NOT EXISTS people_key ON people(person_key)",
    "CREATE INDEX IF NOT EXISTS people_name_dob ON people(last_name, first_name, dob)",
    "CREATE INDEX IF NOT EXISTS people_name_key_dob ON people(name_key, dob)",
    "CREATE INDEX IF NOT EXISTS cases_person ON cases(person_id)",
    "CREATE INDEX IF NOT EXISTS cases_number ON cases(case_number)",
    "CREATE INDEX IF NOT EXISTS counts_case ON counts(case_id)",
    "CREATE INDEX IF NOT EXISTS counts_person ON counts(person_id)",
    # The review queue's "offense section" filter.
    "CREATE INDEX IF NOT EXISTS counts_section ON counts(section, case_id)",
    "CREATE INDEX IF NOT EXISTS events_person ON events(person_id)",
    # One count (or event) once: a named index, not a column constraint, so that the importer
    # can build it after a first load (sorted, far faster than random inserts).
    "CREATE UNIQUE INDEX IF NOT EXISTS counts_dedupe ON counts(dedupe_key)",
    "CREATE UNIQUE INDEX IF NOT EXISTS events_dedupe ON events(dedupe_key)",
    "CREATE INDEX IF NOT EXISTS recommendations_count ON recommendations(count_id)",
]

MIGRATIONS: list[list[str]] = [MIGRATION_1 + BULK_INDEXES]

SCHEMA_VERSION = len(MIGRATIONS)
