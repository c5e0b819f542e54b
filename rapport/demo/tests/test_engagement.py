"""The engagement demo: Acme's policy, canned responses, replies recorded in the outbox and one
waiting for a manager; loading it twice duplicates nothing."""

import pytest

from rapport.approvals import selectors as approval_selectors
from rapport.core.models import Membership
from rapport.demo import engagement as demo
from rapport.demo import listening as listening_demo
from rapport.demo import workspace as demo_workspace
from rapport.engagement.models import CannedResponse, EngagementPolicy, Reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def workspace(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    ws, owner = demo_workspace.create_workspace()
    demo_workspace.load(ws, owner)
    listening_demo.load(ws, owner)
    return ws, owner


def test_the_demo_has_a_policy_canned_responses_sent_replies_and_a_pending_approval(workspace):
    ws, owner = workspace
    demo.load(ws, owner)
    demo.load(ws, owner)  # idempotent
    policy = EngagementPolicy.objects.get(workspace=ws)
    assert "guaranteed returns" in policy.forbidden_phrases
    assert {"fraud", "lawsuit"} <= set(policy.sensitive_topics)
    assert policy.record_only
    assert list(policy.designated_teams.values_list("name", flat=True)) == ["Social Care"]
    assert CannedResponse.objects.filter(workspace=ws).count() == len(demo.CANNED)
    sent = Reply.objects.filter(workspace=ws, status=Reply.Status.SENT)
    assert sent.count() == len(demo.SENT)
    assert all(r.recorded_only for r in sent)
    waiting = Reply.objects.get(workspace=ws, status=Reply.Status.PENDING_APPROVAL)
    assert waiting.author is not None
    assert waiting.author.user.email == "ravi@acme.example"
    maya = Membership.objects.get(workspace=ws, user__email="maya@acme.example")
    [approval] = approval_selectors.approvals(maya)
    assert approval.object_id == waiting.pk
