"""Demo notifications for Acme Bank's people: a few of each kind, some already read.

In-app only (`email=False`): loading the demo sends no mail. Loaded once; later runs add nothing.
"""

from datetime import timedelta

from django.utils import timezone

from rapport.core.models import Membership, Workspace
from rapport.notifications.actions import notify
from rapport.notifications.models import Kind, Notification

# (recipient, actor, kind, text, page under /w/<slug>/, hours ago, already read)
DEMO = [
    (
        "sam",
        "maya",
        Kind.HANDOFF,
        "Maya Chen handed you “Card declined abroad twice”",
        "inbox/",
        1,
        False,
    ),
    (
        "sam",
        "priya",
        Kind.MENTION,
        "Priya Nair mentioned you: “@sam can you check the refund?”",
        "inbox/",
        3,
        False,
    ),
    (
        "nora",
        "leo",
        Kind.ASSIGNED,
        "Leo Martins assigned you a lead: “Looking for a fixed-rate mortgage”",
        "inbox/",
        2,
        False,
    ),
    (
        "ravi",
        "sam",
        Kind.HANDOFF,
        "Sam Okafor asks you as an expert in “mobile app”: login loop on Android 15",
        "inbox/",
        5,
        False,
    ),
    (
        "ingrid",
        "sam",
        Kind.APPROVAL_REQUESTED,
        "Sam Okafor asks you to approve a reply offering a fee refund",
        "inbox/",
        4,
        False,
    ),
    (
        "maya",
        None,
        Kind.ESCALATED,
        "A negative post from an author with 120k followers was escalated to you",
        "listening/",
        6,
        False,
    ),
    (
        "sam",
        "ingrid",
        Kind.APPROVAL_DECIDED,
        "Ingrid Sorensen approved your reply to @dana_k",
        "inbox/",
        26,
        True,
    ),
    (
        "priya",
        None,
        Kind.REPLY_FAILED,
        "Your reply on Mastodon could not be posted: the post was deleted",
        "inbox/",
        30,
        True,
    ),
    (
        "olivia",
        "chloe",
        Kind.MENTION,
        "Chloe Dubois mentioned you: “the campaign launch drew 40 posts in an hour”",
        "listening/",
        8,
        False,
    ),
]


def load(workspace: Workspace, owner: Membership) -> None:
    if Notification.objects.filter(workspace=workspace).exists():
        return
    people = {
        m.user.email.split("@")[0]: m
        for m in Membership.objects.filter(workspace=workspace).select_related("user", "workspace")
    }
    now = timezone.now()
    for recipient, actor, kind, text, page, hours, read in DEMO:
        if recipient not in people or (actor and actor not in people):
            continue
        note = notify(
            people[recipient],
            kind,
            text,
            f"/w/{workspace.slug}/{page}",
            people[actor] if actor else None,
            email=False,
        )
        if note is not None:
            when = now - timedelta(hours=hours)
            Notification.objects.filter(pk=note.pk).update(
                created_at=when, read_at=when + timedelta(minutes=20) if read else None
            )
