"""The `access_*` helpers: every read and write that crosses a trust boundary goes through them.

Tenancy and permission are checked here, in one place. Anything outside the caller's workspace
is reported as missing (404), never as forbidden, so workspaces cannot probe each other.
"""

from typing import TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.http import Http404, HttpRequest
from django.utils import timezone

from rapport.core.models import ApiToken, Membership, Team, User, hash_token
from rapport.core.prepared import Prepared

M = TypeVar("M", bound=models.Model)


def access_workspace(user: User | AnonymousUser | None, slug: str) -> Membership:
    """The caller's membership in the workspace `slug`; 404 when they are not a member."""
    if user is None or not user.is_authenticated or not user.is_active:
        raise Http404("No such workspace")
    try:
        return Membership.objects.select_related("workspace", "user").get(
            workspace__slug=slug, user=user
        )
    except Membership.DoesNotExist:
        raise Http404("No such workspace") from None


def require_same_workspace(membership: Membership, *objs: object) -> None:
    """Refuses (ValidationError) an object an action was handed that is another workspace's:
    an id the caller checked already, put together with one from elsewhere."""
    for obj in objs:
        if obj is not None and getattr(obj, "workspace_id", None) != membership.workspace_id:
            raise ValidationError(f"{obj} belongs to another workspace.")


def access_in_workspace(
    membership: Membership, queryset: models.QuerySet[M], pk: object, *, field: str = "workspace"
) -> M:
    """One object of `queryset` with primary key `pk` that belongs to the caller's workspace."""
    try:
        return queryset.get(pk=pk, **{field: membership.workspace})
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404(f"No such {queryset.model._meta.verbose_name}") from None


def access_team(membership: Membership, team_id: object) -> Team:
    return access_in_workspace(membership, Team.objects.all(), team_id)


def access_member(membership: Membership, member_id: object) -> Membership:
    return access_in_workspace(membership, Membership.objects.select_related("user"), member_id)


#: The token, its member, their workspace and user: read on every API request.
_TOKEN = Prepared(
    lambda key_hash: (
        ApiToken.objects.select_related("membership__workspace", "membership__user")
        .filter(key_hash=key_hash, revoked_at__isnull=True)
        .order_by()[:1]
    )  # the hash is unique: no ordering to work out on every request
)


def access_by_api_token(raw: str) -> Membership | None:
    """The member an API token acts as, or None when it is unknown, revoked or its user inactive."""
    token = _TOKEN.first(hash_token(raw))
    if token is None or not token.membership.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.membership


def login_username(request: HttpRequest, credentials: dict[str, str] | None) -> str:
    """The sign-in email as failed logins are counted: `Olivia@` and `olivia@` are one person."""
    raw = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(raw).strip().lower()
