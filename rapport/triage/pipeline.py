"""The triage pipeline: an ordered list of small steps, each `(post, ctx) -> post | Drop`.

A step may also `prepare(posts, ctx)` to do its work for the whole batch at once (one database
query, one model call), then answer per post. `Drop` stops the remaining steps for that post
(a duplicate is linked to its original and not classified again); every post is saved either way.

The steps work on Post objects saved or not: `receive(triage="inline")` triages new posts before
inserting them, so each is written once; the background task triages stored posts by id. What a
step learns about a post in passing (its matches, its prediction) is kept in the context under
`key(post)`, the object's identity, since an unsaved post has no primary key yet.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from django.db import transaction
from django.utils import timezone

from rapport.listening.matcher import Matcher
from rapport.listening.models import ListeningQuery, Post, PostMatch
from rapport.triage.classifier import Classifier, Prediction, get_classifier


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
    #: The route step queues one inbox task per batch after commit instead of grouping and
    #: routing in the ingest's transaction (bulk ingestion, the triage worker).
    hand_over: bool = False


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
        steps.Route(),
    ]


def process(workspace_id: int, posts: Sequence[Post], ctx: Context | None = None) -> Context:
    """Runs the pipeline over `posts`, saved or not, changing them in memory; saves nothing."""
    ctx = ctx or context_for(workspace_id)
    run(default_steps(), posts, ctx)
    for post in posts:
        post.triaged_at = ctx.now
    return ctx


def saved(posts: Sequence[Post], ctx: Context) -> None:
    """Tells the steps that need saved posts (the inbox's route step) that the batch is stored."""
    for step in default_steps():
        after = getattr(step, "saved", None)
        if after is not None:
            after(posts, ctx)


def changed_fields() -> list[str]:
    return sorted({f for s in default_steps() for f in s.fields} | {"triaged_at"})


def post_matches(posts: Sequence[Post], ctx: Context) -> list[PostMatch]:
    """The PostMatch rows of `posts`, once they are saved."""
    from rapport.core.bulk import row_maker

    matches, make = ctx.matches, row_maker(PostMatch)
    return [
        make(post_id=post.pk, query_id=query_id)
        for post in posts
        for query_id in matches.get(key(post), ())
    ]


def process_posts(
    workspace_id: int,
    post_ids: Sequence[int],
    ctx: Context | None = None,
    *,
    hand_over: bool = False,
) -> int:
    """Triage stored posts (queued batches, edits): save what the steps changed, the matches.

    With `hand_over`, the inbox gets the batch in a task of its own after commit.
    """
    with transaction.atomic():
        posts = list(Post.objects.filter(workspace_id=workspace_id, pk__in=post_ids))
        ctx = ctx or context_for(workspace_id)
        ctx.hand_over = ctx.hand_over or hand_over
        ctx = process(workspace_id, posts, ctx)
        Post.objects.bulk_update(posts, changed_fields(), batch_size=500)
        PostMatch.objects.filter(post__in=posts).delete()  # an edit may no longer match
        PostMatch.objects.bulk_create(post_matches(posts, ctx), batch_size=1000)
        saved(posts, ctx)
    return len(posts)
