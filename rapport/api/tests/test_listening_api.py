"""The listening API: posts, queries, sources and signed webhooks; tenancy and clear errors."""

import json
import time
from typing import Any

import pytest
from django.test import Client

from rapport.connectors.webhook.connector import sign
from rapport.core.models import AuditEvent, Membership
from rapport.core.roles import Role
from rapport.listening import actions
from rapport.listening.models import ListeningQuery, Post, QuarantinedPayload, Source
from rapport.listening.tests.scenarios import FEED, make_query, make_source

SECRET = "w" * 40


def post_item(i: int = 1, text: str = "I love Acme Bank's new app", **extra) -> dict:
    return {
        "network": "mastodon",
        "external_id": str(i),
        "text": text,
        "author": {"id": "42", "handle": "dana", "name": "Dana", "reach": 310},
        "url": f"https://mastodon.example/@dana/{i}",
        "created_at": "2024-03-05T10:12:44Z",
        **extra,
    }


@pytest.fixture
def globex_owner(globex) -> Membership:
    return Membership.objects.get(workspace=globex, role=Role.OWNER)


@pytest.fixture
def client(api_client, owner) -> Client:
    return api_client(owner)


@pytest.fixture
def hook(owner) -> Source:
    return actions.create_source(
        owner, name="Zapier", connector="webhook", credentials={"secret": SECRET}
    )


def send(client: Client, path: str, body: dict) -> Any:
    return client.post(path, data=json.dumps(body), content_type="application/json")


# Posts -------------------------------------------------------------------------------------


def test_pushing_the_same_batch_twice_stores_each_post_once(client, owner):
    body = {"posts": [post_item(1), post_item(2, "Acme support is slow")]}
    first = send(client, "/api/v1/posts", body)
    assert first.status_code == 200, first.json()
    assert first.json()["created"] == 2
    second = send(client, "/api/v1/posts", body)
    assert second.json() | {"post_ids": []} == {
        "created": 0,
        "updated": 0,
        "deleted": 0,
        "duplicates": 2,
        "quarantined": 0,
        "repeated": 0,
        "post_ids": [],
    }
    assert Post.objects.filter(workspace=owner.workspace).count() == 2


@pytest.mark.parametrize(
    ("item", "where"),
    [
        (post_item(network="myspace"), "unknown network"),
        (post_item(text=""), "needs text"),
        (post_item(created_at="2024-03-05T10:12:44"), "created_at"),
        ({k: v for k, v in post_item().items() if k != "author"}, "author"),
    ],
)
def test_a_bad_post_is_422_naming_the_field_and_nothing_is_stored(client, owner, item, where):
    send(client, "/api/v1/posts", {"posts": [post_item(9)]})
    response = send(client, "/api/v1/posts", {"posts": [post_item(1), item]})
    assert response.status_code == 422
    assert "posts.1" in response.json()["detail"]
    assert where in response.json()["detail"]
    assert Post.objects.filter(workspace=owner.workspace).count() == 1  # nothing lost either


def test_more_than_1000_posts_is_422(client):
    response = send(client, "/api/v1/posts", {"posts": [post_item(i) for i in range(1001)]})
    assert response.status_code == 422
    assert "1000" in response.json()["detail"]


def test_malformed_json_is_a_clear_error(client):
    response = client.post("/api/v1/posts", data="{nope", content_type="application/json")
    assert response.status_code in (400, 422)
    assert response.json()["detail"]


def test_viewers_cannot_push_posts(api_client, acme, make_member):
    viewer = make_member(acme, Role.VIEWER)
    response = send(api_client(viewer), "/api/v1/posts", {"posts": [post_item()]})
    assert response.status_code == 403


