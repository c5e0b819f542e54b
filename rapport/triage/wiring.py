"""Triage labels each received batch while listening stores it (the `post.storing` hook)."""

from collections.abc import Callable

from rapport.core import hooks, warmup
from rapport.core.bulk import bulk_insert
from rapport.listening.models import Post
from rapport.triage.classifier import get_classifier
from rapport.triage.pipeline import context_for, post_matches, process, process_posts, triaged


@hooks.on("post.storing")
def label_while_stored(
    workspace_id: int, new: list[Post], edited: list[Post], then: list[Callable[[], None]]
) -> None:
    """New posts are triaged in memory before they are inserted, so each row is written once;
    their matches, and the edited posts (triaged again), once the new posts have ids."""
    ctx = process(workspace_id, new, context_for(workspace_id)) if new else None

    def after_insert() -> None:
        if ctx is not None:
            bulk_insert(post_matches(new, ctx))
            triaged(workspace_id, new)
        if edited:
            process_posts(workspace_id, [p.pk for p in edited])

    then.append(after_insert)


# A worker loads the models once, before it forks a child per job (`core/warmup.py`).
warmup.register(get_classifier)
