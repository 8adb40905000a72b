"""Template helpers of the CSR interface: the header's role line and capability checks."""

from __future__ import annotations

from typing import Any

from django import template

from custcare.security.roles import can, user_roles

register = template.Library()


@register.filter
def role_names(user: Any) -> str:
    if getattr(user, "is_superuser", False):
        return "Superuser"
    return ", ".join(sorted(user_roles(user))) or "No role"


@register.filter
def may(user: Any, capability: str) -> bool:
    return can(user, capability)