def test_posts_are_listed_filtered_by_query_and_shown_one_by_one(client, owner):
    query = make_query(owner)
    send(client, "/api/v1/posts", {"posts": [post_item(1), post_item(2, "weather is fine")]})
    assert Post.objects.get(external_id="1").matches.get().query == query  # matched as stored
    listing = client.get("/api/v1/posts").json()
    assert listing["count"] == 2
    by_id = client.get("/api/v1/posts", {"query": query.pk}).json()
    by_name = client.get("/api/v1/posts", {"query": "brand"}).json()
    assert [p["external_id"] for p in by_id["items"]] == ["1"]
    assert by_name["items"] == by_id["items"]
    assert by_id["items"][0]["queries"] == [{"id": query.pk, "name": "Brand", "label": "brand"}]
    assert client.get("/api/v1/posts", {"query": "nope"}).status_code == 404
    one = client.get(f"/api/v1/posts/{by_id['items'][0]['id']}")
    assert one.json()["text"] == "I love Acme Bank's new app"


# Queries -----------------------------------------------------------------------------------


def test_queries_crud_with_audit(client, owner):
    created = send(
        client,
        "/api/v1/queries",
        {"name": "Competitors", "query": "globex OR initech", "label": "competitor"},
    )
    assert created.status_code == 201, created.json()
    qid = created.json()["id"]
    assert created.json()["label"] == "competitor"
    assert client.get("/api/v1/queries").json()["count"] == 1
    changed = client.patch(
        f"/api/v1/queries/{qid}",
        data={"is_active": False},
        content_type="application/json",
    )
    assert changed.json()["is_active"] is False
    assert client.delete(f"/api/v1/queries/{qid}").status_code == 204
    assert client.get(f"/api/v1/queries/{qid}").status_code == 404
    verbs = list(
        AuditEvent.objects.filter(object_id=str(qid), verb__startswith="query.")
        .order_by("id")
        .values_list("verb", flat=True)
    )
    assert verbs == ["query.create", "query.update", "query.delete"]


@pytest.mark.parametrize("method", ["post", "patch"])
def test_a_query_syntax_error_is_400_with_its_position(client, owner, method):
    existing = make_query(owner)
    path = "/api/v1/queries" if method == "post" else f"/api/v1/queries/{existing.pk}"
    response = getattr(client, method)(
        path, data={"name": "Bad", "query": 'acme "bank'}, content_type="application/json"
    )
    assert response.status_code == 400
    body = response.json()
    assert "At position 6: this quote is never closed" in body["detail"]
    assert body["position"] == 6
    existing.refresh_from_db()
    assert existing.name == "Brand"


def test_an_unknown_label_is_422(client):
    response = send(client, "/api/v1/queries", {"name": "X", "query": "acme", "label": "mood"})
    assert response.status_code == 422
    assert "label" in response.json()["detail"]


def test_agents_cannot_manage_queries(api_client, acme, make_member):
    agent = make_member(acme, Role.AGENT)
    response = send(api_client(agent), "/api/v1/queries", {"name": "X", "query": "acme"})
    assert response.status_code == 403
    assert "manager" in response.json()["detail"]


# Sources -----------------------------------------------------------------------------------


def test_sources_crud_pause_resume_and_never_their_credentials(client, owner):
    created = send(
        client,
        "/api/v1/sources",
        {
            "name": "Mastodon",
            "connector": "mastodon",
            "config": {"instance_url": "https://mastodon.social", "hashtags": ["acme"]},
            "credentials": {"access_token": "tok-very-secret"},
        },
    )
    assert created.status_code == 201, created.json()
    source = created.json()
    assert source["has_credentials"] is True
    assert "credentials" not in source
    assert "tok-very-secret" not in created.content.decode()
    sid = source["id"]
    paused = client.post(f"/api/v1/sources/{sid}/pause").json()
    assert paused["status"] == "paused"
    resumed = client.post(f"/api/v1/sources/{sid}/resume").json()
    assert resumed["status"] == "active"
    renamed = client.patch(
        f"/api/v1/sources/{sid}", data={"name": "Fediverse"}, content_type="application/json"
    )
    assert renamed.json()["name"] == "Fediverse"
    for response in (client.get("/api/v1/sources"), client.get(f"/api/v1/sources/{sid}")):
        assert "tok-very-secret" not in response.content.decode()
    assert client.delete(f"/api/v1/sources/{sid}").status_code == 204
    assert client.get(f"/api/v1/sources/{sid}").status_code == 404
    events = AuditEvent.objects.filter(verb__startswith="source.")
    assert not any("tok-very-secret" in json.dumps([e.before, e.after]) for e in events)


