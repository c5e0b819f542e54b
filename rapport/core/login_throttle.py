"""Failed sign-ins, counted twice: per (email, address) and per address across every email.

django-axes counts the failures. Per (email, address) alone, one client trying one common
password on many emails (password spraying) is never stopped; so the failures from one client
address are also summed over every email it tried, with a higher limit
(`RAPPORT_LOGIN_ADDRESS_FAILURE_LIMIT`), since a whole office can sign in from one address.

A successful sign-in clears its own (email, address) count only: otherwise a sprayer who owns
one account could clear the address's count between guesses.

The client address is `REMOTE_ADDR`, unless `RAPPORT_PROXY_COUNT` says how many proxies of
ours stand in front (a load balancer: 1); then it is the address the outermost of them saw,
from `X-Forwarded-For`. A header a client sends itself is never trusted beyond that.
"""

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import QuerySet, Sum
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The address the sign-in came from (AXES_CLIENT_IP_CALLABLE)."""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    proxies = settings.RAPPORT_PROXY_COUNT
    if not proxies:
        return remote
    hops = [h.strip() for h in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    hops = [h for h in hops if h]
    # Each of our proxies appends the address it was reached from: the client's is the
    # proxies-th from the right. Anything left of it was written by the client.
    return hops[-proxies] if len(hops) >= proxies else remote


def _failures(attempts: QuerySet[Any]) -> int:
    return int(attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0)


class LoginThrottle(AxesDatabaseHandler):
    """axes' database handler with a second, higher limit per client address.

    AXES_LOCKOUT_PARAMETERS lists the (email, address) pair first, then the address alone.
    """

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        pair, address = (_failures(a) for a in self.get_user_attempts(request, credentials))
        pair_limit = settings.AXES_FAILURE_LIMIT
        address_limit = settings.RAPPORT_LOGIN_ADDRESS_FAILURE_LIMIT
        locked_by_address = address >= address_limit and pair < pair_limit
        # The lockout page says which limit was reached.
        request.rapport_locked_by_address = locked_by_address  # type: ignore[attr-defined]
        # axes compares one count with one limit: the address's count, scaled to that limit,
        # reaches it exactly when the address reaches its own.
        return max(pair, address * pair_limit // address_limit)

    def reset_user_attempts(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> int:
        pair = self.filter_user_attempts(request, credentials)[0]
        count, _ = pair.delete()
        return count
