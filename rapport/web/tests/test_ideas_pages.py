"""The staff's Ideas pages, per role: the list (search, filters, sort, pages), the board by status,
an idea's page (votes, status and its history, comments, links to cases and tasks, merging,
announcements), the analytics, and ideas from the open web (a post or a conversation turned
into an idea, a post added as a vote, similar ideas on a conversation). Another workspace's idea
is a 404; idea text is shown escaped."""

from decimal import Decimal

import pytest
from django.urls import NoReverseMatch, reverse

from rapport.cases import actions as case_actions
from rapport.contacts.models import Contact
from rapport.core.roles import Role
from rapport.engagement.tests.factories import make_post
from rapport.ideas import actions, merge, votes
from rapport.ideas.models import Announcement, Area, Comment, Idea, Status, Vote
from rapport.inbox.tests.factories import conversation

pytestmark = pytest.mark.django_db


def _url(name: str, *args) -> str:
    return reverse(f"web:{name}", args=["acme", *args])


@pytest.fixture
def viewer(acme, make_member):
    return make_member(acme, Role.VIEWER, email="vera@acme.example")


@pytest.fixture
def employee(acme, make_member):
    return make_member(acme, Role.EMPLOYEE, email="tom@acme.example")


@pytest.fixture
def manager(acme, make_member):
    return make_member(acme, Role.MANAGER, email="priya@acme.example")


def customer(acme, name: str, tier: str = "", value: int = 0, segment: str = "") -> Contact:
    return Contact.objects.create(
        workspace=acme, name=name, tier=tier, lifetime_value=Decimal(value), segment=segment
    )


def html(response) -> str:
    return response.content.decode()


# The list -------------------------------------------------------------------------------------


def test_the_ideas_item_is_in_the_nav_with_its_shortcut(signed_in, viewer):
    page = html(signed_in(viewer).get(_url("ideas")))
    assert f'href="{_url("ideas")}" data-shortcut="d" aria-current="page"' in page


def test_an_empty_list_says_what_to_do_and_only_employees_get_the_form(signed_in, viewer, employee):
    seen = html(signed_in(viewer).get(_url("ideas")))
    assert "No ideas yet" in seen
    assert "Submit an idea" not in seen
    assert "Submit an idea" in html(signed_in(employee).get(_url("ideas")))


def test_an_employee_submits_an_idea_and_a_viewer_cannot(signed_in, acme, viewer, employee):
    area = Area.objects.create(workspace=acme, name="Mobile app")
    client = signed_in(employee)
    response = client.post(
        _url("idea_create"),
        {"title": "Dark mode <script>alert(1)</script>", "body": "At night", "area": area.pk},
    )
    idea = Idea.objects.get()
    assert response["Location"] == _url("idea", idea.pk)
    assert idea.area == area
    assert idea.author_member == employee
    page = html(client.get(_url("idea", idea.pk)))
    assert "Dark mode &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    listed = html(client.get(_url("ideas")))
    assert "Dark mode &lt;script&gt;" in listed
    assert "<script>alert(1)" not in listed

    missing = client.post(_url("idea_create"), {"title": "  ", "body": "x"})
    assert missing.status_code == 400
    assert "This field is required" in html(missing)
    refused = signed_in(viewer).post(_url("idea_create"), {"title": "Sneaky"})
    assert refused.status_code == 403
    assert Idea.objects.count() == 1


