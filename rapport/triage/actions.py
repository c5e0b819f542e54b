"""A person corrects a label the model gave a post: audited, applied, kept as feedback."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from rapport.core.audit import action, record_by
from rapport.core.events import emit
from rapport.core.models import Membership
from rapport.core.permissions import Verb, require
from rapport.listening.models import Intent, Post, Sentiment
from rapport.triage.events import POST_RELABELLED
from rapport.triage.models import CorrectedField, TriageCorrection
from rapport.triage.steps import INTENT_WEIGHT

#: The labels each field takes; a complaint is "1" (it is one) or "0" (it is not).
LABELS: dict[str, tuple[str, ...]] = {
    CorrectedField.SENTIMENT: tuple(Sentiment.values),
    CorrectedField.INTENT: tuple(Intent.values),
    CorrectedField.COMPLAINT: ("0", "1"),
}
COMPLAINT_THRESHOLD = 0.5
#: What the score step adds for a negative post (rapport.triage.steps.Score).
NEGATIVE_WEIGHT = 20
HUMAN_SENTIMENT_SCORE = {"negative": -1.0, "neutral": 0.0, "positive": 1.0}


def clean_correction(field: str, value: str) -> tuple[str, str]:
    """(field, value) as stored; a ValidationError names an unknown field or label."""
    if field not in LABELS:
        known = ", ".join(LABELS)
        raise ValidationError({"field": f"Unknown field {field!r}; use one of {known}."})
    value = str(value).strip().lower()
    if value not in LABELS[field]:
        known = ", ".join(LABELS[field])
        raise ValidationError({"value": f"Unknown {field} label {value!r}; use one of {known}."})
    return field, value


def current_label(post: Post, field: str) -> tuple[str, float | None]:
    """The post's label for `field` now, with the score behind it."""
    if field == CorrectedField.SENTIMENT:
        return post.sentiment, post.sentiment_score
    if field == CorrectedField.INTENT:
        return post.intent, None
    p = post.complaint_probability
    return ("1" if p is not None and p >= COMPLAINT_THRESHOLD else "0"), p


def _priority(post: Post, field: str, old: str, new: str) -> int:
    """The score step's priority with the corrected label in place of the old one."""
    delta = 0
    if field == CorrectedField.INTENT:
        delta = INTENT_WEIGHT.get(new, 0) - INTENT_WEIGHT.get(old, 0)
    elif field == CorrectedField.SENTIMENT:
        delta = NEGATIVE_WEIGHT * ((new == "negative") - (old == "negative"))
    return max(0, min(100, post.priority + delta))


@action("triage.correct")
def correct_label(actor: Membership, post: Post, *, field: str, value: str) -> TriageCorrection:
    """Sets `field` (sentiment, intent or complaint) of `post` to `value`, as a person says.

    The first correction of a field keeps the model's label and score; a later one replaces the
    correction but keeps that original, and choosing the model's label again restores its score.
    """
    require(actor, Verb.CORRECT_TRIAGE)
    if post.workspace_id != actor.workspace_id:
        raise PermissionDenied("That post belongs to another workspace.")
    field, value = clean_correction(field, value)
    if post.deleted_at is not None:
        raise ValidationError("This post was deleted on its network; its labels stay as they were.")
    if post.triaged_at is None:
        raise ValidationError("This post has not been triaged yet; correct it once it has labels.")
    existing = TriageCorrection.objects.filter(post=post, field=field).first()
    now_label, now_score = current_label(post, field)
    model_label, model_score = (
        (existing.old_value, existing.old_score) if existing else (now_label, now_score)
    )
    changed: list[str] = ["priority"]
    post.priority = _priority(post, field, now_label, value)
    if field == CorrectedField.SENTIMENT:
        post.sentiment = value
        post.sentiment_score = model_score if value == model_label else HUMAN_SENTIMENT_SCORE[value]
        changed += ["sentiment", "sentiment_score"]
    elif field == CorrectedField.INTENT:
        post.intent = value
        changed.append("intent")
    else:
        post.complaint_probability = model_score if value == model_label else float(value)
        changed.append("complaint_probability")
    post.save(update_fields=changed)
    correction, _ = TriageCorrection.objects.update_or_create(
        post=post,
        field=field,
        defaults={
            "workspace_id": post.workspace_id,
            "old_value": model_label,
            "old_score": model_score,
            "new_value": value,
            "corrected_by": actor.user,
            "created_at": timezone.now(),
        },
    )
    before: dict[str, Any] = {field: now_label, "model": model_label}
    record_by(actor, verb="triage.correct", obj=post, before=before, after={field: value})
    emit(
        POST_RELABELLED,
        post.workspace_id,
        actor=actor,
        object_id=post.pk,
        field=field,
        before=now_label,
        after=value,
    )
    return correction
