"""API authentication: bearer tokens (integrators, scripts) or the web session (the docs page)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from custcare.security.context import user_security_context_load
from custcare.security.services import api_token_user


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_user(token)  # with its roles and access groups, in one statement
        if user is not None:
            request.user = user  # type: ignore[assignment]
        return user


class SessionAuth(APIKeyCookie):
    """The signed-in web user; CSRF is checked for unsafe methods."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            user_security_context_load(user)
            return user
        return None


AUTH = [BearerToken(), SessionAuth()]
