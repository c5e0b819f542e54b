from django.http import HttpRequest, JsonResponse

from rapport import __version__
from rapport.api import (
    approvals,
    case_approvals,
    cases,
    contact_merge,
    contact_profile,
    contacts,
    core,
    engagement,
    errors,
    ideas,
    inbox,
    listening,
    notifications,
    playbooks,
    recognition,
)
from rapport.api.auth import TokenAuth
from rapport.api.documentation import RapportAPI

api = RapportAPI(
    title="Rapport API",
    version=__version__,
    description=(
        "The Rapport Social CRM API. Authenticate with `Authorization: Bearer <token>`; "
        "a token acts as one member of one workspace."
    ),
    auth=TokenAuth(),
    parser=errors.ObjectParser(),
    urls_namespace="api",
)
errors.install(api)
api.add_router("/", core.router)
api.add_router("/", listening.router)
api.add_router("/", notifications.router)
api.add_router("/", approvals.router)
api.add_router("/", engagement.router)
api.add_router("/", inbox.router)
api.add_router("/", cases.router)
api.add_router("/", contacts.router)
api.add_router("/", contact_profile.router)
api.add_router("/", contact_merge.router)
api.add_router("/", case_approvals.router)
api.add_router("/", playbooks.router)
api.add_router("/", ideas.router)
api.add_router("/", recognition.router)


def unknown_endpoint(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Paths under /api/ that match no endpoint answer in JSON too, not with an HTML page."""
    return JsonResponse(
        {"detail": f"No API endpoint at {request.path}; see /api/v1/docs for the list."},
        status=404,
    )
