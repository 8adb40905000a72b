from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from custcare.algorithms.config_io import configuration_export, configuration_import
from custcare.contacts.models import ContactType
from custcare.core.errors import AccessDenied, ValidationFailed
from custcare.core.models import AuditEntry


def test_export_then_import_into_a_changed_environment(admin_user):
    exported = configuration_export()
    assert {t["type_code"] for t in exported["contact_types"]} >= {"BILLQ", "METER"}
    meter = next(t for t in exported["contact_types"] if t["type_code"] == "METER")
    assert meter["algorithms"] == [{"spot": "CC-VAL", "sequence": 10, "algorithm": "CC-METERNO"}]
    # an administrator changes a type here; importing the export puts it back
    ContactType.objects.filter(type_code="BILLQ").update(description="Changed locally")
    counts = configuration_import(data=json.loads(json.dumps(exported, default=str)), user=admin_user)
    assert counts["changed"] == 1 and counts["added"] == 0
    assert ContactType.objects.get(type_code="BILLQ").description == "Bill inquiry"
    assert AuditEntry.objects.filter(action="import", entity_type="contacts.contacttype").count() == 1


def test_a_bad_record_changes_nothing(admin_user):
    data = json.loads(json.dumps(configuration_export(), default=str))
    data["contact_classes"].append({"code": "NEW", "description": "New class"})
    data["contact_types"][0]["person_usage"] = "NA"
    data["contact_types"][0]["premise_usage"] = "NA"
    with pytest.raises(ValidationFailed) as exc:
        configuration_import(data=data, user=admin_user)
    assert any(k.startswith("contact_types.0") for k in exc.value.fields)
    from custcare.contacts.models import ContactClass

    assert not ContactClass.objects.filter(code="NEW").exists()


def test_import_needs_an_administrator(csr):
    with pytest.raises(AccessDenied):
        configuration_import(data=configuration_export(), user=csr)


def test_command_round_trip(admin_user, tmp_path):
    path = tmp_path / "config.json"
    call_command("config", "export", str(path))
    assert json.loads(path.read_text())["format"] == "custcare-configuration"
    call_command("config", "import", str(path), "--user", "admin1", "--dry-run")
    with pytest.raises(CommandError, match="No user"):
        call_command("config", "import", str(path), "--user", "nobody")