def test_the_list_searches_filters_sorts_and_pages(signed_in, acme, employee, manager):
    cards = Area.objects.create(workspace=acme, name="Cards")
    for i in range(22):
        actions.create_idea(employee, title=f"Savings idea {i}", body="Round up the change")
    apple = actions.create_idea(employee, title="Apple Pay for debit cards", area=cards)
    watch = actions.promote_post(employee, make_post(acme, "Freeze my card from my watch"))
    for handle in ("ann", "bob"):
        votes.vote_from_post(employee, apple, make_post(acme, "+1 Apple Pay", handle=handle))
    actions.change_status(manager, apple, Status.PLANNED, "Q3")
    dup = actions.create_idea(employee, title="Apple Pay please")
    merge.merge_ideas(manager, dup, apple)
    client = signed_in(employee)

    page = html(client.get(_url("ideas")))
    assert "24 ideas" in page  # the merged duplicate is not listed
    assert "Page 1 of 2" in page
    assert f"#{dup.pk}" not in page

    found = client.get(_url("ideas"), {"q": "apple pay"}, HTTP_HX_REQUEST="true")
    assert "<html" not in html(found)
    assert "Apple Pay for debit cards" in html(found)
    assert "Savings idea" not in html(found)
    assert "1 idea matches" in html(found)
    by_number = html(client.get(_url("ideas"), {"q": f"#{watch.pk}"}))
    assert "Freeze my card" in by_number
    assert "Savings idea" not in by_number

    planned = html(client.get(_url("ideas"), {"status": "planned"}))
    assert "Apple Pay for debit cards" in planned
    assert "Savings idea" not in planned
    in_cards = html(client.get(_url("ideas"), {"area": cards.pk}))
    assert "Apple Pay for debit cards" in in_cards
    assert "Savings idea" not in in_cards
    no_area = html(client.get(_url("ideas"), {"area": "none"}))
    assert "Apple Pay for debit cards" not in no_area
    from_posts = html(client.get(_url("ideas"), {"origin": "post"}))
    assert "Freeze my card" in from_posts
    assert "Savings idea" not in from_posts

    top = html(client.get(_url("ideas"), {"sort": "top"}))
    assert top.index("Apple Pay for debit cards") < top.index("Freeze my card")
    new = html(client.get(_url("ideas"), {"sort": "new"}))
    assert new.index("Freeze my card") < new.index("Savings idea 21")

    bad = html(client.get(_url("ideas"), {"status": "asleep", "sort": "loudest", "area": "x"}))
    assert "Unknown status “asleep”" in bad
    assert "Unknown sort “loudest”" in bad
    assert "The area must be one of the list" in bad
    assert "24 ideas" in bad  # the bad filters are left out, the page still answers
    none = html(client.get(_url("ideas"), {"q": "nothing like it at all"}))
    assert "No idea matches these filters" in none


# The board ------------------------------------------------------------------------------------


def test_the_board_has_a_column_per_status_with_counts(signed_in, acme, viewer, employee, manager):
    apple = actions.create_idea(employee, title="Apple Pay")
    actions.create_idea(employee, title="Dark mode")
    actions.change_status(manager, apple, Status.SHIPPED, "In 4.2")
    page = html(signed_in(viewer).get(_url("ideas_board")))
    for label in ("New", "Under review", "Planned", "In progress", "Shipped", "Declined"):
        assert f"<span>{label}</span>" in page
    assert 'aria-label="1 idea">1</span>' in page
    assert "Nothing declined." in page
    assert "Move<span" not in page
    assert "Move<span" not in html(signed_in(employee).get(_url("ideas_board")))
    assert "Move<span" in html(signed_in(manager).get(_url("ideas_board")))


def test_a_manager_moves_an_idea_on_the_board_and_the_filters_stay(
    signed_in, acme, employee, manager
):
    idea = actions.create_idea(employee, title="Dark mode")
    client = signed_in(manager)
    response = client.post(
        _url("idea_status", idea.pk),
        {"status": "planned", "note": "Coming in spring", "next": "board", "q": "dark", "x": "1"},
    )
    assert response["Location"] == _url("ideas_board") + "?q=dark"
    idea.refresh_from_db()
    assert (idea.status, idea.status_note) == ("planned", "Coming in spring")
    moved = html(client.get(response["Location"]))
    assert f"Idea #{idea.pk} is now planned." in moved

    refused = signed_in(employee).post(_url("idea_status", idea.pk), {"status": "shipped"})
    assert refused.status_code == 403
    bad = client.post(_url("idea_status", idea.pk), {"status": "done"}, follow=True)
    assert "Unknown status" in html(bad)
    idea.refresh_from_db()
    assert idea.status == "planned"


# An idea's page -------------------------------------------------------------------------------


