"""What a signed-in user may see and do, read once per request in a single query."""

from __future__ import annotations

from typing import Any

from django.db import connection


def user_security_context_load(user: Any) -> None:
    """Fill the per-request caches of the user's role names and access groups in one round trip.

    `custcare.security.roles.user_roles` and `custcare.customers.models.user_access_group_ids`
    read these caches; without this call each would issue its own query.
    """
    if not getattr(user, "is_authenticated", False) or hasattr(user, "_custcare_roles"):
        return
    with connection.cursor() as cur:
        cur.execute(
            "SELECT 'R', g.name FROM auth_group g JOIN auth_user_groups ug ON ug.group_id = g.id"
            " WHERE ug.user_id = %s"
            " UNION ALL SELECT 'A', ag.accessgroup_id FROM customers_accessgroup_users ag WHERE ag.user_id = %s",
            [user.pk, user.pk],
        )
        rows = cur.fetchall()
    user._custcare_roles = {name for kind, name in rows if kind == "R"}
    user._custcare_access_groups = [name for kind, name in rows if kind == "A"]
