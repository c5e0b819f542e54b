from ninja import NinjaAPI

from rapport import __version__
from rapport.api import core, errors
from rapport.api.auth import TokenAuth

api = NinjaAPI(
    title="Rapport API",
    version=__version__,
    description=(
        "The Rapport Social CRM API. Authenticate with `Authorization: Bearer <token>`; "
        "a token acts as one member of one workspace."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
)
errors.install(api)
api.add_router("/", core.router)
