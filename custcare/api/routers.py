"""The list of API routers. Each resource module exposes `router`."""

from ninja import NinjaAPI


def mount(api: NinjaAPI) -> None:
    from custcare.api import audit, auth_tokens, config, contacts, customers, reminders, search

    api.add_router("/auth", auth_tokens.router, tags=["auth"])
    api.add_router("/", search.router, tags=["search"])
    api.add_router("/", customers.router, tags=["customers"])
    api.add_router("/", contacts.router, tags=["customer contacts"])
    api.add_router("/", config.router, tags=["configuration"])
    api.add_router("/", audit.router, tags=["audit"])
    api.add_router("/", reminders.router, tags=["reminders"])
    from custcare.api.todo import router as todo_router

    api.add_router("/", todo_router, tags=["to do"])
    from custcare.api.batch import router as batch_router

    api.add_router("/batch", batch_router, tags=["batch"])
    from custcare.api.events import events_router

    api.add_router("/events", events_router(), tags=["events"])
    from custcare.api.records import records_router

    api.add_router("/records", records_router(), tags=["records"])
    from custcare.api.control_central import router as central_router

    api.add_router("/control-central", central_router, tags=["control central"])
