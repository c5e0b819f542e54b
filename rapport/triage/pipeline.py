"""The triage pipeline: an ordered list of small steps, each `(post, ctx) -> post | Drop`.

A step may also `prepare(posts, ctx)` to do its work for the whole batch at once (one database
query, one model call), then answer per post. `Drop` stops the remaining steps for that post
(a duplicate is linked to its original and not classified again); every post is saved either way.

The steps work on Post objects saved or not: listening's `post.storing` hook hands triage a
received batch before it is inserted, so each row is written once (`wiring.py`), and
`process_posts` triages stored posts by id (an edit). What a step learns about a post in passing
(its matches, its prediction) is kept in the context under `key(post)`, the object's identity,
since an unsaved post has no primary key yet. Either way, `post.triaged` tells the others once
the batch commits.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from django.db import transaction
from django.utils import timezone

from rapport.core.bulk import bulk_insert, row_maker
from rapport.core.events import emit
from rapport.listening.matcher import Matcher
from rapport.listening.models import ListeningQuery, Post, PostMatch
from rapport.triage.classifier import Classifier, Prediction, get_classifier
from rapport.triage.events import POST_TRIAGED


@dataclass(frozen=True, slots=True)
class Drop:
    reason: str


def key(post: Post) -> int:
    """The post's key in the context's dicts: the object itself, saved or not."""
    return id(post)


@dataclass
class Context:
    workspace_id: int
    matcher: Matcher
    query_labels: dict[int, str]
    classifier: Classifier
    now: datetime = field(default_factory=timezone.now)
    matches: dict[int, list[int]] = field(default_factory=dict)  # key(post) -> query ids
    predictions: dict[int, Prediction] = field(default_factory=dict)  # key(post) -> model
    scratch: dict[str, object] = field(default_factory=dict)  # a step's batch-wide state
    dropped: dict[int, str] = field(default_factory=dict)  # key(post) -> "step: reason"


class Step(Protocol):
    name: str
    fields: tuple[str, ...]  # the Post fields it may change, saved after the run

    def prepare(self, posts: Sequence[Post], ctx: Context) -> None: ...

    def __call__(self, post: Post, ctx: Context) -> Post | Drop: ...


_matchers: dict[tuple[int, tuple[tuple[int, str], ...]], Matcher] = {}


def context_for(workspace_id: int, classifier: Classifier | None = None) -> Context:
    """The workspace's active queries compiled once per change, and the classifier."""
    rows = tuple(
        ListeningQuery.objects.filter(workspace_id=workspace_id, is_active=True)
        .order_by("pk")
        .values_list("pk", "query", "label")
    )
    signature = tuple((pk, text) for pk, text, _ in rows)
    key = (workspace_id, signature)
    matcher = _matchers.get(key)
    if matcher is None:
        matcher = Matcher(signature)
        _matchers.clear()  # one workspace at a time is enough; keeps memory flat
        _matchers[key] = matcher
    return Context(
        workspace_id=workspace_id,
        matcher=matcher,
        query_labels={pk: label for pk, _, label in rows},
        classifier=classifier or get_classifier(),
    )


def run(steps: Sequence[Step], posts: Sequence[Post], ctx: Context) -> list[Post]:
    """Runs the steps over the batch; returns the posts that no step dropped."""
    alive = list(posts)
    for step in steps:
        step.prepare(alive, ctx)
        survivors = []
        for post in alive:
            result = step(post, ctx)
            if isinstance(result, Drop):
                ctx.dropped[key(post)] = f"{step.name}: {result.reason}"
            else:
                survivors.append(result)
        alive = survivors
    return alive


def default_steps() -> list[Step]:
    from rapport.triage import steps

    return [
        steps.Normalise(),
        steps.Dedupe(),
        steps.MatchQueries(),
        steps.ResolveIdentity(),
        steps.DetectLanguage(),
        steps.Classify(),
        steps.Score(),
    ]


def process(workspace_id: int, posts: Sequence[Post], ctx: Context | None = None) -> Context:
    """Runs the pipeline over `posts`, saved or not, changing them in memory; saves nothing."""
    ctx = ctx or context_for(workspace_id)
    run(default_steps(), posts, ctx)
    for post in posts:
        post.triaged_at = ctx.now
    return ctx


def changed_fields() -> list[str]:
    return sorted({f for s in default_steps() for f in s.fields} | {"triaged_at"})


def post_matches(posts: Sequence[Post], ctx: Context) -> list[PostMatch]:
    """The PostMatch rows of `posts`, once they are saved."""
    matches, make = ctx.matches, row_maker(PostMatch)
    return [
        make(post_id=post.pk, query_id=query_id)
        for post in posts
        for query_id in matches.get(key(post), ())
    ]


def triaged(workspace_id: int, posts: Sequence[Post]) -> None:
    """Tells the others, once the transaction commits, that `posts` (saved) went through."""
    ids = [p.pk for p in posts if p.pk is not None]
    if ids:
        emit(POST_TRIAGED, workspace_id, ids=ids)


def process_posts(workspace_id: int, post_ids: Sequence[int], ctx: Context | None = None) -> int:
    """Triage stored posts (an edit): save what the steps changed, and the matches."""
    with transaction.atomic():
        posts = list(Post.objects.filter(workspace_id=workspace_id, pk__in=post_ids))
        ctx = process(workspace_id, posts, ctx or context_for(workspace_id))
        Post.objects.bulk_update(posts, changed_fields(), batch_size=500)
        PostMatch.objects.filter(post__in=posts).delete()  # an edit may no longer match
        bulk_insert(post_matches(posts, ctx))
        triaged(workspace_id, posts)
    return len(posts)
