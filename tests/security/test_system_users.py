from __future__ import annotations

from django.test import Client

from custcare.security import roles
from custcare.security.roles import can
from custcare.security.services import system_user_ensure


def test_system_users_cannot_sign_in_and_hold_only_what_they_are_given(reference):
    batch = system_user_ensure(username="sys-batch", first_name="Batch", last_name="System", role=roles.BATCH_OPERATOR)
    events = system_user_ensure(username="sys-events", first_name="Events", last_name="System", sees_everything=True)
    again = system_user_ensure(username="sys-batch", first_name="Batch", last_name="System", role=roles.BATCH_OPERATOR)
    assert again.pk == batch.pk and list(again.groups.values_list("name", flat=True)) == [roles.BATCH_OPERATOR]
    assert not batch.has_usable_password() and not events.has_usable_password()
    assert can(batch, "batch.run") and not can(batch, "customer.read")
    assert events.is_superuser and not batch.is_superuser
    assert not Client().login(username="sys-batch", password="")
