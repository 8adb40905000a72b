from typing import Any

from django.contrib import admin
from django.urls import URLPattern, include, path

from custcare.api.main import api


def grouped(urls: tuple[list[Any], str, str]) -> tuple[list[Any], str, str]:
    """The API's routes (ninja lists its ~200 in one flat list) grouped by their first path segment,
    each group one include(), the event intake's group (the busiest routes) first: Django tries the
    patterns of a list in turn, so a request to a route late in the list (the event intake's are past
    the hundredth) cost ~0.1 ms of CPU in URL matching alone. Groups begin with different words, so
    their order does not change which route a path resolves to; names, views, arguments and the order
    within a group are unchanged. Routes whose first segment is a converter (none today) would make the
    order matter, and then the list is left as it is."""
    patterns, app_name, namespace = urls
    heads = [str(p.pattern).partition("/") for p in patterns]
    if not all(isinstance(p, URLPattern) for p in patterns) or any("<" in head for head, _, _ in heads):
        return urls
    out: list[Any] = []
    groups: dict[str, list[Any]] = {}
    for p, (head, slash, rest) in zip(patterns, heads, strict=True):
        if not slash:
            out.append(p)
            continue
        if head not in groups:
            groups[head] = []
            out.append(path(f"{head}/", include(groups[head])))
        groups[head].append(path(rest, p.callback, p.default_args, p.name))
    out.sort(key=lambda p: str(p.pattern) != "events/")  # a stable sort: only the events group moves
    return out, app_name, namespace


admin.site.site_header = "CustCare administration"
admin.site.site_title = "CustCare admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", grouped(api.urls)),
    path("batch/", include("custcare.web.urls_batch")),
    path("reminders/", include("custcare.web.urls_reminders")),
    path("todo/", include("custcare.web.urls_todo")),
    path("events/", include("custcare.web.urls_events")),
    path("central/", include("custcare.web.urls_central")),
    path("", include("custcare.web.urls")),
]
