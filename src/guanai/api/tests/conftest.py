import pytest
from rest_framework.test import APIClient

from guanai.api import tokens


@pytest.fixture
def api_for(users):
    """An APIClient carrying a fresh bearer token of the demo user ``username``."""

    def make(username: str) -> APIClient:
        client = APIClient()
        raw, _token = tokens.issue_token(user=users[username])
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client

    return make
