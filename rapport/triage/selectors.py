"""The triage labels of posts as badges show them: the label, the model's confidence in it, and
the correction when a person changed it."""

from collections.abc import Sequence
from dataclasses import dataclass

from rapport.listening.models import Intent, Post, Sentiment
from rapport.triage.actions import COMPLAINT_THRESHOLD
from rapport.triage.classifier import Prediction, get_classifier
from rapport.triage.models import CorrectedField, TriageCorrection


@dataclass(frozen=True)
class Badge:
    field: str  # sentiment, intent or complaint
    value: str  # the label shown: negative, lead, "1"…
    label: str  # in words: Negative, Lead, Complaint
    confidence: float | None  # the model's probability for `value`; None when a person set it
    correction: TriageCorrection | None
    choices: tuple[tuple[str, str], ...]  # (value, words) a person may pick instead

    @property
    def percent(self) -> int | None:
        return None if self.confidence is None else round(self.confidence * 100)

    @property
    def model_label(self) -> str:
        """What the model had said, in words, for a corrected badge."""
        if self.correction is None:
            return self.label
        return dict(self.choices).get(self.correction.old_value, self.correction.old_value)


@dataclass(frozen=True)
class TriageLabels:
    sentiment: Badge | None
    intent: Badge | None
    complaint: Badge | None


COMPLAINT_CHOICES = (("1", "Complaint"), ("0", "Not a complaint"))


def _badge(
    field: str,
    value: str,
    choices: Sequence[tuple[str, str]],
    probabilities: dict[str, float],
    correction: TriageCorrection | None,
) -> Badge | None:
    if not value:
        return None
    return Badge(
        field=field,
        value=value,
        label=dict(choices).get(value, value),
        confidence=None if correction else probabilities.get(value),
        correction=correction,
        choices=tuple(choices),
    )


def triage_labels(posts: Sequence[Post]) -> dict[int, TriageLabels]:
    """The badges of each triaged post, by id: one model call for the batch, one query.

    The model's confidence is its probability for the label shown, from the shipped model
    (the same that triaged the post unless it was retrained since); a corrected label has none.
    """
    triaged = [p for p in posts if p.triaged_at is not None and p.deleted_at is None]
    if not triaged:
        return {}
    corrections = {
        (c.post_id, c.field): c
        for c in TriageCorrection.objects.filter(post__in=triaged).select_related("corrected_by")
    }
    predictions: list[Prediction] = get_classifier().predict(
        [f"{p.title} {p.text}".strip() for p in triaged]
    )
    labels = {}
    for post, prediction in zip(triaged, predictions, strict=True):
        complaint_p = post.complaint_probability
        complaint_value = (
            "" if complaint_p is None else "1" if complaint_p >= COMPLAINT_THRESHOLD else "0"
        )
        model_complaint = prediction.complaint_probability
        labels[post.pk] = TriageLabels(
            sentiment=_badge(
                CorrectedField.SENTIMENT,
                post.sentiment,
                Sentiment.choices,
                prediction.sentiment_probabilities,
                corrections.get((post.pk, CorrectedField.SENTIMENT)),
            ),
            intent=_badge(
                CorrectedField.INTENT,
                post.intent,
                Intent.choices,
                prediction.intent_probabilities,
                corrections.get((post.pk, CorrectedField.INTENT)),
            ),
            complaint=_badge(
                CorrectedField.COMPLAINT,
                complaint_value,
                COMPLAINT_CHOICES,
                {"1": model_complaint, "0": round(1 - model_complaint, 4)},
                corrections.get((post.pk, CorrectedField.COMPLAINT)),
            ),
        )
    return labels
