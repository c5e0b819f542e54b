"""Parent and child cases, merging duplicates and an admin's unmerge, as people meet them."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rapport.cases import actions, merge, public
from rapport.cases.models import Activity, Case, CaseMerge, Comment, Status, Task
from rapport.core.models import AuditEvent, Membership
from rapport.core.roles import Role
from rapport.inbox.tests.factories import conversation


def _case(member: Membership, subject: str = "Charged twice", **kw) -> Case:
    return actions.create_case(member, subject=subject, **kw)


def test_a_case_gets_a_parent_and_its_children_are_listed(owner):
    dispute = _case(owner, "Mortgage payment dispute")
    refund = _case(owner, "Refund the fee", parent=dispute)
    letter = _case(owner, "Send the apology letter")
    actions.update_case(owner, letter, parent=dispute)
    assert set(dispute.children.values_list("pk", flat=True)) == {refund.pk, letter.pk}
    actions.update_case(owner, letter, parent=None)
    assert list(dispute.children.all()) == [refund]
    texts = list(Activity.objects.filter(case=dispute).values_list("text", flat=True))
    assert f"added case #{refund.pk} as a child" in texts
    assert f"case #{letter.pk} is no longer a child of this case" in texts


def test_parents_refuse_the_case_itself_circles_and_other_workspaces(owner, globex):
    top = _case(owner, "Top")
    middle = _case(owner, "Middle", parent=top)
    bottom = _case(owner, "Bottom", parent=middle)
    with pytest.raises(ValidationError, match="cannot be its own parent"):
        actions.update_case(owner, top, parent=top)
    with pytest.raises(ValidationError, match="would make a circle"):
        actions.update_case(owner, top, parent=bottom)
    other = _case(Membership.objects.get(workspace=globex, role=Role.OWNER), "Theirs")
    with pytest.raises(ValidationError, match="another workspace"):
        actions.update_case(owner, top, parent=other)
    top.refresh_from_db()
    assert top.parent_id is None


def test_merging_moves_everything_and_unmerge_restores_the_duplicate(acme, owner, make_member):
    sam = make_member(acme, Role.AGENT, email="sam@acme.example")
    tom = make_member(acme, Role.EMPLOYEE, email="tom@acme.example")
    original = _case(owner, "Mortgage payment taken twice")
    actions.add_task(owner, original, title="Check the ledger")
    duplicate = _case(sam, "Charged twice for my mortgage", conversation=conversation(acme, "x"))
    actions.transition(sam, duplicate, to="open")
    task = actions.add_task(sam, duplicate, title="Call the customer", assignee=tom)
    comment = actions.add_comment(sam, duplicate, body="Customer called again.")
    child = _case(sam, "Refund the fee", parent=duplicate)

    record = merge.merge(sam, duplicate, into=original)

    duplicate.refresh_from_db()
    original.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into_id) == (Status.CLOSED, original.pk)
    assert Task.objects.get(pk=task.pk).case_id == original.pk
    assert Comment.objects.get(pk=comment.pk).case_id == original.pk
    assert Case.objects.get(pk=child.pk).parent_id == original.pk
    assert {sam, tom} <= set(original.watchers.all())
    assert original.conversation_id is not None
    assert duplicate.conversation_id is None
    event = AuditEvent.objects.get(verb="case.merge")
    assert event.after is not None
    assert event.after["moved"]["tasks"] == [task.pk]
    assert record.moved["status"] == Status.OPEN
    with pytest.raises(actions.TransitionError, match="merged into case"):
        actions.transition(owner, duplicate, to="open")

    with pytest.raises(PermissionDenied, match="admin"):
        merge.unmerge(sam, duplicate)
    merge.unmerge(owner, duplicate)

    duplicate.refresh_from_db()
    original.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into_id, duplicate.closed_at) == (
        Status.OPEN,
        None,
        None,
    )
    assert Task.objects.get(pk=task.pk).case_id == duplicate.pk
    assert Comment.objects.get(pk=comment.pk).case_id == duplicate.pk
    assert Case.objects.get(pk=child.pk).parent_id == duplicate.pk
    assert tom not in original.watchers.all()
    assert duplicate.conversation_id is not None
    assert original.conversation_id is None
    assert original.tasks.count() == 1
    assert CaseMerge.objects.get().undone_by == owner
    with pytest.raises(ValidationError, match="is not merged"):
        merge.unmerge(owner, duplicate)


@pytest.mark.parametrize(
    "setup",
    ["itself", "closed", "merged target", "already merged", "its child"],
)
def test_refused_merges_say_why_and_change_nothing(owner, setup):
    a, b = _case(owner, "A"), _case(owner, "B")
    message = {
        "itself": "cannot be merged into itself",
        "closed": "is closed; reopen it first",
        "merged target": "was itself merged into",
        "already merged": "is already merged into",
        "its child": "one of its own children",
    }[setup]
    source, target = b, a
    if setup == "itself":
        target = b
    elif setup == "closed":
        for to in ("open", "resolved", "closed"):
            actions.transition(owner, a, to=to)
    elif setup == "merged target":
        merge.merge(owner, a, into=_case(owner, "C"))
    elif setup == "already merged":
        merge.merge(owner, b, into=_case(owner, "C"))
    else:
        actions.update_case(owner, a, parent=b)
    target.refresh_from_db()
    source.refresh_from_db()
    before = (source.status, source.merged_into_id, CaseMerge.objects.count())
    with pytest.raises(ValidationError, match=message):
        merge.merge(owner, source, into=target)
    source.refresh_from_db()
    assert (source.status, source.merged_into_id, CaseMerge.objects.count()) == before


def test_no_merge_across_workspaces_or_by_employees(acme, owner, globex, make_member):
    theirs = _case(Membership.objects.get(workspace=globex, role=Role.OWNER), "Theirs")
    ours = _case(owner, "Ours")
    with pytest.raises(ValidationError, match="another workspace"):
        merge.merge(owner, ours, into=theirs)
    with pytest.raises(PermissionDenied, match="agent or above may merge"):
        merge.merge(make_member(acme, Role.EMPLOYEE), ours, into=_case(owner))
    assert not CaseMerge.objects.exists()


def test_the_status_page_asks_the_registered_readers_for_the_current_step(owner, monkeypatch):
    case = _case(owner)
    link = public.create_public_link(owner, case)

    def broken(case: Case) -> str | None:
        raise ZeroDivisionError

    monkeypatch.setattr(public, "STEP_READERS", [])
    page = public.public_status(link.token)
    assert page is not None
    assert page.step is None
    public.register_step_reader(broken)  # a reader that fails is skipped, never shown
    public.register_step_reader(lambda c: "Checking your payment" if c.pk == case.pk else None)
    page = public.public_status(link.token)
    assert page is not None
    assert page.step == "Checking your payment"
