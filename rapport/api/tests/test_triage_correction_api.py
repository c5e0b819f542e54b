"""POST /api/v1/posts/{id}/triage-correction: applied, named errors, tenancy."""

import json

import pytest

from rapport.core.models import AuditEvent
from rapport.core.roles import Role
from rapport.listening.models import Post
from rapport.triage.models import TriageCorrection
from rapport.triage.tests.factories import triaged_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(acme):
    return triaged_post(acme, "Thank you Acme, the new app is brilliant and so fast!")


def correct(client, post_id, body):
    return client.post(
        f"/api/v1/posts/{post_id}/triage-correction", json.dumps(body), "application/json"
    )


def test_a_correction_is_applied_and_returned(api_client, owner, post):
    response = correct(api_client(owner), post.pk, {"field": "sentiment", "value": "Negative"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["post_id"] == post.pk
    assert body["sentiment"] == "negative"
    assert body["corrections"] == [
        {
            "field": "sentiment",
            "model_value": "positive",
            "value": "negative",
            "corrected_by": owner.user.email,
            "created_at": body["corrections"][0]["created_at"],
        }
    ]
    assert Post.objects.get(pk=post.pk).sentiment == "negative"
    assert AuditEvent.objects.filter(verb="triage.correct", actor=owner.user).count() == 1


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"field": "mood", "value": "happy"}, "unknown field 'mood'"),
        ({"field": "sentiment", "value": "furious"}, "unknown sentiment label 'furious'"),
        ({"field": "complaint", "value": "yes"}, "unknown complaint label 'yes'; use one of 0, 1"),
        ({"field": "intent"}, "value: Field required"),
    ],
)
def test_unknown_fields_and_labels_are_422_naming_them(api_client, owner, post, body, named):
    response = correct(api_client(owner), post.pk, body)
    assert response.status_code == 422
    assert named in response.json()["detail"]
    assert not TriageCorrection.objects.exists()


def test_another_workspaces_post_is_404(api_client, globex, make_member, post):
    response = correct(
        api_client(make_member(globex, Role.OWNER)), post.pk, {"field": "intent", "value": "lead"}
    )
    assert response.status_code == 404
    assert not TriageCorrection.objects.exists()


def test_viewers_may_not_correct(api_client, acme, make_member, post):
    response = correct(
        api_client(make_member(acme, Role.VIEWER)), post.pk, {"field": "intent", "value": "lead"}
    )
    assert response.status_code == 403
    assert "employee or above" in response.json()["detail"]