def test_each_role_sees_only_the_controls_it_may_use(signed_in, acme, viewer, employee, manager):
    idea = actions.promote_post(employee, make_post(acme, "Dark mode please"))
    seen = html(signed_in(viewer).get(_url("idea", idea.pk)))
    assert "Dark mode please" in seen
    for control in (
        "Save the status",
        "Comment</button>",
        "Add a vote for a customer",
        "Merge into another idea",
        "Link</button>",
        "Remove<span",
        "Edit the title",
    ):
        assert control not in seen, control
    employees = html(signed_in(employee).get(_url("idea", idea.pk)))
    assert "Comment</button>" in employees
    assert "Add a vote for a customer" in employees
    assert "Save the status" not in employees
    assert "Merge into another idea" not in employees
    assert "Remove<span" not in employees
    managers = html(signed_in(manager).get(_url("idea", idea.pk)))
    for control in (
        "Save the status",
        "Comment</button>",
        "Merge into another idea",
        "Link</button>",
        "Remove<span",
        "Edit the title",
    ):
        assert control in managers, control


def test_a_manager_edits_the_title_description_and_area(signed_in, acme, globex, employee, manager):
    idea = actions.create_idea(employee, title="Dark mod")
    area = Area.objects.create(workspace=acme, name="Mobile app")
    client = signed_in(manager)
    response = client.post(
        _url("idea_edit", idea.pk), {"title": "Dark mode", "body": "At night", "area": area.pk}
    )
    assert response["Location"] == _url("idea", idea.pk)
    idea.refresh_from_db()
    assert (idea.title, idea.body, idea.area) == ("Dark mode", "At night", area)
    empty = client.post(_url("idea_edit", idea.pk), {"title": "", "body": "x"})
    assert empty.status_code == 400
    assert "This field is required" in html(empty)
    assert '<details class="edit-idea" open>' in html(empty)
    other = Area.objects.create(workspace=globex, name="Theirs")
    foreign = client.post(_url("idea_edit", idea.pk), {"title": "Dark mode", "area": other.pk})
    assert foreign.status_code == 400
    assert "Select a valid choice" in html(foreign)
    refused = signed_in(employee).post(_url("idea_edit", idea.pk), {"title": "Mine"})
    assert refused.status_code == 403
    idea.refresh_from_db()
    assert (idea.title, idea.area) == ("Dark mode", area)


def test_votes_show_who_from_where_their_tier_and_value_then_in_pages(
    signed_in, acme, employee, viewer
):
    idea = actions.promote_post(employee, make_post(acme, "Apple Pay please", handle="dana"))
    gold = customer(acme, "Grace Gold", tier="gold", value=52_000)
    votes.vote_for(employee, idea, gold)
    gold.lifetime_value = Decimal(1)  # later changes do not rewrite the vote
    gold.save()
    for i in range(27):
        votes.vote_for(employee, idea, customer(acme, f"Customer {i:02}"))
    client = signed_in(viewer)
    first = html(client.get(_url("idea", idea.pk)))
    assert "29 people vote for this idea" in first
    assert "Page 1 of 2" in first
    assert "Customer 26" in first
    assert f'href="{_url("contact", gold.pk)}"' in html(
        client.get(_url("idea", idea.pk), {"votes_page": 2})
    )
    second = client.get(_url("idea", idea.pk), {"votes_page": 2}, HTTP_HX_REQUEST="true")
    fragment = html(second)
    assert "<html" not in fragment
    assert 'id="idea-votes"' in fragment
    assert "Grace Gold" in fragment
    assert "Gold</span>" in fragment
    assert "52,000" in fragment
    assert 'a post on <span class="network">mastodon</span>' in fragment


