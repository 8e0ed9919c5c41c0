import atexit
import signal
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Guanai with waitress and run the background-task worker beside it."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-worker", action="store_true", help="do not start the task worker")

    def handle(self, *args, host, port, threads, no_worker, **options):
        from waitress import serve

        from guanai.wsgi import application

        Path(settings.MEDIA_ROOT).mkdir(parents=True, exist_ok=True)
        if not no_worker:
            worker = subprocess.Popen([sys.executable, "-m", "guanai.cli", "db_worker", "--interval", "0.5"])
            atexit.register(worker.terminate)
            # A plain SIGTERM skips atexit: turn it into a normal exit so the worker stops too.
            signal.signal(signal.SIGTERM, lambda *_args: sys.exit(0))
            self.stderr.write(f"后台任务进程已启动（PID {worker.pid}）")
        self.stderr.write(f"关爱平台已启动：http://{host}:{port}/  （Ctrl+C 停止）")
        serve(application, host=host, port=port, threads=threads, ident="guanai")
