"""Keeping a set of child processes running, and stopping them all together.

`guanai serve` runs its web server and task worker as children of a small parent that
holds the listening socket: a child that dies (killed, out of memory) is started again
while connections wait in the socket's queue, so the site comes back by itself. On
SIGTERM or SIGINT the parent asks every child to stop, waits a few seconds, kills what
is left and exits; a child whose parent dies is killed by the kernel (no orphans).
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # runs in the child between fork and exec
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Child:
    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    pass_fds: tuple[int, ...] = ()
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    quick_deaths: int = 0

    def start(self) -> None:
        self.process = subprocess.Popen(self.argv, env={**os.environ, **self.env}, pass_fds=self.pass_fds,
                                        preexec_fn=_die_with_parent)
        self.started_at = time.monotonic()


class Supervisor:
    def __init__(self, children: list[Child], *, grace: float = 5.0, log=None):
        self.children = children
        self.grace = grace
        self.stopping = False
        self.log = log or (lambda message: print(message, file=sys.stderr, flush=True))

    def _on_signal(self, signum, _frame) -> None:
        self.stopping = True

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        for child in self.children:
            child.start()
            self.log(f"{child.name}已启动（PID {child.process.pid}）")
        restart_at: dict[str, float] = {}
        while not self.stopping:
            time.sleep(0.2)
            now = time.monotonic()
            for child in self.children:
                if child.name in restart_at:
                    if now >= restart_at[child.name] and not self.stopping:
                        del restart_at[child.name]
                        child.start()
                        self.log(f"{child.name}已重新启动（PID {child.process.pid}）")
                    continue
                code = child.process.poll()
                if code is None:
                    continue
                # Back off when a child keeps dying at start (a bad setting, the database down).
                child.quick_deaths = child.quick_deaths + 1 if now - child.started_at < 10 else 0
                delay = min(30.0, 0.5 * 2 ** min(child.quick_deaths, 6)) if child.quick_deaths else 0.2
                self.log(f"{child.name}（PID {child.process.pid}）已退出（代码 {code}），{delay:.1f} 秒后重新启动")
                restart_at[child.name] = now + delay
        return self.stop()

    def stop(self) -> int:
        running = [c for c in self.children if c.process is not None and c.process.poll() is None]
        for child in running:
            child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        for child in running:
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.log(f"{child.name}未在 {self.grace:.0f} 秒内退出，强制结束")
                child.process.kill()
                child.process.wait()
        self.log("已停止")
        return 0
