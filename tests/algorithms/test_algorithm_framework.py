from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from custcare.algorithms.models import Algorithm, InstallationAlgorithm, InstallationOptions
from custcare.algorithms.registry import Spot, algorithm_type_get, algorithm_types
from custcare.algorithms.services import algorithm_instance, algorithm_save
from custcare.core.errors import AccessDenied, ValidationFailed
from custcare.core.models import AuditEntry


def test_builtin_types_are_registered_with_their_spot():
    codes = {t.code: t.spot for t in algorithm_types()}
    assert codes["CC-CHARFMT"] == Spot.CONTACT_VALIDATION
    assert codes["CC-DESCREQ"] == Spot.CONTACT_VALIDATION
    from custcare.controlcentral.reference import ALERT_SEQUENCE

    assert {t.code for t in algorithm_types(Spot.CENTRAL_ALERT)} == set(ALERT_SEQUENCE)  # every seeded alert
    assert codes["CI_TL-CUSTCO"] == Spot.CONTACT_TIMELINE


def test_parameters_are_validated_when_saved(admin_user):
    with pytest.raises(ValidationFailed) as exc:
        algorithm_save(
            code="BAD-RE",
            algorithm_type="CC-CHARFMT",
            description="broken",
            parameters={"char_type": "METER-NO", "pattern": "([0-9"},
            user=admin_user,
        )
    assert "not a valid regular expression" in exc.value.fields["parameters"][0]
    with pytest.raises(ValidationFailed) as exc:
        algorithm_save(
            code="BAD-CHAR",
            algorithm_type="CC-CHARFMT",
            description="unknown char",
            parameters={"char_type": "NOPE", "pattern": r"\d+"},
            user=admin_user,
        )
    assert "No characteristic type 'NOPE'" in exc.value.fields["parameters"][0]
    with pytest.raises(ValidationFailed) as exc:
        algorithm_save(
            code="BAD-EXTRA",
            algorithm_type="CC-DESCREQ",
            description="extra",
            parameters={"min_length": 5, "colour": "red"},
            user=admin_user,
        )
    assert "colour" in exc.value.fields["parameters"][0]
    with pytest.raises(ValidationFailed) as exc:
        algorithm_save(code="BAD-TYPE", algorithm_type="NO-SUCH", description="?", parameters={}, user=admin_user)
    assert "algorithm_type" in exc.value.fields
    assert not Algorithm.objects.filter(code__startswith="BAD-").exists()


def test_saving_an_algorithm_is_audited_and_it_runs(admin_user):
    alg = algorithm_save(
        code="DESC-5", algorithm_type="CC-DESCREQ", description="five", parameters={"min_length": 5}, user=admin_user
    )
    entry = AuditEntry.objects.get(entity_type="algorithms.algorithm", entity_id="DESC-5")
    assert entry.after["parameters"] == {"min_length": 5}

    class Contact:
        description = "abc"
        is_open = True

    assert algorithm_instance(alg).run(contact=Contact(), characteristics={}) == {
        "description": ["Describe the contact in at least 5 characters."]
    }
    Contact.description = "abcdef"
    assert algorithm_instance(alg).run(contact=Contact(), characteristics={}) == {}


def test_only_administrators_configure_algorithms(csr):
    with pytest.raises(AccessDenied):
        algorithm_save(code="X", algorithm_type="CC-DESCREQ", description="x", parameters={}, user=csr)
    assert not Algorithm.objects.filter(code="X").exists()


def test_installation_spot_must_match_the_algorithm_type(reference):
    options = InstallationOptions.objects.get(id=1)
    plug = InstallationAlgorithm(
        options=options, spot=Spot.CENTRAL_ALERT.value, sequence=10, algorithm=Algorithm.objects.get(code="CC-METERNO")
    )
    with pytest.raises(ValidationError) as exc:
        plug.full_clean()
    assert "does not serve the spot" in str(exc.value)


def test_parameter_schema_is_published():
    schema = algorithm_type_get("CC-CHARFMT").parameter_schema()
    assert set(schema["properties"]) == {"char_type", "pattern", "message"}
    assert set(schema["required"]) == {"char_type", "pattern"}
