"""The ideas demo: Acme Bank's portal with about forty ideas in every status, voted for over ten
weeks by customers of every tier, some turned from Mastodon posts (one post left for a
colleague), one shipped with its history and notes, two duplicates to merge and one merged."""

from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from rapport.core.models import Workspace
from rapport.demo import ideas as demo
from rapport.demo import listening
from rapport.ideas.models import (
    Area,
    Comment,
    Follower,
    Idea,
    Origin,
    Portal,
    Status,
    StatusChange,
    Vote,
)
from rapport.ideas.similar import similar_ideas
from rapport.listening.models import Post

pytestmark = pytest.mark.django_db


def test_the_ideas_demo_has_a_story_to_show():
    # one load of the whole demo for every check: it is the slow part
    call_command("demo", "--quiet-logins")
    acme = Workspace.objects.get(slug="acme")
    now = timezone.now()

    portal = Portal.objects.get(workspace=acme)
    assert (portal.enabled, portal.title, portal.colour) == (True, "Acme Bank ideas", "#0b5394")
    assert portal.intro
    areas = set(Area.objects.filter(workspace=acme).values_list("name", flat=True))
    assert areas == set(demo.AREAS)

    ideas = Idea.objects.filter(workspace=acme, merged_into__isnull=True)
    assert 35 <= ideas.count() <= 45
    statuses = Counter(ideas.values_list("status", flat=True))
    assert set(statuses) == set(Status.values)
    assert min(statuses.values()) >= 4, statuses
    assert set(ideas.values_list("area__name", flat=True)) == areas
    for idea in ideas.exclude(status=Status.NEW):
        history = list(idea.status_changes.all())
        assert history[-1].after == idea.status
        assert history[-1].note
        assert all(idea.created_at < change.at < now for change in history)

    # votes: counted once per person, from every tier, over ten weeks
    counted = Vote.objects.filter(workspace=acme, counted=True)
    for idea in ideas:
        assert idea.vote_count == counted.filter(idea=idea).count() > 0
    assert set(counted.values_list("tier", flat=True)) == {"standard", "silver", "gold", "platinum"}
    assert not counted.filter(created_at__gt=now).exists()
    oldest = counted.order_by("created_at").first()
    assert oldest is not None
    assert oldest.created_at < now - timedelta(weeks=9)
    assert counted.filter(created_at__gt=now - timedelta(days=7)).count() > 50
    assert set(counted.values_list("source", flat=True)) == set(Vote.Source.values)
    assert Follower.objects.filter(workspace=acme).count() >= counted.count()

    # trending is not top, and the most valuable customers want something else than the many
    top = ideas.order_by("-vote_count", "-id").first()
    trending = ideas.order_by("-trend", "-id").first()
    assert top is not None
    assert trending is not None
    assert top != trending
    assert trending.votes.filter(created_at__gt=now - timedelta(days=14)).count() > (
        top.votes.filter(created_at__gt=now - timedelta(days=14)).count()
    )
    valued = ideas.annotate(worth=Sum("votes__value")).order_by("-worth").first()
    assert valued is not None
    assert valued != top
    platinum = Counter(counted.filter(tier="platinum").values_list("idea", flat=True))
    [(loved, platinum_votes)] = platinum.most_common(1)
    assert platinum_votes > Idea.objects.get(pk=loved).vote_count / 2
    standard = Counter(counted.filter(tier="standard").values_list("idea", flat=True))
    assert standard[top.pk] > top.vote_count / 2

    # the shipped story: from a Mastodon post, four public steps with notes, a voter who asked
    # not to be contacted, another who voted with their own post
    shipped = Idea.objects.get(workspace=acme, title=demo.FREEZE)
    assert shipped.status == Status.SHIPPED
    assert "app version 5.2" in shipped.status_note
    assert shipped.origin == Origin.POST
    assert shipped.post is not None
    assert shipped.post.network == "mastodon"
    history = list(StatusChange.objects.filter(idea=shipped))
    assert [(c.before, c.after) for c in history] == [
        (Status.NEW, Status.UNDER_REVIEW),
        (Status.UNDER_REVIEW, Status.PLANNED),
        (Status.PLANNED, Status.IN_PROGRESS),
        (Status.IN_PROGRESS, Status.SHIPPED),
    ]
    assert all(c.note and c.by is not None for c in history)
    assert [c.at for c in history] == sorted(c.at for c in history)
    assert shipped.votes.filter(contact__do_not_contact=True).count() == 1
    assert shipped.votes.filter(source=Vote.Source.POST).count() == 2
    assert not shipped.votes.filter(created_at__gt=history[-1].at).exists()
    assert Comment.objects.filter(idea=shipped, public=True, author_contact__isnull=False)
    assert Comment.objects.filter(idea=shipped, public=True, author_member__isnull=False)
    assert Comment.objects.filter(idea=shipped, public=False)

    # turned from posts whose intent is idea; one Mastodon post left for a colleague
    promoted = ideas.filter(origin__in=[Origin.POST, Origin.CONVERSATION])
    assert promoted.filter(origin=Origin.CONVERSATION, conversation__isnull=False).exists()
    for idea in promoted:
        assert idea.post is not None
        assert (idea.post.network, idea.post.intent) == ("mastodon", "idea")
        assert idea.votes.filter(post=idea.post, contact__tier__gt="").exists()
    left = Post.objects.get(
        workspace=acme,
        network="mastodon",
        external_id=listening.idea_post_id(demo.LEFT_FOR_A_COLLEAGUE),
    )
    assert left.author_name == "Rosa Pennington"
    assert left.intent == "idea"
    assert not Idea.objects.filter(post=left).exists()
    assert not Vote.objects.filter(post=left).exists()

    # two obvious duplicates, unmerged, that share voters; one duplicate merged already
    first, second = (ideas.get(title=title) for title in demo.DUPLICATES)
    shared = set(first.votes.values_list("contact", flat=True)) & set(
        second.votes.values_list("contact", flat=True)
    )
    assert len(shared) == 3
    assert first in [idea for idea, _ in similar_ideas(acme.pk, second.title, exclude=second.pk)]
    duplicate, into = (Idea.objects.get(workspace=acme, title=title) for title in demo.MERGED)
    assert duplicate.merged_into == into
    assert duplicate.vote_count == 0
    assert duplicate.votes.filter(counted=False).exists()  # the voters of both, kept once
    assert into.vote_count == len(set(into.votes.values_list("contact", flat=True)))

    comments = Comment.objects.filter(workspace=acme, public=True)
    assert comments.filter(author_contact__isnull=False).count() >= 10
    assert comments.filter(author_member__isnull=False).count() >= 3
