"""Small factories for inbox tests: posts as triage leaves them, handed to the inbox."""

from datetime import datetime, timedelta
from itertools import count
from typing import Any

from django.utils import timezone

from rapport.contacts.models import Identity
from rapport.core.models import Membership, Team, Workspace
from rapport.inbox.grouping import Grouped
from rapport.inbox.intake import intake_stored
from rapport.inbox.models import Conversation
from rapport.listening.models import ListeningQuery, Post, PostMatch

_ids = count(1)


def query(workspace: Workspace, name: str = "Acme Bank", label: str = "brand") -> ListeningQuery:
    found, _ = ListeningQuery.objects.get_or_create(
        workspace=workspace, name=name, defaults={"query": "acme", "label": label}
    )
    return found


def identity(workspace: Workspace, handle: str = "jo", network: str = "mastodon", reach: int = 10):
    found, _ = Identity.objects.get_or_create(
        workspace=workspace,
        network=network,
        external_id=f"id-{handle}",
        defaults={"handle": handle, "reach": reach},
    )
    return found


def post(
    workspace: Workspace,
    text: str = "My card was declined again @acmebank",
    *,
    author: str = "jo",
    network: str = "mastodon",
    at: datetime | None = None,
    queries: list[ListeningQuery] | None = None,
    **fields: Any,
) -> Post:
    who = identity(workspace, author, network, fields.pop("reach", 10))
    n = next(_ids)
    p = Post.objects.create(
        workspace=workspace,
        network=network,
        external_id=fields.pop("external_id", f"p{n}"),
        url=f"https://mastodon.example/@{author}/{n}",
        identity=who,
        author_external_id=who.external_id,
        author_handle=author,
        author_name=author.title(),
        author_reach=who.reach,
        text=text,
        language=fields.pop("language", "en"),
        posted_at=at or timezone.now(),
        sentiment=fields.pop("sentiment", "negative"),
        intent=fields.pop("intent", "complaint"),
        priority=fields.pop("priority", 50),
        triaged_at=timezone.now(),
        **fields,
    )
    for q in queries if queries is not None else [query(workspace)]:
        PostMatch.objects.create(post=p, query=q)
    return p


def arrive(workspace: Workspace, *posts: Post) -> Grouped:
    """Hands stored posts to the inbox as its listener of `post.triaged` does."""
    return intake_stored(workspace.pk, [p.pk for p in posts])


def conversation(workspace: Workspace, text: str = "My card was declined", **fields: Any):
    grouped = arrive(workspace, post(workspace, text, **fields))
    conv = grouped.placed[0].conversation
    conv.refresh_from_db()
    return conv


def team(owner: Membership, name: str, *members: Membership) -> Team:
    from rapport.core import actions

    t = Team.objects.filter(workspace=owner.workspace, name=name).first() or actions.create_team(
        owner, name=name
    )
    for m in members:
        t.members.add(m)
    return t


def ago(**kwargs: float) -> datetime:
    return timezone.now() - timedelta(**kwargs)


def conversations(workspace: Workspace) -> list[Conversation]:
    return list(Conversation.objects.filter(workspace=workspace).order_by("pk"))
