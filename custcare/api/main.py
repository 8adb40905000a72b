"""The REST API under /api/v1: thin adapters over CustCare's services and selectors."""

from ninja import NinjaAPI

from custcare.api.auth import AUTH
from custcare.api.errors import install_error_handlers

api = NinjaAPI(
    title="CustCare API",
    version="1.0.0",
    description="Customer contact management for utilities. Authenticate with POST /auth/token, "
    "then send `Authorization: Bearer <token>`. Errors are JSON: `{message, fields}`.",
    auth=AUTH,
    urls_namespace="api",
)
install_error_handlers(api)

from custcare.api import routers  # noqa: E402

routers.mount(api)
