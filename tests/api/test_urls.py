"""The API's routes grouped by their first path segment (custcare.urls.grouped) resolve and reverse
exactly as ninja's flat list does."""

from __future__ import annotations

import re

from django.urls import URLResolver, path, resolve, reverse
from django.urls.resolvers import RoutePattern

from custcare.api.main import api
from custcare.urls import grouped

SAMPLES = {"int": "17", "str": "0123456789"}


class _FlatUrls:
    """A URL configuration with ninja's flat list, as it was mounted before grouping."""

    urlpatterns = [path("api/v1/", api.urls)]


def _sample(route: str) -> str:
    """A path the route matches."""
    return re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES[m.group(1) or "str"], route)


def _func_path(view: object) -> str:
    view = getattr(view, "func", view)  # a partial: its function
    return f"{view.__module__}.{view.__qualname__}"  # type: ignore[attr-defined]


def test_every_route_resolves_and_reverses_as_before():
    flat, _, _ = api.urls
    assert len(flat) > 150
    for pattern in flat:
        route = str(pattern.pattern)
        sample = f"/api/v1/{_sample(route)}"
        expected, match = resolve(sample, urlconf=_FlatUrls), resolve(sample)
        assert (match.route, match.url_name, match.namespace, match.kwargs) == (
            expected.route,
            expected.url_name,
            expected.namespace,
            expected.kwargs,
        ), route
        assert _func_path(match.func) == _func_path(expected.func), route
        kwargs = match.kwargs if match.url_name == pattern.name else {}
        if kwargs or "<" not in route:
            assert reverse(f"api:{pattern.name}", kwargs=kwargs) == reverse(
                f"api:{pattern.name}", kwargs=kwargs, urlconf=_FlatUrls
            ), route


def test_routes_are_grouped_with_the_event_intake_first():
    patterns, app_name, namespace = grouped(api.urls)
    assert (app_name, namespace) == api.urls[1:]
    assert isinstance(patterns[0], URLResolver) and str(patterns[0].pattern) == "events/"
    assert len(patterns) < len(api.urls[0]) / 2


def test_a_converter_first_leaves_the_list_as_it_is():
    flat, app_name, namespace = api.urls
    odd = [*flat, type(flat[0])(RoutePattern("<int:n>/x", is_endpoint=True), flat[0].callback, name="odd")]
    assert grouped((odd, app_name, namespace))[0] is odd