def test_comments_are_internal_or_public_and_escaped(signed_in, acme, viewer, employee):
    idea = actions.create_idea(employee, title="Dark mode")
    client = signed_in(employee)
    client.post(_url("idea_comment", idea.pk), {"body": "<b>Ask</b> R&D", "visibility": "internal"})
    client.post(
        _url("idea_comment", idea.pk), {"body": "Thanks, we hear you", "visibility": "public"}
    )
    internal, public = Comment.objects.order_by("id")
    assert (internal.public, public.public) == (False, True)
    page = html(signed_in(viewer).get(_url("idea", idea.pk)))
    assert "&lt;b&gt;Ask&lt;/b&gt; R&amp;D" in page
    assert 'class="idea-comment internal"' in page
    assert 'class="idea-comment public"' in page
    empty = client.post(_url("idea_comment", idea.pk), {"body": "", "visibility": "public"})
    assert empty.status_code == 400
    refused = signed_in(viewer).post(
        _url("idea_comment", idea.pk), {"body": "hi", "visibility": "public"}
    )
    assert refused.status_code == 403
    assert Comment.objects.count() == 2


def test_a_manager_changes_the_status_with_a_public_note_and_sees_the_history(
    signed_in, acme, employee, manager
):
    idea = actions.create_idea(employee, title="Dark mode")
    client = signed_in(manager)
    client.post(_url("idea_status", idea.pk), {"status": "under_review", "note": ""})
    response = client.post(
        _url("idea_status", idea.pk), {"status": "declined", "note": "Not <i>this</i> year"}
    )
    assert response["Location"] == _url("idea", idea.pk)
    page = html(client.get(_url("idea", idea.pk)))
    assert "Not &lt;i&gt;this&lt;/i&gt; year" in page
    assert page.index("Declined</span>") < page.index("from under review")
    assert "from new" in page


def test_announcements_of_each_change_list_channel_state_and_reason(
    signed_in, acme, employee, manager, viewer
):
    idea = actions.create_idea(employee, title="Dark mode")
    actions.change_status(manager, idea, Status.SHIPPED, "Out now")
    change = idea.status_changes.get()
    dana, max_ = customer(acme, "Dana Scully"), customer(acme, "Max Mute")
    Announcement.objects.create(
        workspace=acme, change=change, idea=idea, contact=dana, channel="mastodon", state="sent"
    )
    Announcement.objects.create(
        workspace=acme,
        change=change,
        idea=idea,
        contact=max_,
        channel="email",
        state="skipped",
        reason="Do not contact",
    )
    page = html(signed_in(viewer).get(_url("idea", idea.pk)))
    assert "1 sent" in page
    assert "1 skipped" in page
    assert "Max Mute" in page
    assert "Do not contact" in page
    assert 'class="badge announce-skipped">Skipped' in page
    fresh = actions.create_idea(employee, title="Nothing yet")
    assert "Nothing announced yet" in html(signed_in(viewer).get(_url("idea", fresh.pk)))


def test_a_manager_links_and_unlinks_a_case_or_task_by_number(
    signed_in, acme, globex, owner, employee, manager
):
    idea = actions.create_idea(employee, title="Dark mode")
    case = case_actions.create_case(owner, subject="Build dark mode")
    task = case_actions.add_task(owner, case, title="Design the palette")
    theirs = case_actions.create_case(globex.memberships.get(), subject="Globex's")
    client = signed_in(manager)

    def link(**data):
        return html(client.post(_url("idea_link", idea.pk), data, follow=True))

    assert "is linked to this idea" in link(kind="case", number=f"#{case.pk}")
    assert "is linked to this idea" in link(kind="task", number=str(task.pk))
    assert list(idea.linked_cases.all()) == [case]
    assert list(idea.linked_tasks.all()) == [task]
    page = link(kind="case", number=str(case.pk))
    assert f"Case #{case.pk} is already linked to this idea." in page
    assert "Build dark mode" in page
    assert "Design the palette" in page
    assert f"There is no case {theirs.pk} in this workspace." in link(
        kind="case", number=str(theirs.pk)
    )
    assert "Give the case as a number" in link(kind="case", number="twelve")
    assert "Give the task as a number" in link(kind="task", number="9" * 30)
    assert "Choose whether to link a case or a task" in link(kind="idea", number="1")
    assert "is unlinked from this idea" in link(kind="case", number=str(case.pk), unlink="1")
    assert not idea.linked_cases.exists()
    refused = signed_in(employee).post(_url("idea_link", idea.pk), {"kind": "case", "number": "1"})
    assert refused.status_code == 403


