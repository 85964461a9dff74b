"""sd_notify(3) without libsystemd: one datagram to $NOTIFY_SOCKET; a no-op outside systemd."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import socket
import subprocess
import tempfile


def notify(state: str) -> bool:
    addr = os.environ.get("NOTIFY_SOCKET")
    if not addr:
        return False
    if addr.startswith("@"):
        addr = "\0" + addr[1:]  # abstract namespace socket
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as s:
            s.connect(addr)
            s.sendall(state.encode())
        return True
    except OSError:
        return False


def watchdog_interval_s() -> float | None:
    """Half of WatchdogSec, as systemd recommends, or None when no watchdog is armed.

    WATCHDOG_PID is deliberately not compared with our pid: under cage the app is a
    grandchild of the unit's main process (the relay below) and pets the watchdog through it.
    """
    usec = os.environ.get("WATCHDOG_USEC")
    if not usec:
        return None
    try:
        return int(usec) / 2e6
    except ValueError:
        return None


def relay(argv: list[str], poll_s: float = 0.5) -> int:
    """Run ``argv`` with a notify socket of our own and pass what arrives on to systemd's,
    sent from this process.

    Why: the app unit opens a PAM session (cage needs a seat), and pam_systemd moves the
    unit's processes into the session's scope. Only the main process stays associated with
    the unit, so systemd ignores READY=1 and WATCHDOG=1 from the app, a grandchild (see
    PAMName= in systemd.exec(5)): the unit would time out and be restarted in a loop. This
    relay is the main process (NotifyAccess=main); cage and the app are its children.
    """
    upstream = os.environ.get("NOTIFY_SOCKET")
    if not upstream:
        os.execvp(argv[0], argv)          # not under systemd: nothing to relay
    folder = os.environ.get("RUNTIME_DIRECTORY", "").split(":")[0] or tempfile.mkdtemp(prefix="kiosk-notify-")
    path = os.path.join(folder, f"notify-{os.getpid()}.sock")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
    sock.bind(path)
    os.chmod(path, 0o600)                 # the app runs as the same user; nobody else may pet it
    child = subprocess.Popen(argv, env=dict(os.environ, NOTIFY_SOCKET=path))

    def forward(signum: int, _frame: object) -> None:
        with contextlib.suppress(ProcessLookupError):
            child.send_signal(signum)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, forward)
    try:
        while child.poll() is None:
            ready, _, _ = select.select([sock], [], [], poll_s)
            if ready:
                with contextlib.suppress(OSError):
                    notify(sock.recv(4096).decode(errors="replace"))
    finally:
        sock.close()
        with contextlib.suppress(OSError):
            os.unlink(path)
    code = child.wait()
    return 128 - code if code < 0 else code
