"""Every write of the core domain: the change and its audit event, in one transaction."""

import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from rapport.core.audit import action, record, record_by, snapshot
from rapport.core.models import (
    ApiToken,
    Membership,
    TaskRun,
    Team,
    User,
    Workspace,
    hash_token,
    slug_validator,
)
from rapport.core.names import unique_name
from rapport.core.permissions import Verb, require, require_own_or
from rapport.core.roles import Role
from rapport.core.tasks import check_worker

TEAM_FIELDS = ["name", "description"]
TOKEN_PREFIX = "rpt_"


@action("workspace.create")
def create_workspace(*, name: str, slug: str, owner: User, owner_title: str = "") -> Workspace:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A workspace needs a name."})
    slug_validator(slug)
    if Workspace.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": f"The address {slug!r} is taken."})
    workspace = Workspace.objects.create(name=name, slug=slug)
    record(
        actor=owner,
        workspace=workspace,
        verb="workspace.create",
        obj=workspace,
        after={"name": name, "slug": slug},
    )
    Membership.objects.create(
        workspace=workspace, user=owner, role=Role.OWNER, title=owner_title.strip()
    )
    return workspace


@action("workspace.rename")
def rename_workspace(actor: Membership, *, name: str) -> Workspace:
    require(actor, Verb.RENAME_WORKSPACE)
    workspace = actor.workspace
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A workspace needs a name."})
    before = snapshot(workspace, ["name"])
    workspace.name = name
    workspace.save(update_fields=["name"])
    record_by(
        actor,
        verb="workspace.rename",
        obj=workspace,
        before=before,
        after=snapshot(workspace, ["name"]),
    )
    return workspace


def _check_role_change(actor: Membership, role: str) -> Role:
    if role not in Role.values:
        raise ValidationError(
            {"role": f"Unknown role {role!r}; use one of {', '.join(Role.values)}."}
        )
    require(actor, Verb.MEMBERS)
    if role == Role.OWNER:
        require(actor, Verb.OWNERS)
    return Role(role)


def _other_owners(member: Membership) -> bool:
    return (
        Membership.objects.filter(workspace=member.workspace, role=Role.OWNER)
        .exclude(pk=member.pk)
        .exists()
    )


@action("member.add")
def add_member(
    actor: Membership,
    *,
    email: str,
    role: str,
    full_name: str = "",
    title: str = "",
    password: str | None = None,
) -> Membership:
    """Adds a person to the workspace, creating their user account when they have none yet."""
    role = _check_role_change(actor, role)
    email = User.objects.normalize_email(email.strip()).lower()
    if not email or "@" not in email:
        raise ValidationError({"email": "Give a valid email address."})
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, password, full_name=full_name.strip())
    try:
        with transaction.atomic():
            member = Membership.objects.create(
                workspace=actor.workspace, user=user, role=role, title=title.strip()
            )
    except IntegrityError:
        raise ValidationError({"email": f"{email} is already a member."}) from None
    record_by(
        actor,
        verb="member.add",
        obj=member,
        after={"email": email, "role": role, "title": member.title},
    )
    return member


@action("member.change_role")
def change_role(actor: Membership, member: Membership, *, role: str) -> Membership:
    new_role = _check_role_change(actor, role)
    if member.role == Role.OWNER:
        require(actor, Verb.OWNERS)
        if new_role != Role.OWNER and not _other_owners(member):
            raise ValidationError({"role": "A workspace must keep at least one owner."})
    before = snapshot(member, ["role"])
    member.role = new_role
    member.save(update_fields=["role"])
    record_by(
        actor,
        verb="member.change_role",
        obj=member,
        before=before,
        after=snapshot(member, ["role"]),
    )
    return member


