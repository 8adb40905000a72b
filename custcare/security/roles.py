"""Roles and what each may do.

A role is a Django group of the same name; a user may hold several. Capabilities are checked by
services and adapters through `require`; the Django admin additionally uses the model permissions
that `roles_sync` grants to the Administrator group.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission

from custcare.core.errors import AccessDenied

CSR = "CSR"
SUPERVISOR = "Supervisor"
ADMINISTRATOR = "Administrator"
BATCH_OPERATOR = "Batch Operator"
INTEGRATOR = "Integrator"
ROLES = [CSR, SUPERVISOR, ADMINISTRATOR, BATCH_OPERATOR, INTEGRATOR]

CAPABILITIES: dict[str, set[str]] = {
    "customer.read": {CSR, SUPERVISOR, ADMINISTRATOR, INTEGRATOR},
    "customer.write": {CSR, SUPERVISOR, ADMINISTRATOR, INTEGRATOR},
    "contact.read": {CSR, SUPERVISOR, ADMINISTRATOR, INTEGRATOR},
    "contact.write": {CSR, SUPERVISOR, ADMINISTRATOR, INTEGRATOR},
    "config.read": {CSR, SUPERVISOR, ADMINISTRATOR, INTEGRATOR, BATCH_OPERATOR},
    "config.write": {ADMINISTRATOR},
    "audit.read": {SUPERVISOR, ADMINISTRATOR},
    "batch.run": {BATCH_OPERATOR, ADMINISTRATOR},
    # CIS records copied from billing, collections, field work (intake API and bulk import).
    "records.write": {INTEGRATOR, ADMINISTRATOR},
}

# Administrators maintain configuration in the admin site: these apps' models.
ADMIN_APPS = [
    "algorithms",
    "contacts",
    "customers",
    "auth",
    "security",
    "batch",
    "todo",
    "events",
    "fieldwork",
    "metering",
    "cases",
    "agreements",
    "marketing",
    "programs",
    "payments",
    "billing",
    "credit",
    "workflow",
]


def user_roles(user: Any) -> set[str]:
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_custcare_roles", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._custcare_roles = cached
    return cached


def can(user: Any, capability: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return bool(user_roles(user) & CAPABILITIES[capability])


def require(user: Any, capability: str) -> None:
    if not can(user, capability):
        raise AccessDenied(f"Your role does not allow this ({capability}). Ask an administrator for access.")


def roles_sync() -> None:
    """Create the role groups and give Administrators the admin permissions on configuration."""
    for name in ROLES:
        Group.objects.get_or_create(name=name)
    admin = Group.objects.get(name=ADMINISTRATOR)
    perms = Permission.objects.filter(content_type__app_label__in=ADMIN_APPS)
    admin.permissions.add(*perms)
    supervisor = Group.objects.get(name=SUPERVISOR)
    supervisor.permissions.add(*Permission.objects.filter(content_type__app_label="core", codename="view_auditentry"))


def roles_sync_after_migrate(**kwargs: Any) -> None:
    roles_sync()
