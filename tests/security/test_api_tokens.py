"""The bearer token check: the token, its user, the user's roles and access groups in one statement;
revoked, expired and inactive-user tokens stop working on the next request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from custcare.customers.models import user_access_group_ids
from custcare.security import roles
from custcare.security.models import ApiToken
from custcare.security.roles import can, user_roles
from custcare.security.services import api_token_issue, api_token_user
from tests.conftest import PASSWORD


def _token(user) -> str:  # type: ignore[no-untyped-def]
    token, _ = api_token_issue(username=user.username, password=PASSWORD)
    return token


def test_a_token_gives_its_user_with_roles_and_access_groups_in_one_statement(csr):
    token = _token(csr)
    with CaptureQueriesContext(connection) as queries:
        user = api_token_user(token)
        # everything the request needs to check permissions and visibility is already there
        assert user_roles(user) == {roles.CSR}
        assert sorted(user_access_group_ids(user)) == ["COM", "RES"]
        assert can(user, "contact.write") and not can(user, "config.write")
    assert len(queries) == 1, [q["sql"] for q in queries.captured_queries]
    assert user.pk == csr.pk and user.username == "csr1" and user.is_active and not user.is_superuser
    # the user is a real database instance, with its fields as the ORM reads them
    fresh = type(csr).objects.get(pk=csr.pk)
    assert user.date_joined == fresh.date_joined and user.password == fresh.password
    assert user._state.db == "default" and not user._state.adding


def test_a_user_without_roles_or_groups_still_signs_in(reference, django_user_model):
    django_user_model.objects.create_user(username="nobody", password=PASSWORD)
    user = api_token_user(_token(django_user_model.objects.get(username="nobody")))
    assert user is not None and user.username == "nobody"
    assert user_roles(user) == set() and user_access_group_ids(user) == []
    assert not can(user, "customer.read")


def test_several_roles_and_groups_are_all_read(supervisor):
    supervisor.groups.add(Group.objects.get(name=roles.BATCH_OPERATOR))
    user = api_token_user(_token(supervisor))
    assert user_roles(user) == {roles.SUPERVISOR, roles.BATCH_OPERATOR}
    assert sorted(user_access_group_ids(user)) == ["COM", "RES", "VIP"]


@pytest.mark.parametrize(
    "change",
    [
        lambda user: ApiToken.objects.filter(user=user).update(revoked=True),
        lambda user: ApiToken.objects.filter(user=user).update(expires_at=timezone.now() - dt.timedelta(seconds=1)),
        lambda user: type(user).objects.filter(pk=user.pk).update(is_active=False),
        lambda user: ApiToken.objects.filter(user=user).delete(),
    ],
    ids=["revoked", "expired", "user-deactivated", "deleted"],
)
def test_a_token_stops_working_on_the_next_request(csr, customer, change):
    client = Client()
    headers = {"Authorization": f"Bearer {_token(csr)}"}
    path = f"/api/v1/persons/{customer['person'].id}"
    assert client.get(path, headers=headers).status_code == 200
    change(csr)
    response = client.get(path, headers=headers)
    assert response.status_code == 401


def test_a_role_taken_away_counts_from_the_next_request(csr, customer):
    client = Client()
    headers = {"Authorization": f"Bearer {_token(csr)}"}
    path = f"/api/v1/persons/{customer['person'].id}"
    assert client.get(path, headers=headers).status_code == 200
    csr.groups.clear()
    assert client.get(path, headers=headers).status_code == 403


def test_an_unknown_token_is_refused_in_one_statement(reference):
    with CaptureQueriesContext(connection) as queries:
        assert api_token_user("not-a-token") is None
    assert len(queries) == 1


def test_an_authenticated_api_request_spends_one_statement_on_authentication(integrator):
    """The request path around an endpoint: token, user, roles and access groups are one statement, and
    the middleware adds none (no session, no user lookup) to a bearer-token request."""
    client = Client()
    headers = {"Authorization": f"Bearer {_token(integrator)}"}
    client.get("/api/v1/customer-contact-types", headers=headers)  # warm caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/customer-contact-types", headers=headers)
    assert response.status_code == 200, response.content
    sql = [q["sql"] for q in queries.captured_queries]
    assert "security_apitoken" in sql[0]
    assert not any("django_session" in s or "auth_group" in s for s in sql[1:]), sql
