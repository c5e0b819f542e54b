"""Listening actions: validation naming fields, roles, audit without credentials, encryption."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from rapport.core.models import AuditEvent, Membership
from rapport.core.roles import Role
from rapport.listening import actions, crypto
from rapport.listening.access import access_post, access_query, access_source
from rapport.listening.models import ListeningQuery, Post, Source
from rapport.listening.tests.scenarios import FEED, make_query, make_source

SECRET = "w" * 40


def test_a_query_syntax_error_names_the_position(owner):
    with pytest.raises(actions.InvalidQuery) as caught:
        actions.create_query(owner, name="Bad", query="acme OR (bank")
    assert caught.value.position == 9
    assert caught.value.message_dict == {"query": ["At position 9: this '(' is never closed"]}
    assert isinstance(caught.value, ValidationError)
    assert not ListeningQuery.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"name": " "}, "name", "needs a name"),
        ({"label": "mood"}, "label", "use one of brand, product"),
        ({"query": ""}, "query", "the query is empty"),
    ],
)
def test_query_validation_names_the_field(owner, kwargs, field, message):
    with pytest.raises(ValidationError) as caught:
        actions.create_query(owner, **{"name": "Brand", "query": "acme", **kwargs})
    assert message in " ".join(caught.value.message_dict[field])


def test_query_names_are_unique_per_workspace(owner, globex):
    make_query(owner)
    with pytest.raises(ValidationError, match="already a query called"):
        make_query(owner, name="brand")
    globex_owner = Membership.objects.get(workspace=globex, role=Role.OWNER)
    make_query(globex_owner)  # another workspace may use the name


def test_queries_are_managed_by_managers_and_above(acme, make_member):
    agent = make_member(acme, Role.AGENT)
    with pytest.raises(PermissionDenied, match="manager"):
        make_query(agent)
    manager = make_member(acme, Role.MANAGER)
    query = make_query(manager)
    actions.deactivate_query(manager, query)
    assert ListeningQuery.objects.get(pk=query.pk).is_active is False
    actions.activate_query(manager, query)
    assert ListeningQuery.objects.get(pk=query.pk).is_active is True


def test_unknown_connectors_list_the_known_ones(owner):
    with pytest.raises(ValidationError) as caught:
        actions.create_source(owner, name="X", connector="myspace")
    message = caught.value.message_dict["connector"][0]
    assert "Unknown network 'myspace'" in message
    assert "mastodon" in message
    assert "rss" in message


def test_config_errors_name_the_field(owner):
    with pytest.raises(ValidationError) as caught:
        actions.create_source(owner, name="Blog", connector="rss", config={"feeds": ["ftp://x"]})
    assert caught.value.message_dict["config"][0].startswith("feeds.0:")
    with pytest.raises(ValidationError) as caught:
        actions.create_source(owner, name="Blog", connector="rss", config={"feed": [FEED]})
    assert any("feed" in m for m in caught.value.message_dict["config"])


def test_credential_errors_never_echo_the_secret(owner):
    with pytest.raises(ValidationError) as caught:
        actions.create_source(
            owner, name="Hook", connector="webhook", credentials={"secret": "short-secret-9"}
        )
    text = json.dumps(caught.value.message_dict)
    assert "secret: " in text
    assert "short-secret-9" not in text


def test_credentials_are_encrypted_and_never_in_the_audit_log(owner):
    source = actions.create_source(
        owner, name="Hook", connector="webhook", credentials={"secret": SECRET}
    )
    raw = Source.objects.filter(pk=source.pk).values_list("credentials_encrypted", flat=True)[0]
    assert SECRET not in raw
    assert raw
    assert crypto.decrypt_credentials(raw) == {"secret": SECRET}
    actions.update_source(owner, source, credentials={"secret": "z" * 40}, name="Hook 2")
    _, rotated = actions.rotate_webhook_secret(owner, source)
    actions.delete_source(owner, source)
    events = AuditEvent.objects.filter(verb__startswith="source.")
    assert [e.verb for e in events.order_by("id")] == [
        "source.create",
        "source.update",
        "source.rotate_secret",
        "source.delete",
    ]
    dumped = json.dumps([[e.before, e.after] for e in events])
    for secret in (SECRET, "z" * 40, rotated):
        assert secret not in dumped
    assert (events.get(verb="source.create").after or {})["has_credentials"] is True
    assert (events.get(verb="source.update").after or {})["credentials_changed"] is True


def test_a_changed_key_is_a_clear_error(owner, settings):
    source = actions.create_source(
        owner, name="Hook", connector="webhook", credentials={"secret": SECRET}
    )
    settings.SECRET_KEY = "another-secret-key-that-is-long-enough-0123456789"
    with pytest.raises(crypto.CredentialsUnreadable, match="encryption key"):
        crypto.decrypt_credentials(source.credentials_encrypted)


def test_an_explicit_encryption_key_wins(settings):
    from cryptography.fernet import Fernet

    key = Fernet.generate_key().decode()
    settings.RAPPORT_ENCRYPTION_KEY = key
    token = crypto.encrypt_credentials({"a": "b"})
    assert Fernet(key.encode()).decrypt(token.encode()) == b'{"a":"b"}'
    settings.RAPPORT_ENCRYPTION_KEY = Fernet.generate_key().decode()
    with pytest.raises(crypto.CredentialsUnreadable, match="encryption key"):
        crypto.decrypt_credentials(token)


def test_sources_with_credentials_need_an_admin(acme, make_member):
    manager = make_member(acme, Role.MANAGER)
    source = make_source(manager)
    with pytest.raises(PermissionDenied, match="admin"):
        actions.create_source(manager, name="Hook", connector="webhook")
    with pytest.raises(PermissionDenied, match="admin"):
        actions.update_source(manager, source, credentials={})
    actions.pause_source(manager, source)
    actions.resume_source(manager, source)
    agent = make_member(acme, Role.AGENT)
    with pytest.raises(PermissionDenied):
        actions.pause_source(agent, source)


def test_rotating_needs_a_webhook_source(owner):
    with pytest.raises(ValidationError, match="receive no webhooks"):
        actions.rotate_webhook_secret(owner, make_source(owner))


def test_poll_interval_is_bounded(owner):
    with pytest.raises(ValidationError) as caught:
        actions.create_source(
            owner, name="Blog", connector="rss", config={"feeds": [FEED]}, poll_every_seconds=5
        )
    assert "poll_every_seconds" in caught.value.message_dict


def test_access_helpers_answer_404_for_another_workspace(owner, globex):
    globex_owner = Membership.objects.get(workspace=globex, role=Role.OWNER)
    query, source = make_query(globex_owner), make_source(globex_owner)
    post = Post.objects.create(
        workspace=globex, network="rss", external_id="1", text="x", posted_at="2024-01-01T00:00Z"
    )
    for helper, pk in (
        (access_query, query.pk),
        (access_source, source.pk),
        (access_post, post.pk),
    ):
        with pytest.raises(Http404):
            helper(owner, pk)
        assert helper(globex_owner, pk).pk == pk
    with pytest.raises(Http404):
        access_query(owner, "not-a-number")


def test_a_new_or_reworded_query_is_matched_against_recent_posts(acme, owner):
    from datetime import timedelta

    from django.utils import timezone

    from rapport.connectors.base import Author, Batch, NormalisedPost
    from rapport.listening.ingest import receive

    now = timezone.now()
    posts = [
        NormalisedPost(
            network="mastodon",
            external_id=str(i),
            text=text,
            created_at=now - timedelta(hours=i),
            author=Author(external_id="a", handle="a"),
        )
        for i, text in enumerate(["Acme mortgage rates are up", "Globex has a new savings app"])
    ]
    receive(acme, Batch(posts=posts))
    lq = actions.create_query(owner, name="Mortgages", query="mortgage OR mortgages")
    assert [p.external_id for p in lq.posts.all()] == ["0"]
    actions.update_query(owner, lq, query="savings")
    assert [p.external_id for p in lq.posts.all()] == ["1"]