def test_a_manager_merges_a_duplicate_and_people_count_once(signed_in, acme, employee, manager):
    dark = actions.promote_post(employee, make_post(acme, "Dark mode in the app", handle="ann"))
    night = actions.promote_post(employee, make_post(acme, "Night theme for the app", handle="bob"))
    votes.vote_from_post(employee, night, make_post(acme, "dark mode please", handle="ann"))
    votes.vote_from_post(employee, night, make_post(acme, "night theme!", handle="cat"))
    client = signed_in(manager)

    picks = html(client.get(_url("idea_merge", night.pk), {"q": "dark"}, HTTP_HX_REQUEST="true"))
    assert "Dark mode in the app" in picks
    assert "Night theme" not in picks  # not itself
    assert "Which idea does it repeat?" in html(client.get(_url("idea_merge", night.pk)))

    response = client.post(_url("idea_merge", night.pk), {"into": dark.pk})
    assert response["Location"] == _url("idea", dark.pk)
    page = html(client.get(response["Location"]))
    assert '<span class="n">3</span><span class="l">votes</span>' in page  # ann, bob, cat
    assert f"#{night.pk} Night theme for the app" in page  # under Duplicates
    merged = html(client.get(_url("idea", night.pk)))
    assert "Merged into" in merged
    assert "Merge into another idea" not in merged
    assert "Save the status" not in merged

    again = client.post(_url("idea_merge", night.pk), {"into": dark.pk})
    assert f"Idea #{night.pk} was already merged into #{dark.pk}." in html(again)
    itself = client.post(_url("idea_merge", dark.pk), {"into": dark.pk})
    assert itself.status_code == 400
    assert "cannot be merged into itself" in html(itself)
    nothing = client.post(_url("idea_merge", dark.pk), {"into": "abc"})
    assert "Choose the idea to merge this one into." in html(nothing)
    assert signed_in(employee).get(_url("idea_merge", dark.pk)).status_code == 403


def test_an_employee_adds_a_customers_vote_found_by_search(signed_in, acme, employee, viewer):
    idea = actions.create_idea(employee, title="Dark mode")
    grace = customer(acme, "Grace Hopper", tier="platinum", value=90_000)
    client = signed_in(employee)
    found = html(client.get(_url("idea_vote_add", idea.pk), {"q": "grace"}))
    assert "Grace Hopper" in found
    assert "Add their vote" in found
    response = client.post(_url("idea_vote_add", idea.pk), {"contact": grace.pk})
    assert response["Location"] == _url("idea", idea.pk) + "#votes"
    vote = Vote.objects.get(idea=idea)
    assert (vote.contact, vote.source, vote.tier, vote.value) == (
        grace,
        "employee",
        "platinum",
        Decimal(90_000),
    )
    assert "Voted already" in html(client.get(_url("idea_vote_add", idea.pk), {"q": "grace"}))
    twice = client.post(_url("idea_vote_add", idea.pk), {"contact": grace.pk})
    assert twice.status_code == 400
    assert "Grace Hopper already voted" in html(twice)
    nobody = html(client.get(_url("idea_vote_add", idea.pk), {"q": "zebedee"}))
    assert "No customer matches “zebedee”" in nobody
    assert signed_in(viewer).get(_url("idea_vote_add", idea.pk)).status_code == 403


def test_a_manager_removes_a_vote_and_an_employee_cannot(signed_in, acme, employee, manager):
    idea = actions.promote_post(employee, make_post(acme, "Dark mode"))
    vote = idea.votes.get()
    refused = signed_in(employee).post(_url("idea_vote_remove", idea.pk, vote.pk))
    assert refused.status_code == 403
    response = signed_in(manager).post(_url("idea_vote_remove", idea.pk, vote.pk), follow=True)
    assert "Dana Scully&#x27;s vote is removed." in html(response)
    idea.refresh_from_db()
    assert idea.vote_count == 0


