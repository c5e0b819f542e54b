"""The recognition pages: a person's page (theirs, or anyone's for a manager) with its export and
suggested skills, the team and company view, kudos on conversations, cases and ideas and on the
People page, and the recognition settings; each for the roles that may, refused to the others,
another workspace's ids a 404."""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from rapport.cases import actions as cases
from rapport.core import actions as core
from rapport.core.roles import Role
from rapport.engagement import actions as engagement
from rapport.engagement.models import EngagementPolicy
from rapport.ideas import actions as ideas
from rapport.inbox import actions as inbox
from rapport.inbox.tests.factories import conversation, team
from rapport.people.models import MemberSkill
from rapport.recognition import actions
from rapport.recognition.models import (
    DEFAULT_WEIGHTS,
    Contribution,
    DismissedSkill,
    Exclusion,
    Kind,
    Kudos,
    Weight,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def record_only(acme) -> EngagementPolicy:
    return EngagementPolicy.objects.create(
        workspace=acme, record_only=True, tone_check=False, disclosure=""
    )


def named(member, full_name):
    member.user.full_name = full_name
    member.user.save(update_fields=["full_name"])
    return member


@pytest.fixture
def people(acme, owner, make_member):
    """Sam (Customer care) hands a prospect's question to Ravi (R&D), who answers it; Maya
    manages; Ed is an employee, Vic a viewer."""
    sam = named(make_member(acme, Role.AGENT, "sam@acme.example"), "Sam Carter")
    ravi = named(make_member(acme, Role.AGENT, "ravi@acme.example"), "Ravi Patel")
    maya = named(make_member(acme, Role.MANAGER, "maya@acme.example"), "Maya Lind")
    ed = named(make_member(acme, Role.EMPLOYEE, "ed@acme.example"), "Ed Moss")
    vic = named(make_member(acme, Role.VIEWER, "vic@acme.example"), "Vic Hale")
    care = team(owner, "Customer care", sam)
    rnd = team(owner, "R&D", ravi)
    conv = conversation(acme, "Does your business account work with Xero?", intent="lead")
    conv.team = care
    conv.save(update_fields=["team"])
    inbox.hand_off(sam, conv, to=ravi, note="Ravi, can you answer this prospect about Xero?")
    engagement.send_reply(ravi, conv.first_post, text="Yes: the Xero feed is built in.")
    return {
        "sam": sam,
        "ravi": ravi,
        "maya": maya,
        "ed": ed,
        "vic": vic,
        "care": care,
        "rnd": rnd,
        "conv": conv,
    }


def page(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status, response.content[:500]
    return response.content.decode()


# A person's page ------------------------------------------------------------------------------


def test_a_person_sees_their_own_page_with_the_score_explained_and_the_change(signed_in, people):
    ravi = people["ravi"]
    html = page(signed_in(ravi), f"/w/acme/people/{ravi.pk}/recognition/")
    assert "My recognition" in html
    assert "1 expert answer" in html
    assert "1 first response" in html
    # 5 + 3 + 1 points with the default weights, all more than the 30 days before.
    assert "9 points" in html
    assert "9 points more than the period before (0)" in html
    assert "outside your own team" in html
    assert f'href="/w/acme/people/{people["sam"].pk}/"' in html  # the colleague helped
    assert "Contributions per week" in html
    assert 'role="img"' in html
    assert "Download everything about me (CSV)" in html
    # The chart's numbers are in a table too, and its legend names the colours.
    assert "Answering customers 3" in html


def test_managers_see_anyones_page_others_are_refused(signed_in, people, owner):
    ravi = people["ravi"]
    path = f"/w/acme/people/{ravi.pk}/recognition/"
    for who in (people["maya"], owner):
        html = page(signed_in(who), path)
        assert "Ravi Patel: recognition" in html
        assert "Download everything about me" not in html  # only Ravi exports his record
    for who in (people["sam"], people["ed"], people["vic"]):
        html = page(signed_in(who), path, 403)
        assert "Only Ravi Patel and their managers see their contributions" in html


def test_another_workspaces_member_or_team_is_not_found(signed_in, people, globex):
    their_owner = globex.memberships.get()
    stranger = core.add_member(their_owner, email="zed@globex.example", role="agent")
    their_team = core.create_team(their_owner, name="Claims")
    client = signed_in(people["maya"])
    page(client, f"/w/acme/people/{stranger.pk}/recognition/", 404)
    page(client, f"/w/acme/people/{stranger.pk}/recognition/export.csv", 404)
    page(client, f"/w/acme/recognition/?team={their_team.pk}", 404)
    page(client, "/w/acme/recognition/?team=x", 404)
    # and a member of acme is not found from globex
    page(signed_in(stranger), f"/w/globex/people/{people['ravi'].pk}/recognition/", 404)


def test_a_new_member_sees_empty_states_that_say_what_will_appear(signed_in, acme, make_member):
    newcomer = make_member(acme, Role.AGENT, "new@acme.example")
    html = page(signed_in(newcomer), f"/w/acme/people/{newcomer.pk}/recognition/")
    assert "No contributions in this period yet" in html
    assert "replies, hand-offs, cases" in html
    assert "No kudos in this period" in html
    assert "No suggestion now" in html


def test_the_period_is_validated_with_a_message(signed_in, people):
    ravi = people["ravi"]
    client = signed_in(ravi)
    base = f"/w/acme/people/{ravi.pk}/recognition/"
    html = page(client, base + "?period=custom&since=2025-13-01&until=2025-12-31", 400)
    assert "The start date: &#x27;2025-13-01&#x27; is not a date (YYYY-MM-DD)." in html
    assert "Showing the last 30 days instead." in html
    html = page(client, base + "?since=2025-06-30&until=2025-06-01", 400)
    assert "The period starts after it ends." in html
    html = page(client, base + "?since=2020-01-01&until=2025-01-01", 400)
    assert "at most three years" in html
    today = timezone.localdate()
    html = page(client, base + "?period=quarter")
    assert "This quarter" in html
    assert 'aria-current="true"' in html
    html = page(client, base + "?period=last_quarter")
    assert "Last quarter" in html
    week = today - dt.timedelta(days=6)
    html = page(client, base + f"?since={week}&until={today}")
    assert "(7 days)" in html
    assert "1 expert answer" in html


def test_contributions_are_listed_one_by_one_with_pages(signed_in, people):
    ravi = people["ravi"]
    conv = people["conv"]
    now = timezone.now()
    Contribution.objects.bulk_create(
        Contribution(
            workspace_id=ravi.workspace_id,
            member=ravi,
            kind=Kind.CASE_NOTE,
            at=now - dt.timedelta(days=1, minutes=i),
            event=100_000 + i,
            object_type="conversation",
            object_id=conv.pk,
        )
        for i in range(30)
    )
    client = signed_in(ravi)
    html = page(client, f"/w/acme/people/{ravi.pk}/recognition/")
    assert "33 contributions, newest first" in html
    assert "Page 1 of 2" in html
    assert "?contributions=2#counted" in html
    assert "<td>Expert answer after a hand-off</td>" in html
    assert "conversation “Does your business account work with Xero?”" in html
    html = page(client, f"/w/acme/people/{ravi.pk}/recognition/?contributions=2")
    assert "Page 2 of 2" in html
    assert "<td>Expert answer after a hand-off</td>" not in html
    assert html.count("<td>Note that moved a case on</td>") == 8


# Kudos ------------------------------------------------------------------------------------------


def test_kudos_form_on_a_conversation_thanks_a_colleague(signed_in, people):
    sam, ravi, conv = people["sam"], people["ravi"], people["conv"]
    client = signed_in(sam)
    html = page(client, f"/w/acme/inbox/{conv.pk}/")
    assert "Give kudos to" in html
    picker = html.split('id="kudos-receiver-conversation"')[1].split("</select>")[0]
    assert f'<option value="{ravi.pk}">Ravi Patel</option>' in picker
    assert f'<option value="{sam.pk}"' not in picker  # not oneself
    response = client.post(
        f"/w/acme/kudos/conversation/{conv.pk}/",
        {"receiver": ravi.pk, "message": "Thanks for the Xero answer <b>so fast</b>!"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/w/acme/inbox/{conv.pk}/#kudos"
    kudos = Kudos.objects.get()
    assert (kudos.giver, kudos.receiver, kudos.about, kudos.object_id) == (
        sam,
        ravi,
        "conversation",
        conv.pk,
    )
    html = page(client, f"/w/acme/inbox/{conv.pk}/")
    assert "Thanks for the Xero answer &lt;b&gt;so fast&lt;/b&gt;!" in html
    assert "<b>so fast</b>" not in html
    # on Ravi's People page and his recognition page too, escaped
    html = page(signed_in(people["ed"]), f"/w/acme/people/{ravi.pk}/")
    assert "Sam Carter</a> thanked Ravi Patel" in html
    assert "&lt;b&gt;so fast&lt;/b&gt;" in html
    html = page(signed_in(ravi), f"/w/acme/people/{ravi.pk}/recognition/")
    assert "Sam Carter</a> thanked you for the" in html
    assert "&lt;b&gt;so fast&lt;/b&gt;" in html


def test_kudos_to_oneself_or_without_a_message_show_why_and_record_nothing(signed_in, people):
    sam, ravi, conv = people["sam"], people["ravi"], people["conv"]
    client = signed_in(sam)
    url = f"/w/acme/kudos/conversation/{conv.pk}/"
    html = page_post(client, url, {"receiver": sam.pk, "message": "Me!"}, 400)
    assert "Kudos are for a colleague, not for yourself." in html
    html = page_post(client, url, {"receiver": ravi.pk, "message": "   "}, 400)
    assert "Say what you are thanking them for." in html
    html = page_post(client, url, {"receiver": "", "message": "Thanks"}, 400)
    assert "Choose the colleague you are thanking." in html
    html = page_post(client, url, {"receiver": ravi.pk, "message": "x" * 1001}, 400)
    assert "at most 1000" in html
    assert not Kudos.objects.exists()
    assert not Contribution.objects.filter(kind=Kind.KUDOS).exists()


def page_post(client, path, data, status, **headers):
    response = client.post(path, data, **headers)
    assert response.status_code == status, response.content[:500]
    return response.content.decode()


def test_kudos_by_htmx_swap_the_panel_in_place(signed_in, people):
    sam, ravi, conv = people["sam"], people["ravi"], people["conv"]
    client = signed_in(sam)
    url = f"/w/acme/kudos/conversation/{conv.pk}/"
    html = page_post(client, url, {"receiver": ravi.pk, "message": ""}, 200, HTTP_HX_REQUEST="true")
    assert html.lstrip().startswith('<section class="panel kudos-panel" id="kudos"')
    assert "Say what you are thanking them for." in html
    html = page_post(
        client, url, {"receiver": ravi.pk, "message": "Brilliant"}, 200, HTTP_HX_REQUEST="true"
    )
    assert "Kudos sent: Ravi Patel is told." in html
    assert "Brilliant" in html
    assert Kudos.objects.count() == 1


def test_kudos_on_cases_and_ideas_and_who_may_give_them(signed_in, people, owner):
    case = cases.create_case(owner, subject="Refund the double charge")
    idea = ideas.create_idea(owner, title="Xero export", body="Customers ask for it")
    for path, about, pk in (
        (f"/w/acme/cases/{case.pk}/", "case", case.pk),
        (f"/w/acme/ideas/{idea.pk}/", "idea", idea.pk),
    ):
        assert "Give kudos to" in page(signed_in(people["ed"]), path)
        viewer_html = page(signed_in(people["vic"]), path)
        assert "Give kudos to" not in viewer_html
        assert "No kudos yet." in viewer_html
        response = signed_in(people["ed"]).post(
            f"/w/acme/kudos/{about}/{pk}/", {"receiver": people["ravi"].pk, "message": "Thanks"}
        )
        assert response.status_code == 302
        refused = signed_in(people["vic"]).post(
            f"/w/acme/kudos/{about}/{pk}/", {"receiver": people["ravi"].pk, "message": "Hi"}
        )
        assert refused.status_code == 403
    assert Kudos.objects.count() == 2
    assert signed_in(people["ed"]).post("/w/acme/kudos/post/1/", {}).status_code == 404


def test_kudos_for_another_workspaces_object_are_not_found(signed_in, people, globex):
    theirs = conversation(globex, "Claims form broken")
    response = signed_in(people["sam"]).post(
        f"/w/acme/kudos/conversation/{theirs.pk}/",
        {"receiver": people["ravi"].pk, "message": "Thanks"},
    )
    assert response.status_code == 404
    assert not Kudos.objects.exists()


# The team view ------------------------------------------------------------------------------


def test_the_team_view_credits_help_outside_ones_team_for_managers_only(signed_in, people, owner):
    client = signed_in(people["maya"])
    html = page(client, "/w/acme/recognition/")
    assert "Helped customers outside their own team" in html
    outside = html.split('id="outside-title"')[1].split("</section>")[0]
    assert "Ravi Patel" in outside
    assert "1 expert answer" in outside
    assert "Evangelists" in html
    assert "Leaderboard" in html
    assert "R&amp;D" in html  # per team
    assert "What is counted, and what never is" in html
    assert "Keystrokes" in html
    assert 'Expert answer after a hand-off</td><td class="num">5' in html
    assert 'href="/w/acme/recognition/reports/"' in html  # the HR report's slot
    for who in (people["sam"], people["ed"], people["vic"]):
        page(signed_in(who), "/w/acme/recognition/", 403)
    # the department filter
    html = page(client, f"/w/acme/recognition/?team={people['care'].pk}")
    assert "Recognition: Customer care" in html
    assert "Ravi Patel" not in html.split('id="leaders-title"')[1].split("</section>")[0]


def test_leaderboards_switched_off_hide_the_lists_with_a_note(signed_in, people, owner):
    actions.set_leaderboards(owner, False)
    html = page(signed_in(people["maya"]), "/w/acme/recognition/")
    assert "Leaderboards are switched off in this workspace." in html
    assert 'id="outside-title"' not in html
    assert 'id="leaders-title"' not in html
    assert "Response and resolution contributions per team" in html


def test_people_left_out_are_never_ranked(signed_in, people, owner):
    actions.exclude(owner, people["ravi"], "asked by email")
    html = page(signed_in(people["maya"]), "/w/acme/recognition/")
    lists = html.split('id="outside-title"')[1].split('id="policy-title"')[0]
    assert "Ravi Patel" not in lists
    assert "1 person is left out now." in html
    html = page(signed_in(people["ravi"]), f"/w/acme/people/{people['ravi'].pk}/recognition/")
    assert "You are left out of leaderboards at your request." in html


def test_the_nav_leads_managers_to_the_team_view_and_others_to_their_own_page(signed_in, people):
    html = page(signed_in(people["maya"]), "/w/acme/inbox/")
    assert '<a href="/w/acme/recognition/" data-shortcut="r"' in html
    ed = people["ed"]
    client = signed_in(ed)
    html = page(client, "/w/acme/inbox/")
    assert '<a href="/w/acme/recognition/mine/" data-shortcut="r"' in html
    response = client.get("/w/acme/recognition/mine/")
    assert response["Location"] == f"/w/acme/people/{ed.pk}/recognition/"
    html = page(client, response["Location"])
    assert '<a href="/w/acme/recognition/mine/" data-shortcut="r" aria-current="page">' in html


# Export -----------------------------------------------------------------------------------------


def test_the_export_holds_the_persons_record_and_nothing_of_others(signed_in, acme, people):
    sam, ravi, conv = people["sam"], people["ravi"], people["conv"]
    actions.give_kudos(sam, ravi, "conversation", conv.pk, '=HYPERLINK("http://x")')
    actions.give_kudos(ravi, sam, "conversation", conv.pk, "You too, Sam")
    other = conversation(acme, "Where is my card?", author="kim")
    engagement.send_reply(sam, other.first_post, text="Following up for Ravi")  # Sam's, not his
    response = signed_in(ravi).get(f"/w/acme/people/{ravi.pk}/recognition/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["record", "when", "what"]
    records = [(r[0], r[2]) for r in rows[1:]]
    assert ("contribution", "Expert answer after a hand-off") in records
    assert ("contribution", "Kudos received") in records
    assert ("kudos received", "Kudos") in records
    assert ("kudos given", "Kudos") in records
    mine = Contribution.objects.filter(member=ravi).count()
    assert sum(1 for r in rows[1:] if r[0] == "contribution") == mine
    assert Contribution.objects.filter(member=sam).exists()
    received = next(r for r in rows if r[0] == "kudos received")
    assert received[-1] == '\'=HYPERLINK("http://x")'  # never a formula in a spreadsheet
    assert received[-2] == "Sam Carter"
    assert all("Following up" not in cell for r in rows for cell in r)
    # Only Ravi downloads it: his manager does not.
    assert (
        signed_in(people["maya"])
        .get(f"/w/acme/people/{ravi.pk}/recognition/export.csv")
        .status_code
        == 403
    )


# Skills suggested from resolved work --------------------------------------------------------


@pytest.fixture
def tagged(acme, owner, people):
    """Ravi answered two conversations tagged "mortgages" and one tagged "pensions"."""
    ravi = people["ravi"]
    for author, tags in (("dana", ["mortgages"]), ("lee", ["Mortgages", "pensions"])):
        conv = conversation(acme, "How do I port my mortgage?", author=author)
        inbox.tag(owner, conv, tags=tags)
        engagement.send_reply(ravi, conv.first_post, text="You can port it when you move.")
    return ravi


def test_skills_are_suggested_from_what_a_person_answered_and_they_confirm(signed_in, tagged):
    ravi = tagged
    client = signed_in(ravi)
    html = page(client, f"/w/acme/people/{ravi.pk}/recognition/")
    skills = html.split('id="skills-title"')[1].split("</section>")[0]
    assert "mortgages" in skills.lower()
    assert "2 conversations" in skills
    assert "pensions" not in skills  # one conversation says little
    assert "Yes, I know this" in skills
    response = client.post(
        f"/w/acme/people/{ravi.pk}/recognition/skills/confirm/",
        {"name": "mortgages", "return_query": "period=quarter"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("/recognition/?period=quarter#skills")
    assert [h.skill.name for h in MemberSkill.objects.filter(member=ravi)] == ["mortgages"]
    html = page(client, f"/w/acme/people/{ravi.pk}/recognition/")
    assert "Yes, I know this" not in html  # held now, not suggested


def test_a_dismissed_skill_is_not_suggested_again_and_only_the_person_decides(
    signed_in, tagged, people
):
    ravi = tagged
    maya = signed_in(people["maya"])
    html = page(maya, f"/w/acme/people/{ravi.pk}/recognition/")
    assert "Only Ravi Patel confirms or dismisses these." in html
    assert "Yes, I know this" not in html
    for action in ("confirm", "dismiss"):
        response = maya.post(
            f"/w/acme/people/{ravi.pk}/recognition/skills/{action}/", {"name": "mortgages"}
        )
        assert response.status_code == 403
    client = signed_in(ravi)
    response = client.post(
        f"/w/acme/people/{ravi.pk}/recognition/skills/dismiss/",
        {"name": "mortgages", "return_query": "period=x\r\nSet-Cookie: a=b"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/w/acme/people/{ravi.pk}/recognition/#skills"
    assert DismissedSkill.objects.filter(member=ravi, key="mortgages").exists()
    html = page(client, f"/w/acme/people/{ravi.pk}/recognition/")
    assert "No suggestion now" in html
    assert not MemberSkill.objects.filter(member=ravi).exists()
    response = client.post(
        f"/w/acme/people/{ravi.pk}/recognition/skills/confirm/", {"name": "astrology"}
    )
    assert response.status_code == 302
    html = page(client, response["Location"].split("#")[0])
    assert "&#x27;astrology&#x27; is not one of the skills suggested to you." in html


# Settings ---------------------------------------------------------------------------------------


def weights_form(**changes):
    data = {f"weight_{k}": str(v) for k, v in DEFAULT_WEIGHTS.items()}
    data.update({f"weight_{k}": v for k, v in changes.items()})
    return data


def test_the_weights_form_rejects_a_negative_weight_and_saves_nothing(signed_in, people, owner):
    client = signed_in(owner)
    html = page(client, "/w/acme/settings/recognition/")
    assert 'name="weight_expert_answer" value="5"' in html
    html = page_post(client, "/w/acme/settings/recognition/weights/", weights_form(kudos="-1"), 400)
    assert "Kudos received: a weight cannot be negative. Nothing was saved." in html
    assert 'name="weight_kudos" value="-1"' in html  # what was typed stays to correct
    assert not Weight.objects.exists()
    data = weights_form(kudos="7")
    del data["weight_praise"]
    html = page_post(client, "/w/acme/settings/recognition/weights/", data, 400)
    assert "Give a weight for: Praised by a customer." in html
    assert not Weight.objects.exists()
    response = client.post("/w/acme/settings/recognition/weights/", weights_form(kudos="7"))
    assert response.status_code == 302
    assert Weight.objects.get(kind=Kind.KUDOS).points == 7
    # the team view's policy shows the new weight
    assert 'Kudos received</td><td class="num">7' in page(client, "/w/acme/recognition/")


def test_recognition_settings_are_for_admins(signed_in, people, owner):
    page(signed_in(people["maya"]), "/w/acme/settings/recognition/", 403)
    response = signed_in(people["maya"]).post(
        "/w/acme/settings/recognition/leaderboards/", {"leaderboards": "off"}
    )
    assert response.status_code == 403
    html = page(signed_in(owner), "/w/acme/settings/workspace/")
    assert 'href="/w/acme/settings/recognition/"' in html
    assert 'href="/w/acme/settings/recognition/"' not in page(
        signed_in(people["maya"]), "/w/acme/settings/workspace/"
    )


def test_admins_switch_leaderboards_and_leave_people_out_and_back(signed_in, people, owner):
    client = signed_in(owner)
    ravi = people["ravi"]
    assert (
        client.post(
            "/w/acme/settings/recognition/leaderboards/", {"leaderboards": "off"}
        ).status_code
        == 302
    )
    assert "Leaderboards are switched off" in page(client, "/w/acme/recognition/")
    response = client.post(
        "/w/acme/settings/recognition/exclusions/", {"member": ravi.pk, "reason": "Asked <b>me</b>"}
    )
    assert response.status_code == 302
    assert Exclusion.objects.get(member=ravi).reason == "Asked <b>me</b>"
    html = page(client, "/w/acme/settings/recognition/")
    assert "Asked &lt;b&gt;me&lt;/b&gt;" in html
    html = page_post(client, "/w/acme/settings/recognition/exclusions/", {"member": ravi.pk}, 400)
    assert "not left out already" in html
    html = page_post(
        client,
        "/w/acme/settings/recognition/exclusions/",
        {"member": people["sam"].pk, "reason": "x" * 201},
        400,
    )
    assert "at most 200 characters" in html
    response = client.post(f"/w/acme/settings/recognition/exclusions/{ravi.pk}/include/")
    assert response.status_code == 302
    assert not Exclusion.objects.exists()
