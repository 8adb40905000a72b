"""What a signed-in user may see and do, read once per request in a single query."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection

# The user's roles (kind 'R', the group's name) and access groups (kind 'A', the group's code) as rows
# (user_id, kind, name), for the user whose id the SQL expression {user} gives. The bearer token check
# joins these to the token's user, so the token, its user and these are one statement
# (custcare.security.services.api_token_user).
MEMBERSHIPS_SQL = (
    "SELECT ug.user_id AS user_id, 'R' AS kind, g.name AS name FROM auth_user_groups ug"
    " JOIN auth_group g ON g.id = ug.group_id WHERE ug.user_id = {user}"
    " UNION ALL SELECT ag.user_id, 'A', ag.accessgroup_id FROM customers_accessgroup_users ag WHERE ag.user_id = {user}"
)


def user_security_context_set(user: Any, rows: Iterable[tuple[Any, ...]]) -> None:
    """Keep the user's roles and access groups from ('R', name) and ('A', code) rows on the user object
    for the rest of the request (other rows are ignored)."""
    roles: set[str] = set()
    groups: list[str] = []
    for row in rows:
        if row[0] == "R":
            roles.add(row[1])
        elif row[0] == "A":
            groups.append(row[1])
    user._custcare_roles = roles
    user._custcare_access_groups = groups


def user_security_context_load(user: Any) -> None:
    """Fill the per-request caches of the user's role names and access groups in one round trip.

    `custcare.security.roles.user_roles` and `custcare.customers.models.user_access_group_ids`
    read these caches; without this call each would issue its own query.
    """
    if not getattr(user, "is_authenticated", False) or hasattr(user, "_custcare_roles"):
        return
    with connection.cursor() as cur:
        cur.execute(f"SELECT kind, name FROM ({MEMBERSHIPS_SQL.format(user='%s')}) m", [user.pk, user.pk])
        user_security_context_set(user, cur.fetchall())
