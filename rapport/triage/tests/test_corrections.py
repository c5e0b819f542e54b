"""Correcting a post's labels: applied to the post, the model's original kept, one per field,
audited, validated; the badges' confidences; and the feedback the training command reads."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rapport.core.models import AuditEvent
from rapport.core.roles import Role
from rapport.listening.models import Post
from rapport.triage import actions
from rapport.triage.feedback import feedback_examples
from rapport.triage.models import TriageCorrection
from rapport.triage.selectors import triage_labels
from rapport.triage.tests.factories import triaged_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(acme, make_member):
    return make_member(acme, Role.AGENT)


@pytest.fixture
def post(acme):
    return triaged_post(acme, "Thank you Acme, the new app is brilliant and so fast!")


def test_a_correction_changes_the_post_and_keeps_the_models_label(agent, post):
    assert post.sentiment == "positive"
    model_score = post.sentiment_score
    correction = actions.correct_label(agent, post, field="sentiment", value="Negative")
    post.refresh_from_db()
    assert post.sentiment == "negative"
    assert post.sentiment_score == -1.0
    assert (correction.old_value, correction.old_score) == ("positive", model_score)
    assert (correction.new_value, correction.corrected_by) == ("negative", agent.user)
    event = AuditEvent.objects.get(verb="triage.correct")
    assert event.before == {"sentiment": "positive", "model": "positive"}
    assert event.after == {"sentiment": "negative"}
    assert event.object_id == str(post.pk)


def test_a_new_correction_replaces_the_old_and_the_models_label_restores_its_score(agent, post):
    model_score = post.sentiment_score
    actions.correct_label(agent, post, field="sentiment", value="negative")
    actions.correct_label(agent, post, field="sentiment", value="neutral")
    [only] = TriageCorrection.objects.filter(post=post, field="sentiment")
    assert (only.old_value, only.new_value) == ("positive", "neutral")
    actions.correct_label(agent, post, field="sentiment", value="positive")
    post.refresh_from_db()
    assert post.sentiment_score == model_score
    assert TriageCorrection.objects.get(post=post, field="sentiment").old_value == "positive"


def test_intent_and_complaint_corrections_and_priority(agent, acme):
    post = triaged_post(acme, "My card was declined again and nobody answers, fix this", n=2)
    before = post.priority
    assert post.intent == "complaint"
    actions.correct_label(agent, post, field="intent", value="question")
    actions.correct_label(agent, post, field="complaint", value="0")
    post.refresh_from_db()
    assert post.intent == "question"
    assert post.complaint_probability == 0.0
    assert post.priority == before - 10  # a complaint weighs 30, a question 20
    complaint = TriageCorrection.objects.get(post=post, field="complaint")
    assert complaint.old_value == "1"
    assert complaint.old_score is not None
    assert complaint.old_score >= 0.5


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("mood", "happy", "Unknown field 'mood'; use one of sentiment, intent, complaint"),
        ("sentiment", "furious", "Unknown sentiment label 'furious'; use one of negative"),
        ("intent", "spam", "Unknown intent label 'spam'"),
        ("complaint", "yes", "Unknown complaint label 'yes'; use one of 0, 1"),
    ],
)
def test_unknown_fields_and_labels_are_named(agent, post, field, value, message):
    with pytest.raises(ValidationError, match=message):
        actions.correct_label(agent, post, field=field, value=value)
    assert not TriageCorrection.objects.exists()


def test_viewers_cannot_correct_and_other_workspaces_posts_are_refused(
    acme, globex, post, make_member
):
    viewer = make_member(acme, Role.VIEWER)
    with pytest.raises(PermissionDenied, match="employee or above"):
        actions.correct_label(viewer, post, field="sentiment", value="negative")
    stranger = make_member(globex, Role.OWNER)
    with pytest.raises(PermissionDenied, match="another workspace"):
        actions.correct_label(stranger, post, field="sentiment", value="negative")
    post.refresh_from_db()
    assert post.sentiment == "positive"


def test_deleted_posts_keep_their_labels(agent, post):
    Post.objects.filter(pk=post.pk).update(text="", deleted_at=post.posted_at)
    post.refresh_from_db()
    with pytest.raises(ValidationError, match="deleted"):
        actions.correct_label(agent, post, field="sentiment", value="negative")


def test_badges_carry_the_models_confidence_until_a_person_corrects(agent, post):
    labels = triage_labels([post])[post.pk]
    assert labels.sentiment is not None
    assert labels.sentiment.label == "Positive"
    assert labels.sentiment.percent is not None
    assert 34 <= labels.sentiment.percent <= 100  # the label the model chose is its likeliest
    assert labels.intent is not None
    assert labels.intent.confidence is not None
    actions.correct_label(agent, post, field="sentiment", value="neutral")
    post.refresh_from_db()
    corrected = triage_labels([post])[post.pk].sentiment
    assert corrected is not None
    assert (corrected.label, corrected.confidence) == ("Neutral", None)
    assert corrected.model_label == "Positive"


def test_feedback_examples_across_workspaces(agent, acme, globex, make_member, post):
    other = triaged_post(globex, "Where can I open a savings account with you?", n=3)
    actions.correct_label(agent, post, field="sentiment", value="negative")
    actions.correct_label(agent, post, field="complaint", value="1")
    actions.correct_label(make_member(globex, Role.AGENT), other, field="intent", value="lead")
    assert feedback_examples("sentiment") == [(post.text, "negative")]
    assert feedback_examples("complaint") == [(post.text, "1")]
    assert feedback_examples("intent") == [(other.text, "lead")]
    with pytest.raises(ValueError, match="Unknown triage task 'topic'"):
        feedback_examples("topic")
