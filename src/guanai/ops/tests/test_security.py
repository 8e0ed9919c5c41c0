"""Production settings by default, the project's own pages, and the headers that keep
personal data out of caches and foreign scripts out of pages."""

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

from django.test import Client

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

SHOW_SETTINGS = ("import json, django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'guanai.settings'; django.setup();"
                 "from django.conf import settings as s; print(json.dumps({k: getattr(s, k, None) for k in ["
                 "'DEBUG', 'SECRET_KEY', 'FIELD_ENCRYPTION_KEY', 'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS',"
                 "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_PROXY_SSL_HEADER', 'MEDIA_ROOT']}, default=str))")


def _settings(home: Path, **env) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GUANAI_")}
    out = subprocess.run([sys.executable, "-c", SHOW_SETTINGS], env={**clean, "GUANAI_HOME": str(home), **env},
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_nothing_set_means_production_with_keys_kept_under_var(tmp_path):
    first = _settings(tmp_path)
    assert first["DEBUG"] is False
    assert first["SECURE_SSL_REDIRECT"] and first["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert first["SESSION_COOKIE_SECURE"] and first["CSRF_COOKIE_SECURE"]
    secret, field = tmp_path / "var" / "secret_key", tmp_path / "var" / "field_key"
    for path in (secret, field):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert first["SECRET_KEY"] == secret.read_text().strip() and len(first["SECRET_KEY"]) >= 50
    assert first["FIELD_ENCRYPTION_KEY"] == field.read_text().strip() != first["SECRET_KEY"]
    assert "insecure" not in first["SECRET_KEY"]
    # Every later process (another server, the worker) reads the same keys.
    assert _settings(tmp_path)["SECRET_KEY"] == first["SECRET_KEY"]
    assert _settings(tmp_path)["FIELD_ENCRYPTION_KEY"] == first["FIELD_ENCRYPTION_KEY"]


def test_given_keys_win_and_debug_only_when_asked(tmp_path):
    given = _settings(tmp_path, GUANAI_SECRET_KEY="s" * 60, GUANAI_FIELD_KEY="f" * 60, GUANAI_DEBUG="1")
    assert given["DEBUG"] is True and given["SECRET_KEY"] == "s" * 60 and given["FIELD_ENCRYPTION_KEY"] == "f" * 60
    assert not given["SECURE_SSL_REDIRECT"] and not given["SESSION_COOKIE_SECURE"]
    assert not (tmp_path / "var" / "secret_key").exists()
    behind_nginx = _settings(tmp_path, GUANAI_PROXY_SSL_HEADER="1", GUANAI_MEDIA_ROOT=str(tmp_path / "shared"))
    assert behind_nginx["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert behind_nginx["MEDIA_ROOT"] == str(tmp_path / "shared")


def test_deploy_check_is_clean_in_production_mode(tmp_path):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GUANAI_")}
    out = subprocess.run([sys.executable, "-m", "guanai.cli", "check", "--deploy", "--fail-level", "WARNING"],
                         env={**clean, "GUANAI_HOME": str(tmp_path)}, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "no issues" in out.stdout + out.stderr


def test_https_redirect_and_hsts_when_not_debugging(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    response = Client().get("/accounts/login/")
    assert response.status_code == 301 and response["Location"].startswith("https://")
    response = Client().get("/accounts/login/", secure=True)
    assert response.status_code == 200 and "max-age=31536000" in response["Strict-Transport-Security"]


def test_pages_forbid_inline_script_and_are_never_cached(client_for, users):
    from guanai.registry.models import Person

    person = Person.objects.filter(area__code__startswith=users["village"].area.code).first()
    response = client_for("village").get(f"/persons/{person.pk}/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]+)", csp).group(1)
    assert script_src.strip() == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "no-store" in response["Cache-Control"]


def test_no_template_holds_inline_script_or_event_handler():
    # A policy without 'unsafe-inline' would silently break such a page.
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", text) or \
                re.search(r"\son[a-z]+=\"", text) or "javascript:" in text:
            offenders.append(str(path.relative_to(TEMPLATES)))
    assert offenders == []


def test_alpine_is_the_csp_build():
    alpine = (TEMPLATES.parent / "static" / "vendor" / "alpine.min.js").read_text()
    assert "CSP" in alpine and "new Function" not in alpine


def test_body_over_the_limit_gets_a_chinese_413(client_for, settings):
    settings.GUANAI_MAX_REQUEST_MB = 1
    client = client_for("village")
    response = client.post("/care/visits/create/", data=b"x" * (2 * 1024 * 1024),
                           content_type="application/octet-stream")
    assert response.status_code == 413
    assert "提交的内容过大" in response.content.decode() and "1 MB" in response.content.decode()


def test_form_over_django_memory_limit_gets_a_chinese_413_not_request_data_too_big(client_for, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client_for("office").post("/briefings/factcheck/", {"text": "全市共走访2000户。" * 200})
    assert response.status_code == 413
    body = response.content.decode()
    assert "提交的内容过大" in body and "RequestDataTooBig" not in body


def test_failed_csrf_check_is_a_chinese_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "village", "password": "x"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "页面已过期" in body and "CSRF verification failed" not in body


def test_a_database_encrypted_under_another_field_key_is_refused_at_start(db, settings):
    from guanai.ops.keys import field_key_fits

    assert field_key_fits()
    settings.FIELD_ENCRYPTION_KEY = "guanai-insecure-development-key-do-not-use-in-production"
    assert not field_key_fits()
