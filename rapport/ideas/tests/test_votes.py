"""Votes count people: one per contact, across identities, contact merges and idea merges."""

import pytest

from rapport.contacts.merge import merge_contacts
from rapport.contacts.models import Contact, Identity
from rapport.core.roles import Role
from rapport.engagement.tests.factories import make_post
from rapport.ideas import actions, merge, votes
from rapport.ideas.models import Follower, Idea, Status, Vote


@pytest.fixture
def manager(acme, make_member):
    return make_member(acme, Role.MANAGER)


@pytest.fixture
def employee(acme, make_member):
    return make_member(acme, Role.EMPLOYEE)


def test_a_post_turned_into_an_idea_makes_its_author_the_first_voter(acme, employee):
    post = make_post(acme, "Please add Apple Pay to the app, it would save me so much time")
    idea = actions.promote_post(employee, post)
    assert idea.title.startswith("Please add Apple Pay")
    assert idea.vote_count == 1
    vote = Vote.objects.get(idea=idea)
    assert vote.source == Vote.Source.POST
    assert vote.post == post
    contact = Identity.objects.get(
        workspace=acme, network="mastodon", external_id="id-dana"
    ).contact
    assert vote.contact == contact
    assert contact.name == "Dana Scully"
    assert Follower.objects.filter(idea=idea, contact=contact).exists()


def test_a_second_post_of_the_same_person_is_refused(acme, employee):
    idea = actions.promote_post(employee, make_post(acme, "Apple Pay please"))
    dana = Vote.objects.get(idea=idea).contact
    with pytest.raises(votes.AlreadyVoted, match="already voted"):
        votes.vote_from_post(employee, idea, make_post(acme, "Still want Apple Pay"))
    other = votes.vote_from_post(employee, idea, make_post(acme, "+1 Apple Pay", handle="mulder"))
    assert other.contact != dana
    idea.refresh_from_db()
    assert idea.vote_count == 2


def test_a_merge_of_two_contacts_who_both_voted_leaves_one_counted_vote(acme, employee, manager):
    idea = actions.promote_post(employee, make_post(acme, "Apple Pay please", handle="dana"))
    votes.vote_from_post(employee, idea, make_post(acme, "Apple Pay!", handle="dana_work"))
    idea.refresh_from_db()
    assert idea.vote_count == 2
    first, second = (v.contact for v in Vote.objects.filter(idea=idea).order_by("id"))
    merge_contacts(manager, first, second)
    idea.refresh_from_db()
    assert idea.vote_count == 1
    assert Vote.objects.filter(idea=idea, counted=True).count() == 1
    assert Vote.objects.filter(idea=idea).count() == 2  # the other kept, for the record
    with pytest.raises(votes.AlreadyVoted):
        votes.vote_for(employee, idea, Contact.objects.get(pk=second.pk))


def test_merging_duplicate_ideas_counts_each_person_once(acme, employee, manager):
    a = actions.promote_post(employee, make_post(acme, "Dark mode in the app", handle="ann"))
    b = actions.promote_post(employee, make_post(acme, "Night theme for the app", handle="bob"))
    votes.vote_from_post(employee, b, make_post(acme, "dark mode please", handle="ann"))
    votes.vote_from_post(employee, b, make_post(acme, "night theme!", handle="cat"))
    into = merge.merge_ideas(manager, b, a)
    assert into == a
    a.refresh_from_db()
    assert a.vote_count == 3  # ann, bob, cat
    b.refresh_from_db()
    assert b.merged_into == a
    assert b.vote_count == 0
    # a vote for the merged duplicate goes to the idea it became
    vote = votes.vote_from_post(employee, b, make_post(acme, "yes", handle="dan"))
    assert vote.idea == a
    a.refresh_from_db()
    assert a.vote_count == 4


def test_trend_ranks_recent_votes_higher(acme, employee, time_machine):
    time_machine.move_to("2026-03-01T12:00:00Z")
    old = actions.promote_post(employee, make_post(acme, "Old favourite", handle="o1"))
    for h in ("o2", "o3"):
        votes.vote_from_post(employee, old, make_post(acme, "+1", handle=h))
    time_machine.move_to("2026-04-15T12:00:00Z")
    new = actions.promote_post(employee, make_post(acme, "Hot new idea", handle="n1"))
    votes.vote_from_post(employee, new, make_post(acme, "+1", handle="n2"))
    ranked = list(Idea.objects.filter(workspace=acme).order_by("-trend"))
    assert ranked == [new, old]
    assert list(Idea.objects.filter(workspace=acme).order_by("-vote_count")) == [old, new]


def test_status_changes_are_kept_as_history(acme, employee, manager):
    idea = actions.create_idea(employee, title="Card freeze from the watch app")
    actions.change_status(manager, idea, Status.PLANNED, "On the roadmap for Q1")
    actions.change_status(manager, idea, Status.SHIPPED, "Out in 4.2")
    assert [(c.before, c.after) for c in idea.status_changes.all()] == [
        ("new", "planned"),
        ("planned", "shipped"),
    ]
    with pytest.raises(Exception, match="Unknown status"):
        actions.change_status(manager, idea, "done")


def test_similar_ideas_find_the_same_wish_in_other_words(acme, employee):
    from rapport.ideas.similar import similar_ideas

    dark = actions.create_idea(employee, title="Dark mode in the mobile app")
    actions.create_idea(employee, title="Round-up savings into a pot")
    actions.create_idea(employee, title="Apple Pay support for debit cards")
    found = similar_ideas(acme.pk, "please add a dark theme to the app, my eyes hurt at night")
    assert found
    assert found[0][0] == dark
    assert similar_ideas(acme.pk, "please add a dark theme", exclude=dark.pk)[:1] != [(dark, 1)]
