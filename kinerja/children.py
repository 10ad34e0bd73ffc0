"""The processes a command-line run starts end with it, even when it is killed outright.

Without ``PREFECT_API_URL``, Prefect runs a flow of ``kinerja run`` (``backfill``, ``demo``, ``rekey``)
against a temporary server that it starts as a child process and stops when the interpreter exits. A
run killed with SIGKILL (``kill -9``, the out-of-memory killer) never gets to exit: its server stayed,
for good, with its port, its memory and its database open. Prefect starts that process, so we cannot
give it PR_SET_PDEATHSIG, which would in any case fire when the *thread* that started it ends, not the
process.

So the command line puts itself in charge (``end_with_this_process``): it marks its environment with a
token, which every process it starts inherits, and starts a watcher, a small process that waits on a
pipe only the command line holds open. However the command line ends, the kernel then closes the pipe;
the watcher ends every process that carries the token (SIGTERM, then SIGKILL after ``GRACE`` seconds)
and exits. The watcher ignores SIGINT, SIGTERM and SIGHUP: a Ctrl-C or a stop that reaches the whole
process group must not take it before the command line. Linux only (it reads ``/proc``); elsewhere
nothing is started.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

TOKEN_ENV = "KINERJA_RUN_TOKEN"
GRACE = 5.0  # seconds a process has to end on SIGTERM (the temporary server needs about one)
_held: dict[str, object] = {}  # the pipe's write end and the watcher, for the life of this process


def end_with_this_process() -> None:
    """Start the watcher of this process (once)."""
    if _held or not Path("/proc/self/environ").exists():
        return
    token = f"{os.getpid()}-{secrets.token_hex(8)}"
    os.environ[TOKEN_ENV] = token  # before Prefect starts anything
    read, write = os.pipe()  # not inherited by what this process starts: only the watcher gets an end
    watcher = subprocess.Popen([sys.executable, "-m", "kinerja.children", str(read), token], pass_fds=(read,),
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(read)
    _held.update(pipe=write, watcher=watcher)


def marked(token: str) -> list[int]:
    """The processes (but this one) whose environment carries the token."""
    entry = f"{TOKEN_ENV}={token}".encode()
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            environ = Path(f"/proc/{name}/environ").read_bytes()
        except OSError:  # gone, or another account's
            continue
        if entry in environ.split(b"\0"):
            found.append(int(name))
    return found


def _running(pid: int) -> bool:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return text[text.rindex(")") + 2] != "Z"


def end(pids: list[int]) -> None:
    """SIGTERM, and SIGKILL for those still there after ``GRACE`` seconds."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + GRACE
        while (pids := [p for p in pids if _running(p)]) and time.monotonic() < deadline:
            time.sleep(0.1)
        if not pids:
            return


def watch(read_fd: int, token: str) -> None:
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    while os.read(read_fd, 1):  # nothing is ever written: b"" once the command line is gone
        pass
    end(marked(token))


if __name__ == "__main__":
    watch(int(sys.argv[1]), sys.argv[2])
