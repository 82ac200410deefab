"""Pure domain types and parsers: no Qt, no SQL, no I/O beyond what a caller hands in."""
