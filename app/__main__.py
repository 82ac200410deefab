"""Composition root: the desktop app with no arguments, the command line otherwise."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    # First of all: in the frozen app a worker process (evaluation on two cores) is this
    # same executable started by multiprocessing; freeze_support runs the worker and exits.
    import multiprocessing

    multiprocessing.freeze_support()
    args = list(sys.argv[1:] if argv is None else argv)
    from app.logs import setup_logging

    setup_logging()
    if args and args[0] == "--self-test":
        from app.services.selftest import run_self_test

        return run_self_test(args[1:])
    if not args or args[0] in ("--workspace", "--gui"):
        from app.ui.application import run_gui

        return run_gui(args)
    from app.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
