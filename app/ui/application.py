"""Starting the desktop app: Qt application set-up, logging hooks, the error dialog, the window."""

from __future__ import annotations

import logging
import os
import sys
import threading
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import (
    QCoreApplication,
    QSettings,
    QStandardPaths,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from app import APP_NAME, ORG_NAME, __version__
from app.logs import data_dir, log_file

log = logging.getLogger(__name__)


def configure_application_identity() -> None:
    """Organisation and application names must be set before any QSettings or path lookup."""
    QCoreApplication.setOrganizationName(ORG_NAME)
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setApplicationVersion(__version__)


def settings() -> QSettings:
    """Window state only (geometry, splitters, columns, recent files, zoom), as an INI file
    in ClearSlate's local data folder (or beside the executable in portable mode)."""
    return QSettings(str(data_dir() / "window.ini"), QSettings.Format.IniFormat)


def resource(*parts: str) -> Path:
    from app.resources import resource_path  # knows about the PyInstaller bundle

    return resource_path(*parts)


def _qt_message_handler(mode: QtMsgType, context: object, message: str) -> None:
    level = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }.get(mode, logging.INFO)
    logging.getLogger("qt").log(level, message)


def install_exception_hooks() -> None:
    """Unexpected errors go to the log and to one dialog, never to a crash or a traceback."""

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        log.error("unexpected error", exc_info=(exc_type, exc, tb))
        show_unexpected_error(exc_type, exc, tb)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        log.error(
            "unexpected error in thread %s",
            args.thread,
            exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
        )

    sys.excepthook = hook
    threading.excepthook = thread_hook
    qInstallMessageHandler(_qt_message_handler)


def show_unexpected_error(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    from app.core.errors import ClearSlateError
    from app.ui.dialogs import ErrorDialog, show_error

    if QApplication.instance() is None:
        return
    if isinstance(exc, ClearSlateError):
        show_error(None, str(exc))
        return
    details = "".join(traceback.format_exception(exc_type, exc, tb))
    ErrorDialog(details).exec()


def create_application(argv: Sequence[str] | None = None) -> QApplication:
    configure_application_identity()
    app = QApplication.instance() or QApplication(list(argv or [sys.argv[0]]))
    assert isinstance(app, QApplication)
    app.setStyle("Fusion")
    icon = resource("icons", "clearslate.png")
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    return app  # type: ignore[return-value]


def run_gui(args: Sequence[str]) -> int:
    """``python -m app [--workspace FILE]``: the desktop app."""
    if os.environ.get("CLEARSLATE_TEST_MODE"):
        QStandardPaths.setTestModeEnabled(True)
    app = create_application([sys.argv[0]])
    install_exception_hooks()
    log.info("ClearSlate %s starting; log at %s", __version__, log_file())
    from app.ui.main_window import MainWindow

    window = MainWindow()
    window.show()
    workspace = None
    if len(args) >= 2 and args[0] == "--workspace":
        workspace = Path(args[1])
    if workspace is not None:
        window.open_workspace(workspace)
    if os.environ.get("CLEARSLATE_QUIT_AFTER_START"):
        # `make dist-check` times a real start of the bundle: quit once the window is shown.
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, app.quit)
    return app.exec()
