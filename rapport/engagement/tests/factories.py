"""Small factories of the engagement tests: a Mastodon source and the posts it heard."""

import itertools
from typing import Any

from django.utils import timezone

from rapport.core.models import Workspace
from rapport.listening.models import Post, Source

_ids = itertools.count(1000)


def make_source(workspace: Workspace, name: str = "Mastodon", **extra: Any) -> Source:
    return Source.objects.get_or_create(
        workspace=workspace,
        name=name,
        defaults={
            "connector": extra.pop("connector", "mastodon"),
            "config": extra.pop("config", {"instance_url": "https://mastodon.example"}),
            **extra,
        },
    )[0]


def make_post(
    workspace: Workspace,
    text: str = "@acmebank my card was charged twice, can you help?",
    *,
    network: str = "mastodon",
    handle: str = "dana",
    source: Source | bool | None = True,
    **extra: Any,
) -> Post:
    if source is True:
        source = make_source(workspace, connector=network) if network == "mastodon" else None
    return Post.objects.create(
        workspace=workspace,
        source=source or None,
        network=network,
        external_id=str(next(_ids)),
        url=f"https://mastodon.example/@{handle}/1",
        author_external_id=f"id-{handle}",
        author_handle=handle,
        author_name=extra.pop("author_name", "Dana Scully"),
        text=text,
        posted_at=timezone.now(),
        **extra,
    )
