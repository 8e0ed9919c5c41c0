"""Schemathesis against the API's own schema, as three roles: every operation gets a few
generated requests (valid and not), and no answer may be a 500 or break the schema."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from guanai.api import tokens

EXAMPLES = 4  # per operation and role: bounded, so the whole file runs in well under two minutes


@pytest.fixture
def connection_kept():
    """As Django's test client: requests through the WSGI handler must not close the test's
    database connection (its transaction holds the test's records)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.parametrize("username", ["admin", "county", "village"])
def test_schema_holds_for_generated_requests(username, users, settings, connection_kept):
    settings.GUANAI_API_RATE = "100000/min"  # the rate limit has its own test
    raw, _token = tokens.issue_token(user=users[username])
    headers = {"Authorization": f"Bearer {raw}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application(), headers=headers)
    assert schema.raw_schema["openapi"].startswith("3.1")
    tested, failures = 0, []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path == "/api/v1/auth/token/" and operation.method.upper() == "DELETE":
            continue  # it would revoke the token this test runs with (its own tests: test_tokens.py)

        @given(case=operation.as_strategy())
        @hypothesis_settings(max_examples=EXAMPLES, deadline=None, phases=[Phase.generate], database=None,
                             suppress_health_check=list(HealthCheck))
        def check(case):
            case.call_and_validate(headers=headers, checks=[not_a_server_error, response_schema_conformance])

        try:
            check()
        except Exception as exc:  # noqa: BLE001  (every operation's failure, reported together)
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:1500]}")
        tested += 1
    assert failures == [], "\n\n".join(failures)
    assert tested >= 30
