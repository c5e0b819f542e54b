"""The customer's status page for a case, at /status/<token>/: no sign-in, no workspace layout,
only what `rapport.cases.public.public_status` chooses to show. Unknown or revoked: a 404."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET

from rapport.cases.public import public_status


@require_GET
def status_page(request: HttpRequest, token: str) -> HttpResponse:
    found = public_status(token)
    if found is None:
        raise Http404("No such status page")
    response = render(request, "web/status/page.html", {"status": found})
    # A customer's case is nobody else's business: keep it out of search engines and caches.
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    add_never_cache_headers(response)
    return response
