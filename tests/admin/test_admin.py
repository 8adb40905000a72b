from __future__ import annotations

from django.test import Client

from custcare.algorithms.models import Algorithm
from custcare.contacts.models import ContactClass
from custcare.core.models import AuditEntry
from tests.conftest import PASSWORD


def _login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_administrator_adds_a_contact_class_and_it_is_audited(admin_user):
    client = _login(admin_user)
    response = client.post("/admin/contacts/contactclass/add/", {"code": "OUT", "description": "Outbound campaign"})
    assert response.status_code == 302
    assert ContactClass.objects.get(code="OUT").description == "Outbound campaign"
    entry = AuditEntry.objects.get(entity_type="contacts.contactclass", entity_id="OUT")
    assert entry.username == "admin1" and entry.action == "add"


def test_admin_refuses_bad_algorithm_parameters(admin_user):
    client = _login(admin_user)
    response = client.post(
        "/admin/algorithms/algorithm/add/",
        {
            "code": "BADRE",
            "description": "bad",
            "algorithm_type": "CC-CHARFMT",
            "parameters": '{"char_type": "METER-NO", "pattern": "(["}',
        },
    )
    assert response.status_code == 200
    assert "not a valid regular expression" in response.content.decode()
    assert not Algorithm.objects.filter(code="BADRE").exists()


def test_csr_has_no_admin_access(csr):
    client = _login(csr)
    response = client.get("/admin/contacts/contactclass/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_supervisor_can_browse_but_not_change_the_audit_trail(supervisor, admin_user):
    from custcare.algorithms.services import algorithm_save

    algorithm_save(code="D5", algorithm_type="CC-DESCREQ", description="d", parameters={}, user=admin_user)
    client = _login(supervisor)
    assert client.get("/admin/core/auditentry/").status_code == 200
    entry = AuditEntry.objects.first()
    response = client.post(f"/admin/core/auditentry/{entry.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
