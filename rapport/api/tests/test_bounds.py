"""Numbers from outside are bounded: a 20-digit page or id is a 422 naming it (a 404 where it
is text that may name something), never the database's overflow; the schema says the bounds, names
each body once, and documents the errors each operation answers."""

import json

import pytest
from ninja import Field, NinjaAPI, Schema
from ninja.errors import ConfigError

from rapport.api.documentation import DocumentedSchema
from rapport.api.openapi import render
from rapport.cases.actions import create_case
from rapport.core.roles import Role

HUGE = 10**20  # past a signed 64-bit integer: SQLite's OverflowError, PostgreSQL's bigint range


@pytest.fixture
def client(api_client, owner):
    return api_client(owner)


def problems_of(response) -> list[tuple[str, ...]]:
    assert response.status_code == 422, response.content
    return [tuple(map(str, e["loc"])) for e in response.json()["errors"]]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/teams",
        "/api/v1/members",
        "/api/v1/audit-events",
        "/api/v1/posts",
        "/api/v1/queries",
        "/api/v1/sources",
        "/api/v1/notifications",
        "/api/v1/approvals",
        "/api/v1/replies",
        "/api/v1/canned-responses",
        "/api/v1/cases",
        "/api/v1/contacts",
        "/api/v1/merge-suggestions",
    ],
)
def test_a_huge_page_number_is_a_422_naming_the_page(client, path):
    response = client.get(path, {"page": HUGE})
    assert problems_of(response) == [("query", "page")]
    assert (
        response.json()["detail"] == "query.page: Input should be less than or equal to 2147483647"
    )


def test_a_page_past_the_last_is_empty(client, owner):
    assert client.get("/api/v1/teams", {"page": 2**31 - 1}).json() == {"items": [], "count": 0}
    case = create_case(owner, subject="Card charged twice")
    timeline = client.get(f"/api/v1/cases/{case.pk}/timeline", {"page": 2**31 - 1})
    assert timeline.json() == {"items": [], "page": 2**31 - 1, "has_next": False}


def test_the_case_timeline_bounds_its_page(client, owner):
    case = create_case(owner, subject="Card charged twice")
    response = client.get(f"/api/v1/cases/{case.pk}/timeline", {"page": HUGE})
    assert problems_of(response) == [("query", "page")]


@pytest.mark.parametrize(
    "path", ["/api/v1/cases/{}", "/api/v1/teams/{}", "/api/v1/contacts/{}", "/api/v1/tasks/{}"]
)
def test_a_20_digit_id_in_the_path_is_a_422_naming_it(client, path):
    response = client.get(path.format(HUGE))
    (problem,) = problems_of(response)
    assert problem[0] == "path"
    assert problem[1].endswith("_id")


def test_an_id_of_zero_is_a_422_and_the_largest_is_a_404(client):
    assert problems_of(client.get("/api/v1/cases/0")) == [("path", "case_id")]
    assert client.get(f"/api/v1/cases/{2**63 - 1}").status_code == 404


def test_a_20_digit_id_in_a_body_is_a_422_naming_the_field(client, owner):
    send = {"content_type": "application/json"}
    response = client.post("/api/v1/dedupe-runs", json.dumps({"contact_ids": [HUGE]}), **send)
    assert problems_of(response) == [("body", "payload", "contact_ids", "0")]
    case = create_case(owner, subject="Card charged twice")
    merge = client.post(f"/api/v1/cases/{case.pk}/merge", json.dumps({"into": HUGE}), **send)
    assert problems_of(merge) == [("body", "payload", "into")]


@pytest.mark.parametrize(
    ("path", "query", "status"),
    [
        ("/api/v1/cases", {"team": str(HUGE)}, 400),
        ("/api/v1/cases", {"owner": str(HUGE)}, 400),
        ("/api/v1/cases", {"q": str(HUGE)}, 200),
        ("/api/v1/cases", {"q": f"#{HUGE}"}, 200),
        ("/api/v1/contacts", {"owner": str(HUGE)}, 400),
        ("/api/v1/contacts", {"organization": "²"}, 400),
        ("/api/v1/conversations", {"team": str(HUGE)}, 400),
        ("/api/v1/conversations", {"query": str(HUGE)}, 400),
        ("/api/v1/conversations", {"priority": str(HUGE)}, 400),
        ("/api/v1/conversations", {"after": f"2026-01-01T00:00:00+00:00_{HUGE}"}, 400),
        ("/api/v1/conversations", {"view": f"saved-{HUGE}"}, 200),
        ("/api/v1/posts", {"query": str(HUGE)}, 404),
    ],
)
def test_ids_written_in_filters_are_checked_before_the_database(client, path, query, status):
    response = client.get(path, query)
    assert response.status_code == status, response.content
    if status == 400:
        (name,) = query
        assert name in response.json()["detail"]


