"""Corrections people made in Rapport, as training examples for `rapport triage train
--include-feedback`: (the post's text as the model reads it, the corrected label)."""

from rapport.triage.models import CorrectedField, TriageCorrection

TASKS = tuple(CorrectedField.values)  # sentiment, intent, complaint


def feedback_examples(task: str) -> list[tuple[str, str]]:
    """Every workspace's current corrections of `task`, oldest first.

    Labels are sentiment negative/neutral/positive, intent complaint/praise/question/lead/idea/
    other, complaint "0"/"1". Posts deleted since (their text gone) are left out. The text is
    what the classify step gives the model: the title and the text joined by a space.
    """
    if task not in TASKS:
        raise ValueError(f"Unknown triage task {task!r}; use one of {', '.join(TASKS)}.")
    rows = (
        TriageCorrection.objects.filter(field=task, post__deleted_at__isnull=True)
        .order_by("created_at", "id")
        .values_list("post__title", "post__text", "new_value")
    )
    examples = []
    for title, text, label in rows:
        joined = f"{title} {text}".strip()
        if joined:
            examples.append((joined, label))
    return examples
