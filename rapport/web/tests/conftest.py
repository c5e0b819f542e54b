"""Fixtures of the web tests: signed-in clients for members of a workspace."""

import pytest
from django.test import Client

from rapport.core.models import Membership


@pytest.fixture
def signed_in():
    """A test client signed in as `member` (the session, not the login form: axes needs that)."""

    def make(member: Membership) -> Client:
        client = Client()
        client.force_login(member.user)
        return client

    return make


@pytest.fixture
def owner_client(signed_in, owner) -> Client:
    return signed_in(owner)
