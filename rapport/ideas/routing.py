"""The routing action "add to the most similar idea", which ideas registers with the inbox's
rules (`wiring.py`).

`{"type": "add_to_idea"}` acts on a conversation whose post's intent is idea: when an idea of
the workspace is similar enough (`similar.similar_ideas` scores it `threshold` or more), the
post's author votes for it, as "Add as a vote" would, by no member (the machine); the
conversation is tagged (`tag`, "idea" unless said) and its history says which idea, with the
score, or why none. With `"create": true`, a post with no idea close enough becomes a new idea,
its author the first voter. A person who voted already is not counted twice, and an idea that
is shipped or declined takes no more votes (the history says which it was).
"""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from rapport.ideas import actions, votes
from rapport.ideas.models import VOTABLE
from rapport.ideas.similar import similar_ideas
from rapport.inbox.cleaning import TAG, invalid
from rapport.inbox.models import Activity
from rapport.inbox.registry import ActionType, Names, Scope, Step
from rapport.inbox.routing import Plan, Router
from rapport.listening.models import Post

IDEA = "idea"
#: The least score that adds a post to an idea, chosen on the tune split of the duplicate pairs
#: (rapport/bench/ideas_quality.py): the most posts added right with 90% of added votes right.
THRESHOLD = 0.525
LOWEST_THRESHOLD = 0.3


def _clean(params: Mapping[str, Any], scope: Scope, where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "threshold" in params:
        value = params["threshold"]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise invalid(where, f"threshold must be a number between 0.3 and 1, not {value!r}")
        if not LOWEST_THRESHOLD <= value <= 1:
            raise invalid(where, f"threshold must be between 0.3 and 1, not {value}")
        out["threshold"] = round(float(value), 2)
    if "create" in params:
        if not isinstance(params["create"], bool):
            raise invalid(where, f"create must be true or false, not {params['create']!r}")
        out["create"] = params["create"]
    if "tag" in params:
        tag = params["tag"]
        if not isinstance(tag, str) or not TAG.match(tag.strip()):
            raise invalid(where, "a tag is 1-50 letters, digits, spaces or .&:/+-")
        out["tag"] = tag.strip().lower()
    return out


def _describe(step: Mapping[str, Any], names: Names) -> str:
    threshold = step.get("threshold", THRESHOLD)
    said = f"add an idea post to the most similar idea (similarity {threshold:g} or more)"
    if step.get("create"):
        said += ", else make it a new idea"
    return f"{said}; tag {step.get('tag', IDEA)}"


def _tag(router: Router, plan: Plan, step: Step) -> None:
    """Idea posts are tagged while the batch is routed (with the rule's other tags)."""
    if step.post.intent == IDEA:
        plan.tags.append((step.conversation, step.params.get("tag", IDEA)))


def _who(post: Post) -> str:
    return f"@{post.author_handle}" if post.author_handle else "the author"


def _add(router: Router, plan: Plan, step: Step, post: Post) -> None:
    threshold = step.params.get("threshold", THRESHOLD)
    best = similar_ideas(
        router.workspace.pk, f"{post.title} {post.text}", limit=1, threshold=0.0
    )  # the best one, however far, to say how close it came
    idea, score = best[0] if best else (None, 0.0)
    try:
        with transaction.atomic():
            if idea is not None and score >= threshold and idea.status not in VOTABLE:
                message = (
                    f"the closest idea, #{idea.pk} “{idea.title}” (similarity {score:.2f}), is "
                    f"{idea.get_status_display().lower()}: no vote added"
                )
            elif idea is not None and score >= threshold:
                votes.vote_from_post_by_rule(idea, post)
                message = (
                    f"added {_who(post)}'s vote to idea #{idea.pk} “{idea.title}” "
                    f"(similarity {score:.2f})"
                )
            elif step.params.get("create"):
                idea = actions.idea_from_post_by_rule(post, conversation=step.conversation)
                message = f"made the post idea #{idea.pk} “{idea.title}”"
                if best:
                    message += f" (the closest, #{best[0][0].pk}, scored {score:.2f})"
            else:
                message = (
                    f"no idea is similar enough (the closest, #{idea.pk}, scored {score:.2f})"
                    if idea is not None
                    else "no idea to add it to yet"
                )
                idea = None
    except votes.AlreadyVoted:
        assert idea is not None
        message = f"{_who(post)} already voted for idea #{idea.pk} “{idea.title}”"
    except ValidationError as error:
        message = f"no vote was added: {' '.join(error.messages)}"
        idea = None
    data = {"idea": idea.pk, "score": score} if idea is not None else {"score": score}
    router.record(plan, step, Activity.Kind.RULE, message, **data)


def _add_to_ideas(router: Router, plan: Plan, steps: list[Step]) -> None:
    """Each idea post's vote on its most similar idea (or a new idea), once the batch is saved."""
    posts = Post.objects.select_related("identity").in_bulk([s.post.pk for s in steps])
    for step in steps:
        post = posts.get(step.post.pk)
        if post is None:
            continue
        if post.intent != IDEA:
            router.record(
                plan,
                step,
                Activity.Kind.RULE,
                f"not an idea (the post's intent is {post.intent or 'unknown'}): no vote added",
            )
            continue
        _add(router, plan, step, post)


ADD_TO_IDEA = ActionType(
    name="add_to_idea",
    label="add to the most similar idea",
    params=("threshold", "create", "tag"),
    example='{"type": "add_to_idea", "threshold": 0.525, "create": false, "tag": "idea"} '
    "(all optional)",
    clean=_clean,
    describe=_describe,
    apply=_tag,
    carry_out=_add_to_ideas,
)
