"""Every finding code the importer writes has a plain title for the wizard's report."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from app.ingest.findings import TITLES, title

APP = Path(__file__).resolve().parents[2] / "app"
# Where findings are made: the readers, the normalizers, the import service and the writer.
SOURCES = [
    *(APP / "ingest").glob("*.py"),
    *(APP / "core").glob("*.py"),
    APP / "services" / "importing.py",
    APP / "store" / "imports.py",
]
KINDS = ("case", "cell", "date", "disposition", "file", "header", "id", "level", "mapping",
         "offense", "person", "row", "text")  # fmt: skip
CODE = re.compile(rf"^(?:{'|'.join(KINDS)})\.[a-z_]+$")


def _codes_in_source() -> set[str]:
    codes: set[str] = set()
    for path in SOURCES:
        if path.name == "findings.py":
            continue  # the titles themselves
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and CODE.match(node.value)
            ):
                codes.add(node.value)
    return codes


def test_every_code_has_a_title_and_every_title_a_code() -> None:
    codes = _codes_in_source()
    assert len(codes) > 25  # the scan really finds them
    assert sorted(codes - TITLES.keys()) == []
    assert sorted(TITLES.keys() - codes) == []


def test_titles_read_as_plain_words() -> None:
    assert title("cell.merged") == "Merged cells"
    assert title("row.no_case_number") == "Rows without a case number"
    assert title("brand.new_code") == "Brand: new code"  # an unknown code still reads
    assert all("_" not in text and text[0].isupper() for text in TITLES.values())
