"""Bad usage: a run that cannot start as asked. The flows end such a run Failed with its message
(flows.outcome); the command line exits with status 2.
"""

from __future__ import annotations

from kinerja import keys
from kinerja.periods import Month, PeriodError, month_range


class UsageError(ValueError):
    """A run that cannot start as asked; the message (one line) says what to do."""


# What a run reports as bad usage: its own message, no traceback (CLI exit status 2).
BAD_USAGE = (UsageError, PeriodError, keys.KeyMismatchError)


def parse_range(first: str, last: str, names: tuple[str, str] = ("from_period", "to_period")) -> list[Month]:
    """The months from ``first`` to ``last``, or a PeriodError naming the bound at fault."""
    bounds = []
    for name, text in zip(names, (first, last), strict=True):
        try:
            bounds.append(Month.parse(text))
        except PeriodError as exc:
            raise PeriodError(f"{name}: {exc}") from None
    return month_range(*bounds)
