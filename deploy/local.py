"""`make deploy-local`: a province-style installation on this machine, from Debian's
packages, in the foreground (Ctrl+C stops it all):

    PostgreSQL (a private cluster under var/deploy/pgdata, tuned for this workload)
    nginx (TLS with a self-signed certificate, static files, gzip, limits)
    N `guanai serve --no-worker` processes behind nginx (default 2)
    M `guanai worker` processes (default 2)

    .venv/bin/python deploy/local.py [--web 2] [--workers 2] [--demo small|city|province|none]
                                     [--https-port 8443] [--http-port 8080] [--pg-port 5544] [--db guanai]

Every process is restarted when it dies (as systemd's Restart=always does on servers).
Everything lives under var/deploy/; `make run` (one process, SQLite) is unaffected.
"""

from __future__ import annotations

import argparse
import os
import pwd
import shutil
import subprocess
import sys
import time
import ssl
import threading
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from guanai.ops.supervisor import Child, Supervisor  # noqa: E402

DEPLOY = ROOT / "var" / "deploy"
PG_BIN = Path("/usr/lib/postgresql")
# PostgreSQL for this workload (see README, "Deployment"): memory for a million persons'
# indexes, many short connections from the web processes, quick commits at month end.
PG_SETTINGS = """
listen_addresses = '127.0.0.1'
unix_socket_directories = '{run}'
max_connections = 300
shared_buffers = 1GB
effective_cache_size = 4GB
work_mem = 32MB
maintenance_work_mem = 512MB
random_page_cost = 1.1
max_wal_size = 4GB
wal_compression = on
checkpoint_completion_target = 0.9
idle_in_transaction_session_timeout = 10min
"""


def log(message: str) -> None:
    print(f"[deploy-local] {message}", file=sys.stderr, flush=True)


def pg_tool(name: str) -> str:
    versions = sorted(PG_BIN.glob("*/bin"), key=lambda p: int(p.parent.name)) if PG_BIN.exists() else []
    if not versions:
        sys.exit("没有找到 PostgreSQL：请先 make deploy-local（会安装 Debian 的 postgresql 软件包）")
    return str(versions[-1] / name)


def as_postgres(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    # PostgreSQL refuses to run as root: run its tools as the postgres account then.
    if os.geteuid() == 0:
        argv = ["runuser", "-u", "postgres", "--", *argv]
    return subprocess.run(argv, check=True, **kwargs)


def start_postgres(port: int) -> None:
    data, run = DEPLOY / "pgdata", DEPLOY / "run"
    run.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(DEPLOY, "postgres")
        shutil.chown(run, "postgres")
    if not (data / "PG_VERSION").exists():
        log("初始化 PostgreSQL 数据目录")
        as_postgres([pg_tool("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                     "--locale=C.UTF-8"], capture_output=True)
    conf = data / "postgresql.auto.conf"
    settings = PG_SETTINGS.format(run=run) + f"port = {port}\n"
    as_postgres(["tee", str(conf)], input=settings, text=True, capture_output=True)
    running = (data / "postmaster.pid").exists() and subprocess.run(
        ["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(port)]).returncode == 0
    if not running:
        as_postgres([pg_tool("pg_ctl"), "-D", str(data), "-l", str(DEPLOY / "postgresql.log"), "-w", "start"],
                    capture_output=True)
    log(f"PostgreSQL 已就绪（127.0.0.1:{port}）")


def stop_postgres() -> None:
    as_postgres([pg_tool("pg_ctl"), "-D", str(DEPLOY / "pgdata"), "-m", "fast", "-w", "stop"], capture_output=True)


def ensure_database(port: int, name: str) -> None:
    exists = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-tAc",
                             f"SELECT 1 FROM pg_database WHERE datname = '{name}'"], capture_output=True, text=True)
    if exists.stdout.strip() != "1":
        subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-qc",
                        f'CREATE DATABASE "{name}"'], check=True)


def ensure_certificate() -> Path:
    tls = DEPLOY / "tls"
    if not (tls / "cert.pem").exists():
        tls.mkdir(parents=True, exist_ok=True)
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "825",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                        "-keyout", str(tls / "key.pem"), "-out", str(tls / "cert.pem")],
                       check=True, capture_output=True)
        (tls / "key.pem").chmod(0o600)
    return tls