def test_an_unknown_connector_lists_the_known_ones(client):
    response = send(client, "/api/v1/sources", {"name": "X", "connector": "myspace"})
    assert response.status_code == 400
    assert "Unknown network 'myspace'" in response.json()["detail"]
    assert "rss" in response.json()["detail"]
    assert response.json()["fields"]["connector"]


def test_a_bad_config_names_the_field(client):
    response = send(
        client, "/api/v1/sources", {"name": "Blog", "connector": "rss", "config": {"feeds": []}}
    )
    assert response.status_code == 400
    assert "config: feeds:" in response.json()["detail"]


def test_managers_may_not_give_credentials(api_client, acme, make_member):
    manager = make_member(acme, Role.MANAGER)
    client = api_client(manager)
    plain = send(
        client, "/api/v1/sources", {"name": "Blog", "connector": "rss", "config": {"feeds": [FEED]}}
    )
    assert plain.status_code == 201
    secret = send(
        client,
        "/api/v1/sources",
        {"name": "Hook", "connector": "webhook", "credentials": {"secret": SECRET}},
    )
    assert secret.status_code == 403
    assert "admin" in secret.json()["detail"].lower()


def test_a_webhook_source_gets_a_secret_shown_once(client):
    created = send(client, "/api/v1/sources", {"name": "Hook", "connector": "webhook"})
    assert created.status_code == 201
    body = created.json()
    assert len(body["webhook_secret"]) >= 32
    assert body["webhook_url"] == f"/api/v1/webhooks/{body['id']}"
    shown = client.get(f"/api/v1/sources/{body['id']}").json()
    assert "webhook_secret" not in shown
    rotated = client.post(f"/api/v1/sources/{body['id']}/rotate-secret").json()
    assert rotated["secret"] != body["webhook_secret"]
    assert rotated["header"] == "X-Rapport-Signature"


def test_another_workspaces_listening_objects_are_404(client, owner, globex_owner):
    query = make_query(globex_owner)
    source = make_source(globex_owner)
    hook = actions.create_source(globex_owner, name="Hook", connector="webhook")
    post = Post.objects.create(
        workspace=globex_owner.workspace,
        network="mastodon",
        external_id="g1",
        text="globex",
        posted_at="2024-03-05T10:12:44Z",
    )
    for method, path in [
        ("get", f"/api/v1/queries/{query.pk}"),
        ("patch", f"/api/v1/queries/{query.pk}"),
        ("delete", f"/api/v1/queries/{query.pk}"),
        ("get", f"/api/v1/sources/{source.pk}"),
        ("patch", f"/api/v1/sources/{source.pk}"),
        ("delete", f"/api/v1/sources/{source.pk}"),
        ("post", f"/api/v1/sources/{source.pk}/pause"),
        ("post", f"/api/v1/sources/{source.pk}/resume"),
        ("post", f"/api/v1/sources/{hook.pk}/rotate-secret"),
        ("get", f"/api/v1/posts/{post.pk}"),
    ]:
        response = getattr(client, method)(
            path, data={"name": "x"}, content_type="application/json"
        )
        assert response.status_code == 404, (method, path, response.content)
        assert response.json()["detail"].startswith("No such")
    assert client.get("/api/v1/posts", {"query": query.pk}).status_code == 404
    assert ListeningQuery.objects.get(pk=query.pk).name == "Brand"
    assert Source.objects.get(pk=source.pk).status == "active"
    assert client.get("/api/v1/posts").json()["count"] == 0
    assert client.get("/api/v1/queries").json()["count"] == 0
    assert client.get("/api/v1/sources").json()["count"] == 0


# Signed webhooks ---------------------------------------------------------------------------


def signed(body: bytes, secret: str = SECRET, at: int | None = None) -> dict[str, str]:
    return {"X-Rapport-Signature": sign(secret, body, at)}


