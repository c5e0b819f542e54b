"""How cases plugs into the domains below it (discovered by core; see `rapport.core.events`).

Routing rules can open a case: cases registers the action with the inbox's registry.
"""

from rapport.cases.routing import OPEN_CASE
from rapport.inbox import registry

registry.register(OPEN_CASE)
