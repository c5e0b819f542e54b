from django.http import HttpRequest
from ninja.security import HttpBearer

from rapport.core.access import access_by_api_token
from rapport.core.models import Membership


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`; the token decides the member and the workspace."""

    openapi_description = "A token from `rapport token create` or Settings → API tokens."

    def authenticate(self, request: HttpRequest, token: str) -> Membership | None:
        membership = access_by_api_token(token)
        if membership is not None:
            request.membership = membership  # type: ignore[attr-defined]
        return membership


def member(request: HttpRequest) -> Membership:
    """The caller's membership, set by TokenAuth."""
    return request.auth  # type: ignore[attr-defined]
