"""Sign-in for the API: issuing and checking bearer tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from custcare.core.audit import audit_record
from custcare.core.errors import DomainError
from custcare.security.models import ApiToken


class InvalidCredentials(DomainError):
    status = 401


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_token_issue(*, username: str, password: str) -> tuple[str, ApiToken]:
    """Check the credentials and return a new token (shown once) and its record."""
    user = authenticate(username=username, password=password)
    if user is None or not user.is_active:
        raise InvalidCredentials("Unknown user or wrong password.")
    token = secrets.token_urlsafe(32)
    record = ApiToken.objects.create(
        digest=_digest(token),
        user=user,
        expires_at=timezone.now() + dt.timedelta(hours=settings.CUSTCARE_TOKEN_HOURS),
    )
    audit_record(entity=record, action="token-issue", user=user, after={"expires_at": record.expires_at})
    return token, record


def api_token_user(token: str) -> AbstractBaseUser | None:
    """The active user a valid, unexpired token belongs to, or None. One query."""
    record = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(token), revoked=False, expires_at__gt=timezone.now())
        .first()
    )
    if record is None or not record.user.is_active:
        return None
    return record.user