@action("member.remove")
def remove_member(actor: Membership, member: Membership) -> None:
    require(actor, Verb.MEMBERS)
    if member.role == Role.OWNER:
        require(actor, Verb.OWNERS)
        if not _other_owners(member):
            raise ValidationError("A workspace must keep at least one owner.")
    record_by(
        actor,
        verb="member.remove",
        obj=member,
        before={"email": member.user.email, "role": member.role},
    )
    member.delete()


@action("team.create")
def create_team(actor: Membership, *, name: str, description: str = "") -> Team:
    require(actor, Verb.TEAMS)
    team = Team.objects.create(
        workspace=actor.workspace,
        name=unique_name(name, taken=Team.objects.filter(workspace=actor.workspace), noun="team"),
        description=description.strip(),
    )
    record_by(
        actor,
        verb="team.create",
        obj=team,
        after=snapshot(team, TEAM_FIELDS),
    )
    return team


@action("team.update")
def update_team(
    actor: Membership, team: Team, *, name: str | None = None, description: str | None = None
) -> Team:
    require(actor, Verb.TEAMS)
    before = snapshot(team, TEAM_FIELDS)
    if name is not None:
        team.name = unique_name(
            name, taken=Team.objects.filter(workspace=actor.workspace), noun="team", exclude=team.pk
        )
    if description is not None:
        team.description = description.strip()
    team.save()
    record_by(
        actor,
        verb="team.update",
        obj=team,
        before=before,
        after=snapshot(team, TEAM_FIELDS),
    )
    return team


@action("team.delete")
def delete_team(actor: Membership, team: Team) -> None:
    require(actor, Verb.TEAMS)
    record_by(
        actor,
        verb="team.delete",
        obj=team,
        before=snapshot(team, TEAM_FIELDS),
    )
    team.delete()


@action("team.add_member")
def add_team_member(actor: Membership, team: Team, member: Membership) -> Team:
    require(actor, Verb.TEAM_MEMBERSHIP)
    if member.workspace_id != team.workspace_id:
        raise ValidationError("That person is not in this workspace.")
    team.members.add(member)
    record_by(
        actor,
        verb="team.add_member",
        obj=team,
        after={"member": member.user.email},
    )
    return team


@action("team.remove_member")
def remove_team_member(actor: Membership, team: Team, member: Membership) -> Team:
    require(actor, Verb.TEAM_MEMBERSHIP)
    team.members.remove(member)
    record_by(
        actor,
        verb="team.remove_member",
        obj=team,
        before={"member": member.user.email},
    )
    return team


@action("token.create")
def create_api_token(actor: Membership, *, name: str) -> tuple[ApiToken, str]:
    """A new API token for the caller in this workspace; the secret is returned once, never kept."""
    require(actor, Verb.OWN_TOKENS)
    name = name.strip() or "API token"
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        membership=actor, name=name[:100], prefix=raw[:10], key_hash=hash_token(raw)
    )
    record_by(
        actor,
        verb="token.create",
        obj=token,
        after={"name": token.name, "prefix": token.prefix},
    )
    return token, raw


@action("token.revoke")
def revoke_api_token(actor: Membership, token: ApiToken) -> ApiToken:
    require_own_or(actor, token.membership_id, Verb.OWN_TOKENS, Verb.OTHERS_TOKENS)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    record_by(
        actor,
        verb="token.revoke",
        obj=token,
        after={"revoked_at": token.revoked_at.isoformat()},
    )
    return token


@action("task.check_worker")
def start_worker_check(actor: Membership) -> TaskRun:
    """Queues a task that only a running worker can answer, to show the queue is alive."""
    require(actor, Verb.BACKGROUND_TASKS)
    result = check_worker.enqueue(actor.workspace_id)
    run = TaskRun.objects.create(
        workspace=actor.workspace,
        requested_by=actor.user,
        task_name=check_worker.module_path,
        label="Worker check",
        result_id=str(result.id),
    )
    record_by(
        actor,
        verb="task.check_worker",
        obj=run,
        after={"result_id": run.result_id},
    )
    return run
