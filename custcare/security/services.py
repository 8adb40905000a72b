"""Sign-in for the API: issuing and checking bearer tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.db import connection
from django.utils import timezone

from custcare.core.audit import audit_record
from custcare.core.errors import DomainError
from custcare.core.sql import fetch_prepared
from custcare.security.context import MEMBERSHIPS_SQL, user_security_context_set
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


# The user model's fields and the statement that checks a token, with the converters the ORM would
# apply to each column's value (SQLite returns datetimes as text, for one), per database vendor.
_token_checks: dict[str, tuple[list[str], str, list[tuple[Any, list[Any]]]]] = {}


def _token_check_for(conn: Any) -> tuple[list[str], str, list[tuple[Any, list[Any]]]]:
    if conn.vendor not in _token_checks:
        User = get_user_model()
        qn = conn.ops.quote_name
        fields = User._meta.concrete_fields
        converters = []
        for field in fields:
            col = field.get_col(User._meta.db_table)
            converters.append((col, conn.ops.get_db_converters(col) + col.get_db_converters(conn)))
        token_user = f"(SELECT user_id FROM {ApiToken._meta.db_table} WHERE digest = %s)"
        pk = qn(User._meta.pk.column)  # type: ignore[union-attr]
        sql = (
            f"SELECT {', '.join(f'u.{qn(f.column)}' for f in fields)}, m.kind, m.name"
            f" FROM {ApiToken._meta.db_table} t JOIN {qn(User._meta.db_table)} u ON u.{pk} = t.user_id"
            f" LEFT JOIN ({MEMBERSHIPS_SQL.format(user=token_user)}) m ON m.user_id = t.user_id"
            " WHERE t.digest = %s AND NOT t.revoked AND t.expires_at > %s AND u.is_active"
        )
        _token_checks[conn.vendor] = ([f.attname for f in fields], sql, converters)
    return _token_checks[conn.vendor]


def api_token_user(token: str) -> AbstractBaseUser | None:
    """The active user a valid (not revoked), unexpired token belongs to, or None.

    One statement reads the token, its user and the user's roles and access groups; the user comes
    back with its security context filled (custcare.security.context), so the rest of the request
    checks permissions and access groups without another query. Nothing about the token is cached
    between requests: a revoked or expired token fails on the next request."""
    names, sql, converters = _token_check_for(connection)
    digest = _digest(token)
    # prepared on PostgreSQL: a key lookup, planned once per connection rather than on every request
    rows = fetch_prepared(sql, [digest, digest, digest, connection.ops.adapt_datetimefield_value(timezone.now())])
    if not rows:
        return None
    values = []
    for value, (col, convs) in zip(rows[0], converters, strict=False):
        for convert in convs:
            value = convert(value, col, connection)
        values.append(value)
    user = get_user_model().from_db(connection.alias, names, values)
    user_security_context_set(user, [row[-2:] for row in rows])
    return user


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
