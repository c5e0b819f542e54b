"""The routing action "add to the most similar idea": a rule adds an idea post as a vote on the
idea most like it (or makes it a new idea), tags the conversation and says so in its history."""

import pytest
from django.core.exceptions import ValidationError

from rapport.core.models import AuditEvent, Membership
from rapport.core.roles import Role
from rapport.ideas import actions, votes
from rapport.ideas.models import Idea, Origin, Vote
from rapport.inbox import rule_actions
from rapport.inbox.models import Activity
from rapport.inbox.registry import ACTION_TYPES
from rapport.inbox.tests.factories import conversation, post

IDEA_POSTS = [{"field": "intent", "operator": "is", "value": "idea"}]


@pytest.fixture
def ideas(owner):
    dark = actions.create_idea(
        owner,
        title="Dark mode in the mobile app",
        body="A dark theme for the banking app, easier on the eyes at night.",
    )
    pay = actions.create_idea(
        owner, title="Apple Pay support", body="Pay with Apple Pay using my Acme card."
    )
    actions.create_idea(
        owner, title="Round-up savings", body="Round up each card payment into savings."
    )
    return dark, pay


def _rule(owner: Membership, **step):
    return rule_actions.create_rule(
        owner,
        name="Ideas to R&D",
        conditions=IDEA_POSTS,
        actions=[{"type": "add_to_idea", **step}],
    )


def _said(conv) -> str:
    return conv.activities.get(kind=Activity.Kind.RULE).message


def test_it_is_registered_by_ideas_after_open_a_case():
    assert list(ACTION_TYPES)[-2:] == ["open_case", "add_to_idea"]
    assert ACTION_TYPES["add_to_idea"].label == "add to the most similar idea"


def test_an_idea_post_becomes_a_vote_on_the_most_similar_idea(owner, acme, ideas):
    dark, _ = ideas
    _rule(owner)
    conv = conversation(
        acme,
        "@acmebank please give the mobile app a dark mode, it is so bright at night",
        author="nightowl",
        intent="idea",
        sentiment="neutral",
    )
    vote = Vote.objects.get(idea=dark)
    assert (vote.source, vote.post, vote.by) == (Vote.Source.POST, conv.first_post, None)
    assert vote.contact.identities.get().handle == "nightowl"
    dark.refresh_from_db()
    assert dark.vote_count == 1
    assert dark.followers.filter(contact=vote.contact).exists()
    assert list(conv.tags.values_list("name", flat=True)) == ["idea"]
    activity = conv.activities.get(kind=Activity.Kind.RULE)
    assert activity.message.startswith(
        f"Rule “Ideas to R&D”: added @nightowl's vote to idea #{dark.pk} “Dark mode in the "
        "mobile app” (similarity 0."
    )
    assert activity.data["idea"] == dark.pk
    assert activity.data["score"] >= 0.525
    audit = AuditEvent.objects.filter(verb="idea.vote_from_post").latest("id")
    assert audit.actor is None  # the machine, not a member


def test_a_post_unlike_every_idea_adds_no_vote_and_says_how_close_it_came(owner, acme, ideas):
    _rule(owner)
    conv = conversation(
        acme, "You should open a branch in Leeds city centre", author="leeds", intent="idea"
    )
    assert not Vote.objects.exists()
    assert "no idea is similar enough (the closest, #" in _said(conv)
    assert list(conv.tags.values_list("name", flat=True)) == ["idea"]


def test_with_create_a_post_unlike_every_idea_becomes_a_new_idea(owner, acme, ideas):
    _rule(owner, create=True, tag="from the web")
    conv = conversation(
        acme, "You should open a branch in Leeds city centre", author="leeds", intent="idea"
    )
    idea = Idea.objects.get(post=conv.first_post)
    assert (idea.origin, idea.conversation, idea.vote_count) == (Origin.POST, conv, 1)
    assert idea.title == "You should open a branch in Leeds city centre"
    assert idea.author_member is None
    assert _said(conv).startswith(f"Rule “Ideas to R&D”: made the post idea #{idea.pk} “You")
    assert list(conv.tags.values_list("name", flat=True)) == ["from the web"]


