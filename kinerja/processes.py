"""Which process runs a run, and whether that process is gone (a run killed outright never ends itself).

A run records its process (``pipeline_run_process``): the machine's host name, the process id and,
on Linux, the process's start time (clock ticks since boot, ``/proc/<pid>/stat``). On the same
machine that settles it: the process is gone when no process has that id, when the one that has it
is a zombie, or when it started at another time (the id went to another process, or the machine
restarted). A process of another machine cannot be looked at: its run counts as dead once it started
longer ago than ``KINERJA_STALE_RUN_HOURS`` (``kinerja.config``). Each machine (or container) that
runs Kinerja needs a host name of its own.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Process:
    host: str
    pid: int
    started: int | None  # start time in clock ticks since boot; None where /proc is not there

    def __str__(self) -> str:
        return f"process {self.pid} on {self.host}"

    @property
    def connection_name(self) -> str:
        """The ``application_name`` of its PostgreSQL connections (at most 63 characters), so that those
        of a dead run can be ended (``kinerja.warehouse.runs``)."""
        return f"kinerja {self.pid} {self.started or 0} {self.host}"[:63]


def _stat(pid: int) -> tuple[str, int] | None:
    """State and start time of a process (``/proc/<pid>/stat``), or None when it cannot be read."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()  # after the command name, which may hold spaces
    return fields[0], int(fields[19])


def this_process() -> Process:
    stat = _stat(os.getpid())
    return Process(socket.gethostname(), os.getpid(), stat[1] if stat else None)


def gone(process: Process) -> bool | None:
    """True when the process is gone, False when it still runs, None when it is on another machine."""
    if process.host != socket.gethostname():
        return None
    try:
        os.kill(process.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # another account's process: it exists
        pass
    stat = _stat(process.pid)
    if stat is None:  # gone since os.kill looked; without /proc (not Linux) the id alone says it runs
        return Path("/proc/self/stat").exists()
    state, started = stat
    return state == "Z" or (process.started is not None and started != process.started)
