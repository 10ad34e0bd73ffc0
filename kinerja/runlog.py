"""A command's Prefect log kept in a file, its console kept to errors.

Prefect logs with the standard ``logging`` module: its logging configuration gives the root logger
one console handler (a ``PrefectConsoleHandler``, named ``console`` in Prefect's logging.yml) that
every ``prefect.*`` logger reaches, flow and task run loggers included. Its level is
``PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL`` when Prefect configures logging, on import; a command
that runs after that import (or in a process that imported Prefect already) raises the level of
that handler itself, for its own duration only, and adds a file handler with the same format.
"""

from __future__ import annotations

import atexit
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FILE_FORMAT = "%(asctime)s | %(levelname)-7s | %(name)s - %(message)s"


def console_handlers() -> list[logging.Handler]:
    """Prefect's console handlers, wherever its logging configuration attached them."""
    from prefect.logging.handlers import PrefectConsoleHandler

    loggers = [logging.getLogger(), *(x for x in logging.Logger.manager.loggerDict.values()
                                      if isinstance(x, logging.Logger))]
    found: list[logging.Handler] = []
    for logger in loggers:
        found += [h for h in logger.handlers if isinstance(h, PrefectConsoleHandler) and h not in found]
    return found


@contextmanager
def prefect_log_to_file(path: Path, console_level: int = logging.ERROR, append: bool = False) -> Iterator[Path]:
    """Within the block, every record Prefect's console would show goes to ``path`` (overwritten, or
    appended to with ``append``), and the console shows only those at ``console_level`` or above."""
    consoles = console_handlers()
    path.parent.mkdir(parents=True, exist_ok=True)
    to_file = logging.FileHandler(path, mode="a" if append else "w", encoding="utf-8")
    to_file.setFormatter(consoles[0].formatter if consoles and consoles[0].formatter
                         else logging.Formatter(FILE_FORMAT))
    before = [(h, h.level) for h in consoles]
    root = logging.getLogger()
    root.addHandler(to_file)
    for handler, level in before:
        handler.setLevel(max(level, console_level))
    try:
        yield path
    finally:
        for handler, level in before:
            handler.setLevel(level)
        root.removeHandler(to_file)
        to_file.close()


def quiet_at_exit(console_level: int = logging.ERROR) -> None:
    """Keep Prefect's console at ``console_level`` while the process exits: the temporary server
    Prefect starts when no API is configured stops at exit and says so at INFO, after a command's
    last words. Registered after that server started, this runs first (exit callbacks run last in,
    first out)."""
    def quiet() -> None:
        for handler in console_handlers():
            handler.setLevel(max(handler.level, console_level))

    atexit.register(quiet)
