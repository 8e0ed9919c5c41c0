"""The web server child of `guanai serve`: waitress on the socket its parent holds.

Run as ``python -m guanai.ops.server FD THREADS``. Its requests are watched for time and
memory (ops/limits.py); on SIGTERM, or when the watchdog asks for a fresh process, it
stops accepting, lets the requests in hand finish for a few seconds, and exits.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import threading
import time

GRACE_SECONDS = 4.0


def main(fd: int, threads: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanai.settings")
    from django.conf import settings
    from waitress.server import create_server

    from guanai.ops import limits
    from guanai.wsgi import application

    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - compile the URL patterns before the first request
    sock = socket.socket(fileno=fd)
    proxy = {}
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        # Behind nginx on this machine: waitress drops X-Forwarded-* from anyone it does not
        # trust; trust the local proxy for the scheme (HTTPS) and the client's address (audit).
        proxy = {"trusted_proxy": os.environ.get("GUANAI_TRUSTED_PROXY", "127.0.0.1"),
                 "trusted_proxy_headers": "x-forwarded-proto x-forwarded-for"}
    server = create_server(
        application, sockets=[sock], threads=threads, ident="guanai", **proxy,
        # Bodies over the site's limit get the Chinese 413 from the application, not
        # waitress's English one: waitress only stops what is far beyond it.
        max_request_body_size=(settings.GUANAI_MAX_REQUEST_MB + 16) * 1024 * 1024,
    )
    limits.start_watchdog(settings.GUANAI_SERVE_MEMORY_MB)
    dispatcher = server.task_dispatcher

    def drain_then_exit() -> None:
        deadline = time.monotonic() + GRACE_SECONDS
        while time.monotonic() < deadline and (dispatcher.active_count or dispatcher.queue):
            time.sleep(0.05)
        os._exit(0)

    def stop_accepting() -> None:
        server.del_channel()  # the parent keeps the socket open: connections wait there
        threading.Thread(target=drain_then_exit, daemon=True).start()

    def recycle_when_asked() -> None:
        limits.recycle_requested.wait()
        print("网站服务进程内存超过上限，处理完当前请求后重启", file=sys.stderr, flush=True)
        server.trigger.pull_trigger(stop_accepting)  # on the server's own thread

    signal.signal(signal.SIGTERM, lambda *_: stop_accepting())
    signal.signal(signal.SIGINT, lambda *_: stop_accepting())
    threading.Thread(target=recycle_when_asked, daemon=True).start()
    server.run()


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