def write_nginx_conf(args, web_ports: list[int], static: Path, tls: Path) -> Path:
    run, logs = DEPLOY / "nginx", DEPLOY / "logs"
    run.mkdir(parents=True, exist_ok=True)
    logs.mkdir(parents=True, exist_ok=True)
    user = pwd.getpwuid(os.geteuid()).pw_name
    values = {
        "USER": f"user {user};" if os.geteuid() == 0 else "",
        "RUN": str(run), "LOGS": str(logs), "TLS": str(tls), "STATIC": str(static),
        "HOST": "127.0.0.1", "SERVER_NAME": "127.0.0.1 localhost",
        "HTTP_PORT": str(args.http_port), "HTTPS_PORT": str(args.https_port),
        "MAX_BODY_MB": os.environ.get("GUANAI_MAX_REQUEST_MB", "100"),
        "READ_TIMEOUT": str(int(float(os.environ.get("GUANAI_REQUEST_TIMEOUT", "120")) + 10)),
        # max_fails=0: a web process that dies is restarted by `guanai serve`, which keeps its
        # socket, so new connections only wait a few seconds; marking it down (for every
        # nginx worker) left "no live upstreams" in the kill drill. In-flight GETs are retried.
        "UPSTREAMS": "\n        ".join(f"server 127.0.0.1:{p} max_fails=0;" for p in web_ports),
    }
    text = (ROOT / "deploy" / "nginx.conf.in").read_text()
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    conf = run / "nginx.conf"
    conf.write_text(text)
    subprocess.run(["nginx", "-t", "-q", "-c", str(conf)], check=True)
    return conf


def guanai(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "guanai.cli", *args], env=env, check=True)


def wait_ready(url: str, timeout: float = 120) -> None:
    context = ssl.create_default_context(cafile=str(DEPLOY / "tls" / "cert.pem"))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/healthz", timeout=3, context=context)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} 未能启动（见 {DEPLOY / 'logs'}）")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--web", type=int, default=2, help="guanai serve processes behind nginx")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8, help="threads per web process")
    parser.add_argument("--demo", default="small", choices=["small", "city", "province", "none"],
                        help="demo to load into an empty database")
    parser.add_argument("--db", default="guanai")
    parser.add_argument("--pg-port", type=int, default=5544)
    parser.add_argument("--https-port", type=int, default=8443)
    parser.add_argument("--http-port", type=int, default=8080)
    parser.add_argument("--web-port", type=int, default=8101, help="first web process port")
    args = parser.parse_args()

    DEPLOY.mkdir(parents=True, exist_ok=True)
    start_postgres(args.pg_port)
    ensure_database(args.pg_port, args.db)
    url = f"https://127.0.0.1:{args.https_port}"
    media = DEPLOY / "media"
    media.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DATABASE_URL": f"postgres://postgres@127.0.0.1:{args.pg_port}/{args.db}",
           "GUANAI_HOME": str(ROOT), "GUANAI_MEDIA_ROOT": str(media), "GUANAI_HTTPS": "1",
           "GUANAI_PROXY_SSL_HEADER": "1", "GUANAI_ALLOWED_HOSTS": "127.0.0.1,localhost",
           "GUANAI_CSRF_TRUSTED_ORIGINS": f"{url},https://localhost:{args.https_port}"}
    env.pop("GUANAI_DEBUG", None)
    log("迁移数据库、收集静态文件")
    guanai(env, "migrate", "--noinput", "-v", "0")
    if args.demo != "none":
        guanai(env, "demo", "--scale", args.demo, "--if-empty")
    guanai(env, "collectstatic", "--noinput", "-v", "0")
    static = ROOT / "var" / "static"
    tls = ensure_certificate()
    web_ports = [args.web_port + i for i in range(args.web)]
    conf = write_nginx_conf(args, web_ports, static, tls)
    children = [Child(f"网站进程:{port}", [sys.executable, "-m", "guanai.cli", "serve", "--no-worker", "--host",
                                          "127.0.0.1", "--port", str(port), "--threads", str(args.threads)], env=env)
                for port in web_ports]
    children += [Child(f"后台任务进程{i + 1}", [sys.executable, "-m", "guanai.cli", "worker",
                                            "--worker-id", f"deploy-local-{i + 1}-{os.getpid()}"], env=env)
                 for i in range(args.workers)]
    children.append(Child("nginx", ["nginx", "-c", str(conf), "-g", "daemon off;"]))
    supervisor = Supervisor(children, grace=8)
    try:
        def announce():
            wait_ready(url)
            log(f"已启动：{url}/ （自签名证书 {tls / 'cert.pem'}；http://127.0.0.1:{args.http_port}/ 跳转到 HTTPS）"
                f"；{args.web} 个网站进程、{args.workers} 个后台任务进程；Ctrl+C 停止")

        threading.Thread(target=announce, daemon=True).start()
        supervisor.run()
    finally:
        stop_postgres()
        log("已停止")


if __name__ == "__main__":
    main()
