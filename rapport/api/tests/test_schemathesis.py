"""The API is what its schema says: schemathesis sends every operation of the app's own OpenAPI
schema generated requests (valid and invalid, bounded per operation, a fixed seed) as a member
of a workspace with some data, and every answer must be documented, never a 500.

In valid requests, half the path ids are the workspace's real objects, so answers with bodies
(not only 404s) are checked against their schemas too.
"""

import json
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone
from schemathesis import checks

from rapport.api.openapi import render
from rapport.core import actions
from rapport.core.models import Membership
from rapport.core.roles import Role
from rapport.engagement.tests.factories import make_post
from rapport.ideas import actions as idea_actions
from rapport.ideas.models import Announcement, Idea
from rapport.recognition.tasks import make_recognition_report

#: examples per operation and phase: enough to find an unbounded integer or an undocumented
#: answer, few enough that the 100-odd operations run in about two minutes on two cores
EXAMPLES = 12
SEED = 20261206

CONFIG = schemathesis.config.SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        "generation": {
            "max-examples": EXAMPLES,
            "database": "none",
            # the test sends the token itself (`ignored_auth` checks that it is needed), and an
            # unknown query parameter is ignored, as HTTP APIs do
            "with-security-parameters": False,
            "allow-extra-parameters": False,
        },
        "phases": {"examples": {"enabled": True}, "coverage": {"enabled": True}},
    }
)
schema = schemathesis.openapi.from_dict(json.loads(render()), config=CONFIG)
schema.app = WSGIHandler()

#: the ids of the workspace's real objects, by path parameter name, set by the `world` fixture
KNOWN: dict[str, list[int]] = {}


def post(client: Client, path: str, body: dict[str, Any]) -> Any:
    response = client.post(f"/api/v1{path}", data=json.dumps(body), content_type="application/json")
    assert response.status_code < 300, (path, response.status_code, response.content[:500])
    return response.json()


@pytest.fixture
def world(acme, make_member, api_client, settings, tmp_path) -> dict[str, str]:
    """A workspace with one of most things, and the owner's token."""
    settings.VAR_DIR = tmp_path  # where the HR report's files are written
    owner = Membership.objects.get(workspace=acme, role=Role.OWNER)
    agent = make_member(acme, Role.AGENT, "sam@acme.example")
    _, raw = actions.create_api_token(owner, name="schemathesis")
    client = api_client(owner)
    team = post(client, "/teams", {"name": "Claims"})
    contacts = [
        post(client, "/contacts", {"name": name, "email": email})
        for name, email in [("Dana Scully", "dana@x.example"), ("Dana Scully", "dana@y.example")]
    ]
    case_type = post(client, "/case-types", {"name": "Dispute", "schema": {}})
    cases = [
        post(
            client,
            "/cases",
            {
                "subject": subject,
                "customer_id": contacts[0]["id"],
                "team_id": team["id"],
                "owner_id": agent.pk,
                "case_type_id": case_type["id"],
            },
        )
        for subject in ("Card charged twice", "Card charged twice again")
    ]
    task = post(client, f"/cases/{cases[0]['id']}/tasks", {"title": "Call the customer"})
    post(client, f"/cases/{cases[0]['id']}/comments", {"body": "@sam please look", "public": False})
    approval = post(
        client, f"/cases/{cases[0]['id']}/approvals", {"approver_id": agent.pk, "summary": "Refund"}
    )
    query = post(client, "/queries", {"name": "Brand", "query": '"acme bank"'})
    source = post(client, "/sources", {"name": "Pushed", "connector": "webhook"})
    heard = make_post(acme, "@acmebank my card was charged twice, can you help?")
    canned = post(client, "/canned-responses", {"name": "Sorry", "text": "Sorry to hear that."})
    run = post(client, "/tasks/worker-check", {})
    area = post(client, "/idea-areas", {"name": "Mobile app"})
    ideas = [
        post(client, "/ideas", {"title": title, "area_id": area["id"], "contact_id": contact["id"]})
        for title, contact in (("Dark mode", contacts[0]), ("Night theme", contacts[1]))
    ]
    vote = post(client, f"/ideas/{ideas[0]['id']}/votes", {"contact_id": contacts[1]["id"]})
    shipped = Idea.objects.get(pk=ideas[1]["id"])
    idea_actions.change_status(owner, shipped, "shipped", "Out in 4.2")
    Announcement.objects.create(
        workspace=acme,
        change=shipped.status_changes.get(),
        idea=shipped,
        contact_id=contacts[1]["id"],
        channel="email",
        state="skipped",
        reason="Do not contact",
    )
    # the owner's note on the case above is a contribution: a report of today has it
    today = timezone.localdate().isoformat()
    report = post(client, "/reports/recognition", {"since": today, "until": today})
    make_recognition_report.call(report["id"])
    KNOWN.clear()
    KNOWN.update(
        team_id=[team["id"]],
        member_id=[owner.pk, agent.pk],
        contact_id=[c["id"] for c in contacts],
        case_id=[c["id"] for c in cases],
        type_id=[case_type["id"]],
        run_id=[task["id"], run["id"]],
        approval_id=[approval["id"]],
        query_id=[query["id"]],
        source_id=[source["id"]],
        post_id=[heard.pk],
        canned_id=[canned["id"]],
        idea_id=[i["id"] for i in ideas],
        vote_id=[vote["id"]],
        report_id=[report["id"]],
    )
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def token(world):
    """The owner's token; the app keeps the test's database connection across requests, as
    Django's test client does (set last: the test client reconnects the signals after each call)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield world
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@hypothesis.settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_every_operation_answers_as_documented(case, token):
    if case.meta.generation.mode.is_positive:
        # half the ids in valid requests are the workspace's objects, so not every answer is a 404
        for name, value in case.path_parameters.items():
            n = int(value)  # sent as text
            if KNOWN.get(name) and n % 2:
                case.path_parameters[name] = str(KNOWN[name][n // 2 % len(KNOWN[name])])
    case.call_and_validate(
        headers=token,
        checks=[
            checks.not_a_server_error,
            checks.status_code_conformance,
            checks.content_type_conformance,
            checks.response_schema_conformance,
            checks.response_headers_conformance,
            checks.ignored_auth,
        ],
    )
