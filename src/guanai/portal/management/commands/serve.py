import ipaddress
import os
import socket
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = ("Serve Guanai with waitress and run the background-task worker beside it, both as "
            "children restarted when they die (guanai/ops/supervisor.py).")

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-worker", action="store_true", help="do not start the task worker")

    def handle(self, *args, host, port, threads, no_worker, **options):
        from guanai.ops.keys import WRONG_FIELD_KEY, field_key_fits
        from guanai.ops.supervisor import Child, Supervisor

        if not field_key_fits():
            raise CommandError(WRONG_FIELD_KEY)
        Path(settings.MEDIA_ROOT).mkdir(parents=True, exist_ok=True)
        sock = socket.create_server((host, port), backlog=1024)
        sock.set_inheritable(True)
        web_env = {}
        if "GUANAI_HTTPS" not in os.environ and ipaddress.ip_address(socket.gethostbyname(host)).is_loopback:
            # Only this machine reaches a loopback address: plain HTTP, no redirect to HTTPS.
            web_env["GUANAI_HTTPS"] = "0"
        if settings.GUANAI_REQUEST_TIMEOUT and "GUANAI_DB_STATEMENT_TIMEOUT" not in os.environ:
            web_env["GUANAI_DB_STATEMENT_TIMEOUT"] = str(settings.GUANAI_REQUEST_TIMEOUT)
        children = [Child("网站服务进程", [sys.executable, "-m", "guanai.ops.server", str(sock.fileno()), str(threads)],
                          env=web_env, pass_fds=(sock.fileno(),))]
        if not no_worker:
            children.append(Child("后台任务进程", [sys.executable, "-m", "guanai.cli", "worker"]))
        self.stderr.write(f"关爱平台已启动：http://{host}:{port}/  （Ctrl+C 停止）")
        Supervisor(children).run()
