"""Triaged posts for the correction tests, received the way connectors deliver them."""

from django.utils import timezone

from rapport.connectors.base import Author, Batch, NormalisedPost
from rapport.core.models import Workspace
from rapport.listening.ingest import receive
from rapport.listening.models import Post


def triaged_post(workspace: Workspace, text: str = "I love the new Acme app", n: int = 1) -> Post:
    receive(
        workspace,
        Batch(
            posts=[
                NormalisedPost(
                    network="mastodon",
                    external_id=f"{workspace.slug}-{n}",
                    text=text,
                    author=Author(external_id=f"a{n}", handle=f"dana{n}", reach=120),
                    created_at=timezone.now(),
                    url=f"https://mastodon.example/@dana/{n}",
                )
            ]
        ),
    )
    return Post.objects.get(workspace=workspace, external_id=f"{workspace.slug}-{n}")
