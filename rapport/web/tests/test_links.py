"""A post's link on the pages: shown only when http(s), whatever was stored before the check."""

import pytest

from rapport.inbox.tests.factories import conversation
from rapport.listening.models import Post

pytestmark = pytest.mark.django_db


def test_a_stored_javascript_post_link_is_not_a_link(acme, owner_client):
    conv = conversation(acme, "Acme Bank froze my card")
    Post.objects.filter(workspace=acme).update(url="javascript:alert(document.cookie)")
    for path in (f"/w/acme/inbox/{conv.pk}/", "/w/acme/listening/"):
        html = owner_client.get(path).content.decode()
        assert "javascript:alert" not in html, path
    Post.objects.filter(workspace=acme).update(url="https://mastodon.example/@jo/1")
    html = owner_client.get(f"/w/acme/inbox/{conv.pk}/").content.decode()
    assert 'href="https://mastodon.example/@jo/1"' in html