def test_a_signed_webhook_is_received_once(hook, owner):
    body = json.dumps({"posts": [post_item(1), post_item(2)]}).encode()
    client = Client()
    first = client.post(
        f"/api/v1/webhooks/{hook.pk}", body, content_type="application/json", headers=signed(body)
    )
    assert first.status_code == 202, first.content
    assert first.json()["created"] == 2
    again = client.post(
        f"/api/v1/webhooks/{hook.pk}", body, content_type="application/json", headers=signed(body)
    )
    assert again.json()["duplicates"] == 2
    assert Post.objects.filter(source=hook).count() == 2


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "missing"),
        ({"X-Rapport-Signature": "t=1,v1=abc"}, "too old"),
        ("wrong-secret", "bad signature"),
        ("old", "too old"),
        ({"X-Rapport-Signature": "garbage"}, "malformed"),
    ],
)
def test_a_bad_or_missing_signature_is_401_and_logged(hook, headers: Any, reason, caplog):
    body = json.dumps({"posts": [post_item(1)]}).encode()
    if headers == "wrong-secret":
        headers = signed(body, secret="x" * 40)
    elif headers == "old":
        headers = signed(body, at=int(time.time()) - 3600)
    response = Client().post(
        f"/api/v1/webhooks/{hook.pk}", body, content_type="application/json", headers=headers
    )
    assert response.status_code == 401
    assert reason in response.json()["detail"]
    assert any(reason in r.getMessage() for r in caplog.records if r.levelname == "WARNING")
    assert SECRET not in caplog.text
    assert not Post.objects.exists()


def test_webhook_content_type_size_and_json_errors(hook, settings):
    url = f"/api/v1/webhooks/{hook.pk}"
    body = json.dumps({"posts": [post_item(1)]}).encode()
    wrong = Client().post(url, body, content_type="text/plain", headers=signed(body))
    assert wrong.status_code == 415
    assert "application/json" in wrong.json()["detail"]
    big = b'{"posts": [], "pad": "' + b"x" * (10 * 1024 * 1024) + b'"}'
    large = Client().post(url, big, content_type="application/json", headers=signed(big))
    assert large.status_code == 413
    bad = b'{"posts": [nope'
    invalid = Client().post(url, bad, content_type="application/json", headers=signed(bad))
    assert invalid.status_code == 400
    assert "not JSON" in invalid.json()["detail"]
    latin = '{"posts": ["caf\xe9"]}'.encode("latin-1")
    not_utf8 = Client().post(url, latin, content_type="application/json", headers=signed(latin))
    assert not_utf8.status_code == 400
    assert "UTF-8" in not_utf8.json()["detail"]


def test_a_bad_item_in_a_webhook_is_quarantined_and_the_rest_kept(hook):
    body = json.dumps({"posts": [post_item(1), post_item(2, text="")]}).encode()
    response = Client().post(
        f"/api/v1/webhooks/{hook.pk}", body, content_type="application/json", headers=signed(body)
    )
    assert response.status_code == 202
    assert response.json()["created"] == 1
    assert response.json()["quarantined"] == 1
    assert "text" in QuarantinedPayload.objects.get().reason


def test_unknown_paused_and_non_webhook_sources_are_the_same_404(hook, owner):
    rss = make_source(owner)
    actions.pause_source(owner, hook)
    body = b'{"posts": []}'
    for sid in (hook.pk, rss.pk, 999_999):
        response = Client().post(
            f"/api/v1/webhooks/{sid}", body, content_type="application/json", headers=signed(body)
        )
        assert response.status_code == 404
        assert response.json() == {"detail": "No such webhook"}


def test_the_committed_schema_has_the_listening_endpoints():
    from rapport.api.openapi import SCHEMA_FILE

    paths = json.loads(SCHEMA_FILE.read_text())["paths"]
    for path in [
        "/api/v1/posts",
        "/api/v1/posts/{post_id}",
        "/api/v1/queries",
        "/api/v1/queries/{query_id}",
        "/api/v1/sources",
        "/api/v1/sources/{source_id}",
        "/api/v1/sources/{source_id}/pause",
        "/api/v1/sources/{source_id}/resume",
        "/api/v1/webhooks/{source_id}",
    ]:
        assert path in paths, path
    assert (
        "security" not in paths["/api/v1/webhooks/{source_id}"]["post"]
        or not paths["/api/v1/webhooks/{source_id}"]["post"]["security"]
    )
