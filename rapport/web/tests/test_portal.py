"""The public idea portal: read without signing in, sign in by an emailed one-time link, submit
after seeing similar ideas, vote, follow, comment; floods, robots and hostile text refused."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from rapport.contacts.models import Contact
from rapport.core.models import Membership
from rapport.core.roles import Role
from rapport.ideas import actions, merge, votes
from rapport.ideas.models import Area, Comment, Follower, Idea, Portal, PortalLink, Vote
from rapport.ideas.voters import contact_of_email
from rapport.web.views.portal import throttle

pytestmark = pytest.mark.django_db


@pytest.fixture
def portal(acme) -> Portal:
    return Portal.objects.create(
        workspace=acme,
        title="Acme Bank ideas",
        intro="Help us build the bank you want.",
        colour="#0a7c59",
        accent="#1f2937",
    )


@pytest.fixture
def manager(acme, make_member) -> Membership:
    return make_member(acme, Role.MANAGER)


def idea(member: Membership, title: str, body: str = "", **kw) -> Idea:
    return actions.create_idea(member, title=title, body=body, **kw)


def customer(workspace, email: str, name: str = "") -> Contact:
    return contact_of_email(workspace, email, name)


def signed_in_visitor(client: Client, portal: Portal, email: str, name: str = "") -> Contact:
    """Signs `email` in on `portal` the way a visitor does: the form, the email, the link."""
    from django.core import mail

    before = len(mail.outbox)
    slug = portal.workspace.slug
    response = client.post(f"/portal/{slug}/sign-in/", {"email": email, "name": name})
    assert response.status_code == 302, response.content.decode()
    assert len(mail.outbox) == before + 1
    link = link_in(str(mail.outbox[-1].body))
    response = client.post(link)
    assert response.status_code == 302
    return Contact.objects.get(pk=client.session[f"portal:{portal.workspace_id}"])


def link_in(body: str) -> str:
    """The path (with its query) of the sign-in link in an email."""
    found = re.search(r"https?://\S+/sign-in/\S+", body)
    assert found, body
    parts = urlsplit(found.group(0))
    return parts.path + (f"?{parts.query}" if parts.query else "")


# Reading, signed out ---------------------------------------------------------------------------


def test_anyone_reads_the_list_in_the_workspaces_colours(client, portal, owner):
    idea(owner, "Apple Pay in the app", "Tap to pay with **Apple Pay**.")
    response = client.get("/portal/acme/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Acme Bank ideas" in page
    assert "Help us build the bank you want." in page
    assert "Apple Pay in the app" in page
    assert "Tap to pay with Apple Pay." in page
    assert 'class="status-badge status-new"' in page
    # the colours come in a stylesheet of their own: no inline style under the CSP
    assert "/portal/acme/theme.css?v=0a7c591f2937" in page
    assert "style=" not in page
    assert "<script>" not in page
    css = client.get("/portal/acme/theme.css").content.decode()
    assert "--brand: #0a7c59;" in css
    assert "--accent: #1f2937;" in css
    assert "--brand-ink: #ffffff;" in css  # white reads on a dark green
    # a signed-out visitor is asked to sign in to vote
    assert "Sign in to vote for Apple Pay in the app (1 vote)" not in page  # no votes yet
    assert "Sign in to vote for Apple Pay in the app (0 votes)" in page


def test_a_colour_that_is_not_a_colour_never_reaches_the_stylesheet(client, portal):
    Portal.objects.filter(pk=portal.pk).update(colour="red;}a{", accent="#zzzzzz")
    css = client.get("/portal/acme/theme.css").content.decode()
    assert "red;" not in css
    assert "a{" not in css
    assert "zzz" not in css
    assert "--brand: #2563eb;" in css
    assert "--accent: #0f172a;" in css


def test_a_workspace_without_an_open_portal_is_a_friendly_404(client, acme, globex):
    response = client.get("/portal/acme/")
    assert response.status_code == 404
    assert "There is no idea portal here" in response.content.decode()
    Portal.objects.create(workspace=globex, enabled=False)
    assert client.get("/portal/globex/").status_code == 404
    assert client.get("/portal/globex/theme.css").status_code == 404
    assert client.get("/portal/nobody/").status_code == 404


def test_search_sort_filter_and_pages(client, portal, owner, acme):
    cards = Area.objects.create(workspace=acme, name="Cards")
    old = idea(owner, "Freeze my card from the app", area=cards)
    popular = idea(owner, "Dark mode for the mobile app")
    new = idea(owner, "Round-up savings pots")
    for n in range(3):
        votes.portal_vote(customer(acme, f"fan{n}@example.com"), popular)
    Idea.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=30))
    actions.change_status(owner, new, "planned", "Coming this spring.")

    def titles(query: str) -> list[str]:
        html = client.get(f"/portal/acme/?{query}").content.decode()
        return re.findall(r'class="idea-row-title"><a href="[^"]+">([^<]+)</a>', html)

    assert titles("sort=top")[0] == "Dark mode for the mobile app"
    assert titles("sort=new") == [
        "Round-up savings pots",
        "Dark mode for the mobile app",
        "Freeze my card from the app",
    ]
    assert titles("sort=trending")[0] == "Dark mode for the mobile app"
    assert titles("status=planned") == ["Round-up savings pots"]
    assert titles(f"area={cards.pk}") == ["Freeze my card from the app"]
    assert titles("q=mobile+dark") == ["Dark mode for the mobile app"]
    assert titles("sort=nonsense&status=bogus&area=x")  # unknown values are ignored
    # htmx asks for the results only
    fragment = client.get("/portal/acme/?q=card", headers={"HX-Request": "true"})
    assert fragment.content.decode().startswith('<div id="portal-results"')

    for n in range(22):
        idea(owner, f"Idea number {n}")
    first = client.get("/portal/acme/?sort=new").content.decode()
    assert "Page 1 of 2" in first
    assert "Idea number 21" in first
    second = client.get("/portal/acme/?sort=new&page=2").content.decode()
    assert "Freeze my card from the app" in second
    assert "Idea number 21" not in second


def test_empty_states_say_what_to_do(client, portal, owner):
    page = client.get("/portal/acme/").content.decode()
    assert "No ideas here yet" in page
    assert "Submit the first idea" in page
    idea(owner, "Apple Pay")
    page = client.get("/portal/acme/?q=blockchain").content.decode()
    assert "No ideas match “blockchain”" in page
    assert "see every idea" in page


def test_a_merged_idea_is_not_listed_and_its_old_address_leads_to_the_target(client, portal, owner):
    into = idea(owner, "Dark mode")
    dup = idea(owner, "Night theme please")
    merge.merge_ideas(owner, dup, into)
    page = client.get("/portal/acme/").content.decode()
    assert "Dark mode" in page
    assert "Night theme please" not in page
    response = client.get(f"/portal/acme/ideas/{dup.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/portal/acme/ideas/{into.pk}/"


def test_an_idea_page_shows_votes_history_and_public_comments_only(client, portal, owner, acme):
    shown = idea(
        owner, "Apple Pay", "We need:\n\n- Apple Pay\n- [Google Pay](https://pay.google.com)"
    )
    actions.change_status(owner, shown, "planned", "Planned for the summer release.")
    actions.comment(owner, shown, "We are talking to Apple.", public=True)
    actions.comment(owner, shown, "Legal says no before Q3", public=False)
    fan = customer(acme, "dana@example.com", "Dana Scully")
    actions.comment(None, shown, "Yes please!", contact=fan)
    page = client.get(f"/portal/acme/ideas/{shown.pk}/").content.decode()
    assert "<li>Apple Pay</li>" in page
    assert '<a href="https://pay.google.com" rel="nofollow ugc noopener">Google Pay</a>' in page
    assert "Planned for the summer release." in page
    assert "status-planned" in page
    assert "We are talking to Apple." in page
    assert "Acme Bank team" in page
    assert "Yes please!" in page
    assert "Dana S." in page
    assert "Scully" not in page
    assert "Legal says no" not in page
    assert "dana@example.com" not in page
    assert "Sign in to comment" in page


def test_an_idea_body_with_script_is_inert_on_every_page(client, portal, owner):
    hostile = idea(
        owner,
        "<img src=x onerror=alert(1)>",
        "<script>alert('body')</script> [click](javascript:alert(2)) <b onmouseover=x>hi</b>",
    )
    for path in ("/portal/acme/", f"/portal/acme/ideas/{hostile.pk}/"):
        page = client.get(path).content.decode()
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert "<b onmouseover" not in page
        assert 'href="javascript:' not in page
        assert "&lt;img src=x onerror=alert(1)&gt;" in page
    page = client.get(f"/portal/acme/ideas/{hostile.pk}/").content.decode()
    assert "&lt;script&gt;alert('body')&lt;/script&gt;" in page


def test_another_workspaces_idea_is_a_404_on_this_portal(client, portal, globex):
    theirs = actions.create_idea(
        Membership.objects.get(workspace=globex, role=Role.OWNER), title="Globex secret"
    )
    response = client.get(f"/portal/acme/ideas/{theirs.pk}/")
    assert response.status_code == 404
    assert "Globex secret" not in response.content.decode()
    assert "We could not find that" in response.content.decode()
    visitor = Client()
    signed_in_visitor(visitor, portal, "dana@example.com")
    assert visitor.post(f"/portal/acme/ideas/{theirs.pk}/vote/").status_code == 404
    assert (
        visitor.post(f"/portal/acme/ideas/{theirs.pk}/comments/", {"body": "x"}).status_code == 404
    )
    assert not Vote.objects.filter(idea=theirs, source="portal").exists()
    assert not Comment.objects.filter(idea=theirs).exists()


# Signing in ------------------------------------------------------------------------------------


def test_a_visitor_signs_in_by_the_emailed_link_once(client, portal, acme, mailoutbox):
    response = client.post(
        "/portal/acme/sign-in/",
        {"email": "Dana@Example.com", "name": "Dana Scully", "next": "/portal/acme/new/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/portal/acme/sign-in/sent/"
    sent = client.get("/portal/acme/sign-in/sent/").content.decode()
    assert "Check your email" in sent
    assert "Dana@example.com" in sent
    (email,) = mailoutbox
    assert email.to == ["Dana@example.com"]
    assert "Acme Bank ideas" in email.subject
    link = link_in(email.body)
    token = link.split("/sign-in/")[1].split("/")[0]
    # only the token's hash is kept
    stored = PortalLink.objects.get()
    assert stored.token_hash != token
    assert token not in stored.token_hash
    assert stored.expires_at - stored.created_at == timedelta(minutes=30)

    # opening the link asks for one click (mail scanners open links too)
    page = client.get(link)
    assert page.status_code == 200
    assert "signing in as <strong>Dana@example.com</strong>" in (page.content.decode())
    assert page["Referrer-Policy"] == "same-origin"
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    assert not Contact.objects.filter(email_key="dana@example.com").exists()
    response = client.post(link)
    assert response.status_code == 302
    assert response["Location"] == "/portal/acme/new/"
    dana = Contact.objects.get(workspace=acme, email_key="dana@example.com")
    assert dana.name == "Dana Scully"
    assert dana.source == "portal"
    assert client.session[f"portal:{acme.pk}"] == dana.pk
    page = client.get("/portal/acme/").content.decode()
    assert "Dana S." in page
    assert "Sign out" in page
    # used up: a second use is refused with a way to ask for a new link
    again = client.post(link)
    assert again.status_code == 410
    assert "This sign-in link was used already" in again.content.decode()
    assert 'value="Dana@example.com"' in again.content.decode()


def test_an_existing_customer_signs_in_as_their_own_contact(client, portal, acme):
    known = Contact.objects.create(
        workspace=acme, name="Fox Mulder", email="fox@fbi.example", email_key="fox@fbi.example"
    )
    assert signed_in_visitor(client, portal, "FOX@fbi.example", "Someone Else") == known
    known.refresh_from_db()
    assert known.name == "Fox Mulder"  # the portal never renames a contact


def test_a_forged_or_expired_link_says_so_and_offers_a_new_one(client, portal, mailoutbox):
    forged = client.get("/portal/acme/sign-in/not-a-real-token-at-all/")
    assert forged.status_code == 404
    assert "This sign-in link does not work" in forged.content.decode()
    assert "Email me a sign-in link" in forged.content.decode()
    assert client.post("/portal/acme/sign-in/not-a-real-token-at-all/").status_code == 404

    client.post("/portal/acme/sign-in/", {"email": "dana@example.com"})
    link = link_in(mailoutbox[-1].body)
    PortalLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    expired = client.post(link)
    assert expired.status_code == 410
    assert "This sign-in link has expired" in expired.content.decode()
    assert "portal:" not in "".join(client.session.keys())


def test_a_link_signs_in_on_its_own_workspaces_portal_only(client, portal, globex, mailoutbox):
    Portal.objects.create(workspace=globex)
    client.post("/portal/acme/sign-in/", {"email": "dana@example.com"})
    link = link_in(mailoutbox[-1].body)
    assert client.post(link.replace("/portal/acme/", "/portal/globex/")).status_code == 404
    signed_in_visitor(client, portal, "dana@example.com")
    assert "Sign out" not in client.get("/portal/globex/").content.decode()


def test_signing_out_of_the_portal_leaves_a_members_sign_in_alone(portal, owner):
    client = Client()
    client.force_login(owner.user)
    signed_in_visitor(client, portal, "owner-as-customer@example.com")
    assert client.get("/w/acme/inbox/").status_code == 200  # still a member after the link
    response = client.post("/portal/acme/sign-out/")
    assert response.status_code == 302
    assert f"portal:{owner.workspace_id}" not in client.session
    assert "Sign in" in client.get("/portal/acme/").content.decode()
    assert client.get("/w/acme/inbox/").status_code == 200


def test_after_sign_in_a_visitor_goes_to_a_portal_page_only(client, portal, mailoutbox):
    client.post(
        "/portal/acme/sign-in/", {"email": "dana@example.com", "next": "https://evil.example/"}
    )
    response = client.post(link_in(mailoutbox[-1].body))
    assert response["Location"] == "/portal/acme/"
    assert (
        client.get("/portal/acme/sign-in/?next=//evil.example/x")
        .content.decode()
        .count("evil.example")
        == 0
    )


def test_a_bad_email_is_named(client, portal, mailoutbox):
    response = client.post("/portal/acme/sign-in/", {"email": "not an email"})
    assert response.status_code == 400
    assert "That is not an email address" in response.content.decode()
    assert not mailoutbox
    assert not PortalLink.objects.exists()


# Submitting, voting, following, commenting -----------------------------------------------------


def test_submitting_needs_a_signed_in_visitor(client, portal):
    response = client.get("/portal/acme/new/")
    assert response.status_code == 302
    assert response["Location"] == "/portal/acme/sign-in/?next=/portal/acme/new/"
    assert client.post("/portal/acme/new/", {"title": "x"}).status_code == 302
    assert not Idea.objects.exists()
    response = client.post(f"/portal/acme/ideas/{1}/vote/")
    assert response.status_code in (302, 404)


def test_a_visitor_sees_similar_ideas_and_submits_their_own(client, portal, owner, acme):
    dark = idea(owner, "Dark mode for the mobile app", "A dark theme for night time reading")
    dana = signed_in_visitor(client, portal, "dana@example.com", "Dana Scully")
    similar = client.get("/portal/acme/similar/?title=dark+mode+in+the+app").content.decode()
    assert "Dark mode for the mobile app" in similar
    assert "Vote for this instead" in similar
    assert 'name="confirmed"' in similar
    assert (
        client.get("/portal/acme/similar/?title=zz")
        .content.decode()
        .strip()
        .endswith("No similar ideas found.</p>")
    )

    # without JavaScript the similar ideas come as a step before the idea is posted
    response = client.post("/portal/acme/new/", {"title": "Dark mode in the app please"})
    assert response.status_code == 200
    assert "Before you post: is your idea one of these?" in response.content.decode()
    assert not Idea.objects.filter(title="Dark mode in the app please").exists()
    response = client.post(
        "/portal/acme/new/",
        {"title": "Dark mode in the app please", "body": "**Night** use", "confirmed": "on"},
    )
    mine = Idea.objects.get(title="Dark mode in the app please")
    assert response["Location"] == f"/portal/acme/ideas/{mine.pk}/"
    assert mine.origin == "portal"
    assert mine.author_contact == dana
    assert mine.vote_count == 1
    assert Follower.objects.filter(idea=mine, contact=dana).exists()
    page = client.get(response["Location"]).content.decode()
    assert "Your idea is posted" in page
    assert "<strong>Night</strong> use" in page
    assert dark.pk != mine.pk


def test_a_visitor_votes_for_a_similar_idea_instead(client, portal, owner):
    dark = idea(owner, "Dark mode for the mobile app")
    signed_in_visitor(client, portal, "dana@example.com")
    response = client.post(
        f"/portal/acme/ideas/{dark.pk}/vote/",
        {"title": "dark mode", "next": f"/portal/acme/ideas/{dark.pk}/"},
    )
    assert response["Location"] == f"/portal/acme/ideas/{dark.pk}/"
    dark.refresh_from_db()
    assert dark.vote_count == 1
    assert Idea.objects.count() == 1


def test_vote_and_take_it_back(client, portal, owner):
    wanted = idea(owner, "Apple Pay")
    signed_in_visitor(client, portal, "dana@example.com")
    client.post(f"/portal/acme/ideas/{wanted.pk}/vote/")
    wanted.refresh_from_db()
    assert wanted.vote_count == 1
    page = client.get(f"/portal/acme/ideas/{wanted.pk}/").content.decode()
    assert "You voted for “Apple Pay”" in page
    assert 'aria-pressed="true"' in page
    # a second vote counts nothing and says why
    client.post(f"/portal/acme/ideas/{wanted.pk}/vote/")
    wanted.refresh_from_db()
    assert wanted.vote_count == 1
    assert "You voted for this idea already." in client.get("/portal/acme/").content.decode()
    # htmx: the vote box comes back with the new count
    box = client.post(
        f"/portal/acme/ideas/{wanted.pk}/unvote/", headers={"HX-Request": "true"}
    ).content.decode()
    assert 'id="vote-' in box
    assert "<html" not in box
    assert '<span class="vote-count">0</span>' in box
    assert 'aria-pressed="false"' in box
    wanted.refresh_from_db()
    assert wanted.vote_count == 0


def test_a_shipped_idea_takes_no_more_votes(client, portal, owner):
    done = idea(owner, "Contactless cards")
    actions.change_status(owner, done, "shipped", "Live for everyone.")
    signed_in_visitor(client, portal, "dana@example.com")
    page = client.get(f"/portal/acme/ideas/{done.pk}/").content.decode()
    assert "Voting is closed: this idea is shipped." in page
    client.post(f"/portal/acme/ideas/{done.pk}/vote/")
    done.refresh_from_db()
    assert done.vote_count == 0
    assert "it takes no more votes" in client.get("/portal/acme/").content.decode()


def test_a_vote_on_a_merged_idea_counts_for_the_target(client, portal, owner):
    into = idea(owner, "Dark mode")
    dup = idea(owner, "Night theme")
    merge.merge_ideas(owner, dup, into)
    signed_in_visitor(client, portal, "dana@example.com")
    client.post(f"/portal/acme/ideas/{dup.pk}/vote/")
    into.refresh_from_db()
    assert into.vote_count == 1


def test_follow_and_unfollow(client, portal, owner):
    news = idea(owner, "Apple Pay")
    dana = signed_in_visitor(client, portal, "dana@example.com")
    client.post(f"/portal/acme/ideas/{news.pk}/follow/", {"on": "1"})
    assert Follower.objects.filter(idea=news, contact=dana).exists()
    assert "Following ✓" in client.get(f"/portal/acme/ideas/{news.pk}/").content.decode()
    client.post(f"/portal/acme/ideas/{news.pk}/follow/", {"on": "0"})
    assert not Follower.objects.filter(idea=news, contact=dana).exists()


def test_a_comment_is_posted_public_and_shown_escaped(client, portal, owner):
    talk = idea(owner, "Apple Pay")
    dana = signed_in_visitor(client, portal, "dana@example.com", "Dana Scully")
    response = client.post(
        f"/portal/acme/ideas/{talk.pk}/comments/", {"body": "<script>alert(1)</script> me too"}
    )
    note = Comment.objects.get(idea=talk)
    assert response["Location"] == f"/portal/acme/ideas/{talk.pk}/#comment-{note.pk}"
    assert note.public
    assert note.author_contact == dana
    page = Client().get(f"/portal/acme/ideas/{talk.pk}/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; me too" in page
    assert "<script>alert" not in page
    empty = client.post(f"/portal/acme/ideas/{talk.pk}/comments/", {"body": "  "})
    assert empty.status_code == 400
    assert "Write something before you post the comment." in empty.content.decode()


# Spam ------------------------------------------------------------------------------------------


def test_the_honeypot_stops_a_robot_on_every_form(client, portal, owner, mailoutbox):
    response = client.post(
        "/portal/acme/sign-in/", {"email": "bot@example.com", "website": "http://spam.example"}
    )
    assert response.status_code == 400
    assert "must stay empty" in response.content.decode()
    assert not mailoutbox
    assert not PortalLink.objects.exists()
    talk = idea(owner, "Apple Pay")
    signed_in_visitor(client, portal, "dana@example.com")
    trap = {"website": "http://spam.example", "confirmed": "on"}
    assert client.post("/portal/acme/new/", {"title": "Cheap pills", **trap}).status_code == 400
    assert not Idea.objects.filter(title="Cheap pills").exists()
    response = client.post(f"/portal/acme/ideas/{talk.pk}/comments/", {"body": "buy", **trap})
    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_sign_in_links_are_limited_per_email_and_per_address(client, portal, mailoutbox):
    for _ in range(throttle.LIMITS["link"].per_person):
        assert (
            client.post("/portal/acme/sign-in/", {"email": "dana@example.com"}).status_code == 302
        )
    refused = client.post("/portal/acme/sign-in/", {"email": "dana@example.com"})
    assert refused.status_code == 400
    assert "You have sent too many sign-in links in the last hour (at most 5)" in (
        refused.content.decode()
    )
    assert len(mailoutbox) == 5
    # another email from the same address still works, up to the address's own limit
    cache.clear()
    limit = throttle.LIMITS["link"].per_address
    for n in range(limit):
        response = client.post("/portal/acme/sign-in/", {"email": f"p{n}@example.com"})
        assert response.status_code == 302
    refused = client.post("/portal/acme/sign-in/", {"email": "late@example.com"})
    assert "Too many sign-in links came from your network" in refused.content.decode()
    other_address = client.post(
        "/portal/acme/sign-in/", {"email": "late@example.com"}, REMOTE_ADDR="10.1.2.3"
    )
    assert other_address.status_code == 302


def test_submissions_and_comments_are_limited_per_person(client, portal, owner, monkeypatch):
    monkeypatch.setitem(throttle.LIMITS, "idea", throttle.Limit("ideas", 50, 2))
    monkeypatch.setitem(throttle.LIMITS, "comment", throttle.Limit("comments", 50, 2))
    signed_in_visitor(client, portal, "dana@example.com")
    for n in range(2):
        data = {"title": f"Idea {n} zebra", "confirmed": "on"}
        assert client.post("/portal/acme/new/", data).status_code == 302
    refused = client.post("/portal/acme/new/", {"title": "Idea 3 zebra", "confirmed": "on"})
    assert refused.status_code == 400
    assert "You have sent too many ideas in the last hour" in refused.content.decode()
    assert Idea.objects.count() == 2
    target = Idea.objects.earliest("id")
    for _ in range(2):
        client.post(f"/portal/acme/ideas/{target.pk}/comments/", {"body": "more"})
    refused = client.post(f"/portal/acme/ideas/{target.pk}/comments/", {"body": "more"})
    assert "too many comments" in refused.content.decode()
    assert Comment.objects.count() == 2


def test_every_portal_form_needs_its_csrf_token(portal, owner):
    talk = idea(owner, "Apple Pay")
    guarded = Client(enforce_csrf_checks=True)
    assert guarded.post("/portal/acme/sign-in/", {"email": "a@example.com"}).status_code == 403
    for path in ("vote", "unvote", "follow", "comments"):
        assert guarded.post(f"/portal/acme/ideas/{talk.pk}/{path}/").status_code == 403
    assert guarded.post("/portal/acme/new/", {"title": "x"}).status_code == 403
    assert guarded.post("/portal/acme/sign-out/").status_code == 403
    page = guarded.get("/portal/acme/sign-in/").content.decode()
    assert 'name="csrfmiddlewaretoken"' in page