def test_the_portal_link_shows_only_where_the_portal_has_a_page(signed_in, acme, employee):
    idea = actions.create_idea(employee, title="Dark mode")
    page = html(signed_in(employee).get(_url("idea", idea.pk)))
    try:
        portal = reverse("web:portal_idea", args=["acme", idea.pk])
    except NoReverseMatch:
        assert "View on the portal" not in page
    else:
        assert f'href="{portal}"' in page


def test_another_workspaces_idea_is_a_404_everywhere(signed_in, acme, globex, make_member):
    them = make_member(globex, Role.MANAGER, email="gus@globex.example")
    theirs = actions.promote_post(them, make_post(globex, "Globex idea", handle="zed"))
    vote = theirs.votes.get()
    me = signed_in(make_member(acme, Role.ADMIN, email="ada@acme.example"))
    for name in ("idea", "idea_merge", "idea_vote_add"):
        assert me.get(_url(name, theirs.pk)).status_code == 404, name
    posts = [
        ("idea_status", {"status": "shipped"}),
        ("idea_edit", {"title": "Mine now"}),
        ("idea_comment", {"body": "hi", "visibility": "public"}),
        ("idea_link", {"kind": "case", "number": "1"}),
        ("idea_merge", {"into": theirs.pk}),
        ("idea_vote_add", {"contact": vote.contact_id}),
        ("idea_vote_from_post", {"post": theirs.post_id}),
    ]
    for name, data in posts:
        assert me.post(_url(name, theirs.pk), data).status_code == 404, name
    assert me.post(_url("idea_vote_remove", theirs.pk, vote.pk)).status_code == 404
    assert me.get(_url("idea_from_post", theirs.post_id)).status_code == 404
    theirs.refresh_from_db()
    assert (theirs.status, theirs.title, theirs.vote_count) == ("new", "Globex idea", 1)
    assert not Comment.objects.exists()


# From the open web --------------------------------------------------------------------------


def test_an_employee_turns_a_post_on_listening_into_an_idea(signed_in, acme, viewer, employee):
    post = make_post(acme, "Please add Apple Pay to the app, it would save me time")
    from rapport.listening.models import ListeningQuery, PostMatch

    PostMatch.objects.create(
        post=post, query=ListeningQuery.objects.create(workspace=acme, name="Acme", query="acme")
    )
    client = signed_in(employee)
    listening = html(client.get(_url("listening")))
    assert f'href="{_url("idea_from_post", post.pk)}#new"' in listening
    assert "Turn into an idea" not in html(signed_in(viewer).get(_url("listening")))
    assert signed_in(viewer).get(_url("idea_from_post", post.pk)).status_code == 403

    form = html(client.get(_url("idea_from_post", post.pk)))
    assert 'value="Please add Apple Pay to the app, it would save me time"' in form
    response = client.post(
        _url("idea_from_post", post.pk), {"title": "Apple Pay", "body": post.text}
    )
    idea = Idea.objects.get()
    assert response["Location"] == _url("idea", idea.pk)
    page = html(client.get(response["Location"]))
    assert "is its first voter" in page
    assert "Dana Scully" in page
    assert idea.origin == "post"
    assert idea.vote_count == 1
    again = html(client.get(_url("idea_from_post", post.pk)))
    assert f'This post is already idea <a href="{_url("idea", idea.pk)}">#{idea.pk}' in again


def test_a_post_is_added_as_a_vote_for_an_idea_found_by_search(signed_in, acme, employee):
    idea = actions.create_idea(employee, title="Apple Pay for debit cards")
    post = make_post(acme, "Why no Apple Pay yet?", handle="mulder", author_name="Fox Mulder")
    client = signed_in(employee)
    picks = html(client.get(_url("idea_from_post", post.pk), {"q": "apple"}))
    assert "Apple Pay for debit cards" in picks
    response = client.post(_url("idea_vote_from_post", idea.pk), {"post": post.pk}, follow=True)
    assert "Fox Mulder&#x27;s post is a vote for idea" in html(response)
    assert "Fox Mulder</a>" in html(response)  # in the votes
    again = html(client.get(_url("idea_from_post", post.pk), {"q": "apple"}))
    assert "Voted already" in again
    idea.refresh_from_db()
    assert idea.vote_count == 1
    twice = client.post(_url("idea_vote_from_post", idea.pk), {"post": post.pk}, follow=True)
    assert "Fox Mulder already voted" in html(twice)
    idea.refresh_from_db()
    assert idea.vote_count == 1


