"""Sign-in for the API: issuing and checking bearer tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
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


def system_user_ensure(
    *, username: str, first_name: str, last_name: str, role: str | None = None, sees_everything: bool = False
) -> Any:
    """A user that work done by CustCare itself (batches, system events) is recorded and audited under:
    created on first use, unable to sign in; with the given role, or seeing every access group."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first_name, "last_name": last_name, "is_superuser": sees_everything},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    if role is not None:
        group, _ = Group.objects.get_or_create(name=role)
        if not user.groups.filter(pk=group.pk).exists():
            user.groups.add(group)
    return user