def test_a_person_who_voted_already_is_not_counted_twice(owner, acme, ideas):
    dark, _ = ideas
    votes.vote_from_post(owner, dark, post(acme, "Dark mode please", author="owl", intent="idea"))
    _rule(owner)
    conv = conversation(
        acme, "Still waiting for a dark theme in the app", author="owl", intent="idea"
    )
    dark.refresh_from_db()
    assert dark.vote_count == 1
    assert _said(conv) == (
        f"Rule “Ideas to R&D”: @owl already voted for idea #{dark.pk} “Dark mode in the mobile app”"
    )


def test_a_shipped_idea_takes_no_more_votes_and_the_history_says_so(owner, acme, ideas):
    _, pay = ideas
    actions.change_status(owner, pay, "shipped", "Out now.")
    _rule(owner, create=True)
    conv = conversation(
        acme, "Please let me use Apple Pay with my Acme card", author="appl", intent="idea"
    )
    pay.refresh_from_db()
    assert pay.vote_count == 0
    assert not Idea.objects.filter(post=conv.first_post).exists()
    assert f"the closest idea, #{pay.pk} “Apple Pay support” (similarity 0." in _said(conv)
    assert _said(conv).endswith("is shipped: no vote added")


def test_a_post_that_is_not_an_idea_is_left_alone(owner, acme, ideas):
    rule_actions.create_rule(
        owner, name="Everything", conditions=[], actions=[{"type": "add_to_idea"}]
    )
    conv = conversation(acme, "The dark mode in the app is broken", intent="complaint")
    assert not Vote.objects.exists()
    assert not conv.tags.exists()
    assert _said(conv) == (
        "Rule “Everything”: not an idea (the post's intent is complaint): no vote added"
    )


def test_another_workspaces_ideas_are_never_matched(owner, acme, globex, ideas):
    theirs = Membership.objects.get(workspace=globex, role=Role.OWNER)
    actions.create_idea(theirs, title="Dark mode in the mobile app please")
    _rule(owner, threshold=0.9)
    conv = conversation(acme, "Dark mode in the mobile app please", intent="idea")
    assert not Vote.objects.filter(idea__workspace=globex).exists()
    assert Vote.objects.filter(idea__workspace=acme).count() <= 1
    assert "globex" not in _said(conv).lower()


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ({"threshold": "high"}, "threshold must be a number between 0.3 and 1, not 'high'"),
        ({"threshold": 2}, "threshold must be between 0.3 and 1, not 2"),
        ({"threshold": True}, "threshold must be a number"),
        ({"create": "yes"}, "create must be true or false, not 'yes'"),
        ({"tag": "<b>"}, "a tag is 1-50 letters"),
        ({"idea": 3}, "add_to_idea takes no 'idea'"),
    ],
)
def test_bad_parameters_are_refused_naming_the_problem(owner, step, message):
    with pytest.raises(ValidationError, match=message):
        _rule(owner, **step)


def test_it_is_described_in_words_and_a_dry_run_adds_nothing(owner, acme, ideas):
    words = rule_actions.describe_actions(
        owner,
        [
            {"type": "add_to_idea"},
            {"type": "add_to_idea", "threshold": 0.7, "create": True, "tag": "r&d"},
        ],
    )
    assert words == [
        "add an idea post to the most similar idea (similarity 0.525 or more); tag idea",
        "add an idea post to the most similar idea (similarity 0.7 or more), else make it a "
        "new idea; tag r&d",
    ]
    preview = rule_actions.dry_run(owner, conditions=IDEA_POSTS, actions=[{"type": "add_to_idea"}])
    assert preview.would == [words[0]]
    assert not Vote.objects.exists()
