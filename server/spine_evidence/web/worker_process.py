"""What every worker process of ``serve`` does first, under granian or gunicorn: leave the terminal's group.

A terminal's Ctrl-C sends SIGINT to its whole foreground process group. If
the workers were in it, each would get that SIGINT and, a moment later, the
stop signal its supervisor sends: a granian worker that gets two stop
signals within milliseconds can miss both and hang until killed, and a
gunicorn worker interrupted again while exiting crashed with SIGSEGV. So each
worker moves into its own process group, where only its supervisor signals
it, and asks the kernel for SIGTERM when its supervisor dies (Linux), so that
no worker outlives a supervisor that was killed.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def detach_from_terminal_group() -> None:
    """In a worker: leave the supervisor's process group, and end when the supervisor ends (Linux)."""
    supervisor = os.getppid()
    os.setpgid(0, 0)
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != supervisor:  # the supervisor died before the request took effect
            os._exit(0)
