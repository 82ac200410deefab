"""The packet's file names say what each document is (a notice is not filed as a motion)."""

from __future__ import annotations

import pytest

from app.core.errors import ExportError
from app.exports.templates import PolicyTemplates, ReliefTemplate, filing_text, load_templates
from app.rules.packs import list_packs

# What each pack's first document is, as its file name says it; the order is always the
# proposed order.
FIRST_DOCUMENT = {
    "ca-prop64-state": "motion",
    "ca-prop64-la-2020": "motion",
    "ny-manhattan-2018": "motion",
    "ny-brooklyn-2018": "affirmation",
    "ny-mrta-2021": "notice",
    "md-baltimore-2019": "petition",
    "md-2022-auto-expunge": "expungement-list",
    "wa-seattle-2018": "motion",
}


def test_every_shipped_pack_names_its_files_by_the_document() -> None:
    assert set(FIRST_DOCUMENT) == {info.id for info in list_packs()}
    for policy_id, word in FIRST_DOCUMENT.items():
        templates = load_templates(policy_id)
        for relief in templates.reliefs:
            first = filing_text(templates, relief, "motion", {})
            order = filing_text(templates, relief, "order", {})
            assert (first.file or "motion") == word, policy_id
            assert order.file == "", policy_id
            # The footer's name and the file's agree on what the document is.
            assert word.split("-")[0] in first.short.lower() or word == "motion", policy_id


@pytest.mark.parametrize("word", ["../motion", "Motion", "notice.pdf", "a b", 7, "x" * 31])
def test_a_template_file_word_that_is_not_a_plain_name_is_refused(word: object) -> None:
    templates = PolicyTemplates(
        "test",
        "Test policy",
        "",
        {"vacate": ReliefTemplate("vacate", {"title": "T", "file": word}, {"title": "O"})},
    )
    with pytest.raises(ExportError, match="lowercase letters and hyphens"):
        filing_text(templates, "vacate", "motion", {})
