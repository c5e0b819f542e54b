"""My work: a back-office person's tasks (completed in one click), the approvals they decide
(right there, with htmx or without), what they asked for, watched cases and their delegation;
the case page's approvals panel; everything escaped, and another workspace's things are 404."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from rapport.approvals import delegations
from rapport.approvals.models import Approval, Delegation
from rapport.cases import actions
from rapport.cases.approvals import request_case_approval
from rapport.cases.models import Case, Task
from rapport.core import actions as core
from rapport.core.models import Membership
from rapport.core.roles import Role

pytestmark = pytest.mark.django_db

EVIL = '<script>alert("x")</script>'


@pytest.fixture
def people(acme, owner, make_member) -> dict[str, Membership]:
    return {
        "sam": make_member(acme, Role.AGENT, "sam@acme.example"),
        "ingrid": make_member(acme, Role.MANAGER, "ingrid@acme.example"),
        "tom": make_member(acme, Role.EMPLOYEE, "tom@acme.example"),
    }


@pytest.fixture
def case(people) -> Case:
    return actions.create_case(people["sam"], subject=f"Charged twice {EVIL}")


def test_an_employee_lands_on_my_work_and_an_agent_on_the_inbox(people, signed_in):
    assert signed_in(people["tom"]).get("/")["Location"] == "/w/acme/my-work/"
    assert signed_in(people["tom"]).get("/w/acme/")["Location"] == "/w/acme/my-work/"
    assert signed_in(people["sam"]).get("/")["Location"] == "/w/acme/inbox/"


def test_empty_my_work_says_what_will_appear(people, signed_in):
    page = signed_in(people["tom"]).get("/w/acme/my-work/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Nothing waits for your decision" in html
    assert "No open task is assigned to you" in html
    assert 'data-shortcut="w"' in html


def test_a_task_is_completed_in_one_click_with_htmx(people, case, signed_in):
    task = actions.add_task(
        people["sam"], case, title=f"Issue the credit {EVIL}", assignee=people["tom"]
    )
    tom = signed_in(people["tom"])
    html = tom.get("/w/acme/my-work/").content.decode()
    assert "Issue the credit &lt;script&gt;" in html
    assert EVIL not in html
    done = tom.post(f"/w/acme/my-work/tasks/{task.pk}/done/", HTTP_HX_REQUEST="true")
    assert done.status_code == 200
    fragment = done.content.decode()
    assert 'id="my-tasks"' in fragment
    assert "is done (case #" in fragment
    assert "<html" not in fragment
    task.refresh_from_db()
    assert task.status == Task.State.DONE


def test_someone_elses_workspace_task_or_approval_is_404(
    people, case, signed_in, globex, make_member
):
    task = actions.add_task(people["sam"], case, title="Check", assignee=people["tom"])
    approval = request_case_approval(people["sam"], case, approver=people["ingrid"])
    outsider = signed_in(make_member(globex, Role.ADMIN, "x@globex.example"))
    assert outsider.post(f"/w/globex/my-work/tasks/{task.pk}/done/").status_code == 404
    assert outsider.post(f"/w/globex/my-work/approvals/{approval.pk}/decide/").status_code == 404
    assert outsider.get("/w/acme/my-work/").status_code == 404


def test_ingrid_approves_from_my_work_and_sam_cannot_approve_his_own(people, case, signed_in):
    approval = request_case_approval(
        people["sam"], case, approver=people["ingrid"], amount="640.00", reason=f"Bank error {EVIL}"
    )
    ingrid = signed_in(people["ingrid"])
    html = ingrid.get("/w/acme/my-work/").content.decode()
    assert "Bank error &lt;script&gt;" in html
    assert "640.00" in html
    assert EVIL not in html
    sam = signed_in(people["sam"])
    own = sam.post(
        f"/w/acme/my-work/approvals/{approval.pk}/decide/",
        {"decision": "approve"},
        HTTP_HX_REQUEST="true",
    )
    assert "someone else must decide it" in own.content.decode()
    decided = ingrid.post(
        f"/w/acme/my-work/approvals/{approval.pk}/decide/",
        {"decision": "approve", "comment": "OK"},
        HTTP_HX_REQUEST="true",
    )
    assert "approved." in decided.content.decode()
    assert "Nothing waits for your decision" in decided.content.decode()
    approval.refresh_from_db()
    assert approval.state == Approval.State.APPROVED
    again = ingrid.post(
        f"/w/acme/my-work/approvals/{approval.pk}/decide/", {"decision": "reject", "comment": "x"}
    )
    assert again.status_code == 302
    follow = ingrid.get(again["Location"]).content.decode()
    assert "already approved" in follow
    requested = sam.get("/w/acme/my-work/").content.decode()
    assert "approved by ingrid@acme.example" in requested


def test_watched_cases_and_pages(people, signed_in):
    for i in range(12):
        actions.create_case(people["tom"], subject=f"Fee question {i}")
    tom = signed_in(people["tom"])
    first = tom.get("/w/acme/my-work/").content.decode()
    assert "Fee question 11" in first
    assert "Page 1 of 2" in first
    second = tom.get("/w/acme/my-work/?section=watched&watched_page=2", HTTP_HX_REQUEST="true")
    html = second.content.decode()
    assert 'id="my-watched"' in html
    assert "Fee question 0" in html


def test_delegating_from_my_work_lets_the_delegate_decide(people, case, signed_in):
    ingrid = signed_in(people["ingrid"])
    today = timezone.localdate()
    response = ingrid.post(
        "/w/acme/my-work/delegations/",
        {
            "delegate": people["tom"].pk,
            "starts_on": today.isoformat(),
            "ends_on": (today + datetime.timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 302
    delegation = Delegation.objects.get()
    approval = request_case_approval(people["sam"], case, approver=people["ingrid"])
    tom = signed_in(people["tom"])
    html = tom.get("/w/acme/my-work/").content.decode()
    assert "you decide on behalf of ingrid@acme.example" in html
    tom.post(f"/w/acme/my-work/approvals/{approval.pk}/decide/", {"decision": "approve"})
    approval.refresh_from_db()
    assert approval.on_behalf_of == people["ingrid"]
    bad = ingrid.post(
        "/w/acme/my-work/delegations/",
        {"delegate": people["ingrid"].pk, "starts_on": today, "ends_on": today},
    )
    assert "Choose someone else" in ingrid.get(bad["Location"]).content.decode()
    ingrid.post(f"/w/acme/my-work/delegations/{delegation.pk}/end/")
    delegation.refresh_from_db()
    assert delegation.ended_at is not None
    assert delegations.delegations_of(people["ingrid"]).count() == 0


def test_the_case_page_panel_asks_a_team_with_a_file_and_shows_the_decision(
    people, case, signed_in, owner, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    team = core.create_team(owner, name="Senior credit officers")
    core.add_team_member(owner, team, people["ingrid"])
    sam = signed_in(people["sam"])
    page = sam.get(f"/w/acme/cases/{case.pk}/").content.decode()
    assert "No approval asked on this case" in page
    assert f'value="team:{team.pk}"' in page
    pdf = SimpleUploadedFile("statement.pdf", b"%PDF-1.4 statement", "application/pdf")
    asked = sam.post(
        f"/w/acme/cases/{case.pk}/approvals/",
        {
            "approver": f"team:{team.pk}",
            "amount": "640",
            "reason": "Taken twice",
            "attachment": pdf,
        },
    )
    assert asked.status_code == 302
    approval = Approval.objects.get()
    assert approval.approver_team == team
    case.refresh_from_db()
    assert case.status == "waiting_approval"
    page = sam.get(f"/w/acme/cases/{case.pk}/").content.decode()
    assert "the Senior credit officers team" in page
    assert "maker-checker" in page
    att = approval.attachments.get()
    download = signed_in(people["tom"]).get(f"/w/acme/approvals/{approval.pk}/files/{att.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 statement"
    assert "attachment" in download["Content-Disposition"]
    ingrid = signed_in(people["ingrid"])
    assert "Approve" in ingrid.get(f"/w/acme/cases/{case.pk}/").content.decode()
    ingrid.post(
        f"/w/acme/my-work/approvals/{approval.pk}/decide/",
        {"decision": "reject", "comment": "Goodwill only", "next": f"/w/acme/cases/{case.pk}/"},
    )
    page = sam.get(f"/w/acme/cases/{case.pk}/").content.decode()
    assert "Rejected by ingrid@acme.example" in page
    assert "Goodwill only" in page


def test_a_bad_panel_request_names_the_problem(people, case, signed_in):
    sam = signed_in(people["sam"])
    response = sam.post(
        f"/w/acme/cases/{case.pk}/approvals/",
        {"approver": f"member:{people['ingrid'].pk}", "amount": "-2"},
    )
    html = sam.get(response["Location"]).content.decode()
    assert "The amount must be more than zero" in html
    case.refresh_from_db()
    assert case.status == "new"


def test_an_admin_sets_the_approval_timers_on_the_approvals_page(acme, owner, people, signed_in):
    admin = signed_in(owner)
    page = admin.get("/w/acme/approvals/").content.decode()
    assert "After 24 hours without a decision" in page
    admin.post(
        "/w/acme/approvals/timers/", {"remind_after_hours": "8", "escalate_after_hours": "4"}
    )
    assert "Escalate after the reminder" in admin.get("/w/acme/approvals/").content.decode()
    admin.post(
        "/w/acme/approvals/timers/", {"remind_after_hours": "8", "escalate_after_hours": "30"}
    )
    assert "After 8 hours without a decision" in admin.get("/w/acme/approvals/").content.decode()
    tom = signed_in(people["tom"])
    assert 'name="remind_after_hours"' not in tom.get("/w/acme/approvals/").content.decode()
    assert (
        tom.post(
            "/w/acme/approvals/timers/", {"remind_after_hours": "1", "escalate_after_hours": "2"}
        ).status_code
        == 403
    )


def test_the_approvals_page_links_a_case_approval_to_its_case(people, case, signed_in):
    request_case_approval(people["sam"], case, approver=people["ingrid"], amount="1250")
    html = signed_in(people["ingrid"]).get("/w/acme/approvals/").content.decode()
    assert f'href="/w/acme/cases/{case.pk}/">Open case #{case.pk}</a>' in html
    assert "1,250.00" in html


def test_search_narrows_every_section_and_says_so(people, case, signed_in):
    actions.add_task(people["sam"], case, title="Issue the credit", assignee=people["tom"])
    other = actions.create_case(people["sam"], subject="Card blocked abroad")
    actions.add_task(people["sam"], other, title="Call the customer", assignee=people["tom"])
    tom = signed_in(people["tom"])
    html = tom.get("/w/acme/my-work/", {"q": "card"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="my-work-lists"' in html
    assert "Call the customer" in html
    assert "Issue the credit" not in html
    assert "Showing what matches “card”" in html
    assert "Nothing here matches “card”" in html  # nothing to decide
    nothing = tom.get("/w/acme/my-work/", {"q": "<b>zzz</b>"}).content.decode()
    assert "Nothing here matches “&lt;b&gt;zzz&lt;/b&gt;”" in nothing


def test_my_work_reads_the_same_number_of_queries_for_one_item_or_a_full_page(
    people, signed_in, acme
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ingrid = signed_in(people["ingrid"])
    ingrid.get("/w/acme/my-work/")  # the session and caches settle on the first request

    def add(count: int) -> int:
        for i in range(count):
            c = actions.create_case(people["sam"], subject=f"Refund {i}")
            actions.add_task(people["sam"], c, title=f"Check {i}", assignee=people["ingrid"])
            actions.watch(people["sam"], c, member=people["ingrid"])
            request_case_approval(people["sam"], c, approver=people["ingrid"], amount=10)
        with CaptureQueriesContext(connection) as queries:
            assert ingrid.get("/w/acme/my-work/").status_code == 200
        return len(queries.captured_queries)

    assert add(1) == add(9)  # no query per task, approval or case on the page


def test_the_requester_withdraws_from_the_panel_and_the_case_stops_waiting(people, case, signed_in):
    approval = request_case_approval(people["sam"], case, approver=people["ingrid"])
    ingrid = signed_in(people["ingrid"])
    page = ingrid.get(f"/w/acme/cases/{case.pk}/").content.decode()
    assert "Withdraw the request" not in page
    assert ingrid.post(f"/w/acme/approvals/{approval.pk}/withdraw/").status_code == 403
    sam = signed_in(people["sam"])
    assert "Withdraw the request" in sam.get(f"/w/acme/cases/{case.pk}/").content.decode()
    done = sam.post(f"/w/acme/approvals/{approval.pk}/withdraw/")
    assert done["Location"] == f"/w/acme/cases/{case.pk}/#approvals-title"
    approval.refresh_from_db()
    case.refresh_from_db()
    assert (approval.state, case.status) == ("withdrawn", "open")
