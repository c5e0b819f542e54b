"""A handful of corrections in the demo: colleagues fixing labels the model got wrong on Acme's
backlog, so the Listening badges show corrected labels and `--include-feedback` has examples.

Each rule finds the newest post the model labelled one way while its words say another. Loaded
once: a workspace that has corrections gets no more.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from rapport.core.models import Membership, Workspace
from rapport.listening.models import Post
from rapport.triage.actions import COMPLAINT_THRESHOLD, correct_label
from rapport.triage.models import TriageCorrection


@dataclass(frozen=True)
class Rule:
    who: str  # the demo person (email name) who corrects
    field: str
    value: str
    applies: Callable[[Post], bool]


def _says(pattern: str) -> Callable[[str], bool]:
    compiled = re.compile(pattern, re.IGNORECASE)
    return lambda text: compiled.search(text) is not None


_ASKS = _says(r"^(does|do|can|how|is|are|what|where|when|anyone)\b[^.!]*\?")
_WANTS = _says(r"\b(looking for|recommend|thinking of switching|open an? |best rate)\b")
_IDEA = _says(
    r"\b(would be (great|nice)|wish (you|there was|the app)|please add|feature request)\b"
)

RULES = [
    Rule("sam", "intent", "question", lambda p: p.intent not in ("", "question") and _ASKS(p.text)),
    Rule("nora", "intent", "lead", lambda p: p.intent not in ("", "lead") and _WANTS(p.text)),
    Rule("ravi", "intent", "idea", lambda p: p.intent not in ("", "idea") and _IDEA(p.text)),
    # The model contradicting itself: a complaint read as positive, or not as a complaint.
    Rule(
        "priya",
        "sentiment",
        "negative",
        lambda p: p.intent == "complaint" and p.sentiment == "positive",
    ),
    Rule(
        "sam",
        "sentiment",
        "negative",
        lambda p: p.intent == "complaint" and p.sentiment == "neutral",
    ),
    Rule(
        "maya",
        "complaint",
        "1",
        lambda p: p.intent == "complaint" and (p.complaint_probability or 0) < COMPLAINT_THRESHOLD,
    ),
    Rule(
        "sam", "sentiment", "positive", lambda p: p.intent == "praise" and p.sentiment == "neutral"
    ),
]


def load(workspace: Workspace, owner: Membership) -> None:
    if TriageCorrection.objects.filter(workspace=workspace).exists():
        return
    people = {
        m.user.email.split("@")[0]: m
        for m in Membership.objects.filter(workspace=workspace).select_related("user", "workspace")
    }
    posts = list(
        Post.objects.filter(
            workspace=workspace, triaged_at__isnull=False, deleted_at__isnull=True
        ).order_by("-posted_at", "-id")[:300]
    )
    used: set[int] = set()
    for rule in RULES:
        actor = people.get(rule.who, owner)
        for post in posts:
            if post.pk not in used and rule.applies(post):
                correct_label(actor, post, field=rule.field, value=rule.value)
                used.add(post.pk)
                break
