"""The list of API routers. Each resource module exposes `router`."""

from ninja import NinjaAPI


def mount(api: NinjaAPI) -> None:
    from custcare.api import auth_tokens, contacts

    api.add_router("/auth", auth_tokens.router, tags=["auth"])
    api.add_router("/", contacts.router, tags=["customer contacts"])
