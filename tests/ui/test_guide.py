"""Help ▸ User guide: the shipped guide opens in the window, finds text, and every menu
command and shortcut it names exists in the real window (so the guide cannot drift)."""

from __future__ import annotations

import re
from pathlib import Path

from app.resources import resource_path
from app.ui.guide import GUIDE_PARTS
from app.ui.main_window import MainWindow
from tests.review_seed import known_policy  # noqa: F401 - fixture
from tests.ui.test_review_window import open_window, seeded_path  # noqa: F401 - fixture

GUIDE = resource_path(*GUIDE_PARTS).read_text(encoding="utf-8")


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def test_help_opens_the_guide_and_finds_text(qtbot) -> None:  # type: ignore[no-untyped-def]
    win = MainWindow()
    qtbot.addWidget(win)
    help_texts = [_plain(a.text()) for a in win.help_menu.actions()]
    assert "User guide" in help_texts
    win.act_guide.trigger()
    guide = win.guide
    assert guide.isVisible() and not guide.isModal()
    text = guide.browser.toPlainText()
    assert "Who does what" in text and "Possible same people" in text
    assert "##" not in text  # read as a document, not as markdown source
    win.act_guide.trigger()  # a second time: the same window, not another
    assert win.guide is guide

    guide.find.setText("evaluate")
    assert guide.find_next()
    first = guide.browser.textCursor().position()
    assert guide.find_next() and guide.browser.textCursor().position() != first
    guide.find.setText("zzzz not in the guide")
    assert not guide.find_next()
    assert guide.not_found.text() == "Not found"
    guide.close()


def test_every_menu_command_and_shortcut_the_guide_names_exists(qtbot, seeded_path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    path, _ = seeded_path
    win, _view = open_window(qtbot, path, "admin")
    try:
        menus = {
            _plain(m.text()): [_plain(a.text()) for a in m.menu().actions() if not a.isSeparator()]
            for m in win.menuBar().actions()
        }
        named = re.findall(r"\b(File|Edit|View|Review|Tools|Help) ▸ ([^\n]{1,60})", GUIDE)
        assert len(named) >= 12
        missing = [
            f"{menu} ▸ {rest[:30]}"
            for menu, rest in named
            if not any(rest.startswith(item) for item in menus[menu])
        ]
        assert not missing, missing
        shortcuts = {k.toString() for a in win.actions() for k in a.shortcuts()}
        for menu in win.menuBar().actions():
            shortcuts |= {k.toString() for a in menu.menu().actions() for k in a.shortcuts()}
        said = set(re.findall(r"\((Ctrl\+[^)\s]+)\)", GUIDE)) | {"Ctrl+F", "Ctrl+=", "Ctrl+-", "F1"}
        assert said - shortcuts == set()
    finally:
        win.close_workspace()


def test_a_missing_guide_says_so(qtbot, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from app.resources import RESOURCES_ENV
    from app.ui.guide import GuideDialog

    monkeypatch.setenv(RESOURCES_ENV, str(tmp_path))  # a resources folder without the guide
    dialog = GuideDialog()
    qtbot.addWidget(dialog)
    assert "missing from this installation" in dialog.browser.toPlainText()
