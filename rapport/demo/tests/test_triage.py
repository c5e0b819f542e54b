"""The triage demo: colleagues' corrections on Acme's backlog, loaded once."""

import pytest

from rapport.demo import listening as listening_demo
from rapport.demo import triage as demo
from rapport.demo import workspace as demo_workspace
from rapport.triage.feedback import feedback_examples
from rapport.triage.models import TriageCorrection
from rapport.triage.tests.factories import triaged_post

pytestmark = pytest.mark.django_db


def test_demo_corrects_posts_the_model_got_wrong_once(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    workspace, owner = demo_workspace.create_workspace()
    demo_workspace.load(workspace, owner)
    listening_demo.load(workspace, owner)
    demo.load(workspace, owner)
    corrections = TriageCorrection.objects.filter(workspace=workspace)
    assert corrections.count() >= 3
    assert corrections.exclude(corrected_by=owner.user).exists()
    assert all(c.old_value != c.new_value for c in corrections)
    demo.load(workspace, owner)
    assert TriageCorrection.objects.filter(workspace=workspace).count() == corrections.count()
    assert sum(len(feedback_examples(t)) for t in ("sentiment", "intent", "complaint")) == (
        corrections.count()
    )


def test_a_question_labelled_otherwise_is_corrected(acme, owner):
    post = triaged_post(acme, "Fantastic service from Acme today, thanks Maya!")
    asked = triaged_post(acme, "does acme bank charge for transfers abroad?", n=2)
    demo.load(acme, owner)
    fixed = {c.post_id: (c.field, c.new_value) for c in TriageCorrection.objects.all()}
    if asked.intent != "question":
        assert fixed[asked.pk] == ("intent", "question")
    assert fixed.get(post.pk, ("", ""))[1] != "negative"