def test_a_json_body_that_is_not_an_object_is_a_422(client):
    response = client.patch(
        "/api/v1/engagement-policy", "[null, null]", content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "body: Input should be a JSON object, not list"


def test_text_with_a_nul_character_is_a_422_naming_where(client, owner):
    # PostgreSQL stores no NUL in text or JSON: it was a 500 there
    body = json.dumps({"name": "Dispute", "schema": {"properties": {"a\u0000": {}}}})
    response = client.post("/api/v1/case-types", body, content_type="application/json")
    assert problems_of(response) == [("body", "schema", "properties", "a\x00")]
    assert response.json()["detail"].endswith("Text may not contain the NUL character (\\u0000)")
    listed = client.get("/api/v1/cases", {"q": "card\x00"})
    assert problems_of(listed) == [("query", "q")]


def test_a_body_that_is_not_json_is_a_400_saying_so(client):
    response = client.post("/api/v1/teams", "{name: Claims", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Cannot parse request body: it is not JSON (")


def _inputs(schema: dict) -> list[tuple[str, dict]]:
    found: list[tuple[str, dict]] = []

    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            if node.get("type") == "integer":
                found.append((where, node))
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}/{i}")

    components = schema["components"]["schemas"]
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            walk(op.get("parameters", []), f"{method} {path}")
            for content in op.get("requestBody", {}).get("content", {}).values():
                ref = content["schema"].get("$ref", "")
                walk(components.get(ref.rsplit("/", 1)[-1], content["schema"]), f"{method} {path}")
    return found


def test_every_integer_a_client_sends_has_bounds_in_the_schema():
    schema = json.loads(render())
    inputs = _inputs(schema)
    assert len(inputs) > 60
    unbounded = [where for where, node in inputs if {"minimum", "maximum"} - node.keys()]
    assert unbounded == []


def test_every_operation_documents_its_errors_with_their_bodies():
    schema = json.loads(render())
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            responses = op["responses"]
            if op.get("security"):
                assert {"401", "403"} <= responses.keys(), (method, path)
            if "{" in path:
                assert "404" in responses, (method, path)
            if op.get("parameters") or "requestBody" in op:
                assert "422" in responses, (method, path)
    merge = schema["paths"]["/api/v1/cases/{case_id}/merge"]["post"]
    body = merge["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/CaseMergeIn"}
    assert schema["components"]["schemas"]["CaseMergeIn"]["required"] == ["into"]
    assert schema["components"]["schemas"]["ContactMergeIn"]["required"] == ["other_id"]
    reply = schema["paths"]["/api/v1/posts/{post_id}/replies"]["post"]["responses"]["422"]
    assert reply["content"]["application/json"]["schema"] == {
        "anyOf": [
            {"$ref": "#/components/schemas/BlockedOut"},
            {"$ref": "#/components/schemas/RequestInvalidOut"},
        ]
    }


def test_two_different_schemas_under_one_name_are_refused():
    api = NinjaAPI(urls_namespace="twins")

    def twin(field: str) -> type[Schema]:
        return type("MergeIn", (Schema,), {"__annotations__": {field: int}, field: Field(...)})

    first, second = twin("other_id"), twin("into")

    @api.post("/a")
    def a(request, payload: first) -> None: ...  # type: ignore[valid-type]

    @api.post("/b")
    def b(request, payload: second) -> None: ...  # type: ignore[valid-type]

    with pytest.raises(ConfigError, match="Two different schemas are named 'MergeIn'"):
        DocumentedSchema(api, "/")


def test_an_agent_sees_403_documented_and_answered(api_client, acme, make_member):
    agent = make_member(acme, Role.AGENT)
    response = api_client(agent).get("/api/v1/audit-events")
    assert response.status_code == 403
    assert set(response.json()) == {"detail"}


def test_a_broken_multipart_form_is_a_400_in_json(client):
    response = client.generic(
        "POST",
        "/api/v1/imports",
        b'--x\r\nContent-Disposition: form-data; name="file"\r\n',
        content_type="multipart/form-data; boundary=",
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Cannot parse the multipart form: ")