def test_a_conversation_whose_post_is_an_idea_shows_similar_ideas_to_vote_for(
    signed_in, acme, viewer, employee
):
    dark = actions.create_idea(employee, title="Dark mode in the mobile app")
    actions.create_idea(employee, title="Round-up savings into a pot")
    conv = conversation(
        acme, "please add a dark theme to the app, my eyes hurt at night", intent="idea"
    )
    client = signed_in(employee)
    page = html(client.get(_url("conversation", conv.pk)))
    assert "reads as an idea" in page
    assert "Dark mode in the mobile app" in page
    assert "Round-up savings" not in page
    assert _url("idea_from_conversation", conv.pk) in page
    seen = html(signed_in(viewer).get(_url("conversation", conv.pk)))
    assert "Dark mode in the mobile app" in seen
    assert "Add as a vote" not in seen
    assert "Turn into an idea" not in seen

    response = client.post(
        _url("idea_vote_from_post", dark.pk),
        {"post": conv.first_post_id, "conversation": conv.pk},
    )
    assert response["Location"] == _url("conversation", conv.pk)
    after = html(client.get(_url("conversation", conv.pk)))
    assert "Voted already" in after
    dark.refresh_from_db()
    assert dark.vote_count == 1


def test_a_conversation_turned_into_an_idea_is_linked_to_it(signed_in, acme, employee):
    conv = conversation(acme, "An app widget with my balance would be great", intent="idea")
    client = signed_in(employee)
    form = html(client.get(_url("idea_from_conversation", conv.pk)))
    assert "Turn this conversation into an idea" in form
    response = client.post(
        _url("idea_from_conversation", conv.pk), {"title": "Balance widget", "body": ""}
    )
    idea = Idea.objects.get()
    assert response["Location"] == _url("idea", idea.pk)
    assert (idea.origin, idea.conversation) == ("conversation", conv)
    page = html(client.get(_url("idea", idea.pk)))
    assert f'href="{_url("conversation", conv.pk)}"' in page
    back = html(client.get(_url("conversation", conv.pk)))
    assert f'This conversation is <a href="{_url("idea", idea.pk)}">idea #{idea.pk}' in back


# Analytics ----------------------------------------------------------------------------------


def test_analytics_show_votes_by_tier_segment_value_and_the_most_valuable_asks(
    signed_in, acme, viewer, employee
):
    empty = html(signed_in(viewer).get(_url("ideas_analytics")))
    assert "No votes to show yet" in empty
    wealth = actions.create_idea(employee, title="Wealth dashboard")
    savings = actions.create_idea(employee, title="Savings pots")
    rich = customer(acme, "Rich Person", tier="platinum", value=250_000, segment="Private")
    for person in (rich, customer(acme, "Gold One", tier="gold", value=20_000, segment="Retail")):
        votes.vote_for(employee, wealth, person)
    for i in range(3):
        votes.vote_for(employee, savings, customer(acme, f"Saver {i}", tier="standard", value=500))
    page = html(signed_in(viewer).get(_url("ideas_analytics")))
    assert '5</span><span class="l">counted votes' in page
    valuable = page.split("What our most valuable customers ask for")[1].split("Votes by tier")[0]
    assert valuable.index("Wealth dashboard") < valuable.index("Savings pots")
    assert "270,000" in valuable
    tiers = page.split('id="tier-title"')[1].split('id="band-title"')[0]
    assert tiers.index("Platinum") < tiers.index("Gold") < tiers.index("Standard")
    bands = page.split('id="band-title"')[1].split('id="segment-title"')[0]
    assert "100,000 and more" in bands
    assert "Under 1,000" in bands
    assert "Private" in page
    assert "No segment" in page
    trending = page.split('id="trending-title"')[1]
    assert "Savings pots" in trending
    assert 'class="spark"' in trending
    assert "style=" not in page.split("<main")[1]
