"""Configuration through HTTP: every role reads, administrators alone write, and writes are audited."""

from __future__ import annotations

from custcare.algorithms.models import Algorithm, InstallationAlgorithm, InstallationOptions
from custcare.contacts.models import CharacteristicType, ContactClass, ContactType
from custcare.core.models import AuditEntry
from custcare.customers.models import AccessGroup, CustomerClass, IdentifierType, PremiseType, SAType

CODE_TABLES = [
    ("/api/v1/customer-contact-classes", ContactClass, "contacts.contactclass"),
    ("/api/v1/customer-classes", CustomerClass, "customers.customerclass"),
    ("/api/v1/premise-types", PremiseType, "customers.premisetype"),
    ("/api/v1/identifier-types", IdentifierType, "customers.identifiertype"),
    ("/api/v1/access-groups", AccessGroup, "customers.accessgroup"),
]


def test_code_tables_list_and_read(api_as, csr):
    client = api_as(csr)
    assert client.get("/api/v1/customer-classes").json() == [
        {"code": "C", "description": "Commercial"},
        {"code": "I", "description": "Industrial"},
        {"code": "L", "description": "Low income"},
        {"code": "R", "description": "Residential"},
    ]
    assert [c["code"] for c in client.get("/api/v1/customer-contact-classes").json()] == [
        "BILL",
        "CMPL",
        "GEN",
        "INQ",
        "MKT",
        "SVC",
    ]
    assert client.get("/api/v1/premise-types/HOUSE").json() == {"code": "HOUSE", "description": "Single family house"}
    assert client.get("/api/v1/identifier-types/NOPE").status_code == 404
    sa_types = client.get("/api/v1/sa-types").json()
    assert {"code": "BUDGET", "description": "Non-billed budget", "service": "O", "billable": False} in sa_types
    chars = client.get("/api/v1/characteristic-types").json()
    assert {
        "code": "COMPL-RSN",
        "description": "Complaint reason",
        "value_type": "LIST",
        "allowed_values": ["BILLING", "SERVICE", "STAFF", "OUTAGE", "OTHER"],
    } in chars


def test_every_configuration_role_may_read_but_access_groups_are_for_administrators(
    api_as, csr, supervisor, batch_operator, integrator, admin_user
):
    for user in (csr, supervisor, batch_operator, integrator, admin_user):
        assert api_as(user).get("/api/v1/premise-types").status_code == 200, user.username
    for user in (csr, supervisor, batch_operator, integrator):
        response = api_as(user).get("/api/v1/access-groups")
        assert response.status_code == 403, user.username
        assert "config.write" in response.json()["message"]
    assert [g["code"] for g in api_as(admin_user).get("/api/v1/access-groups").json()] == ["COM", "RES", "VIP"]


def test_administrator_creates_and_changes_each_code_table_with_audit(api_as, admin_user):
    client = api_as(admin_user)
    for path, model, label in CODE_TABLES:
        response = client.post(path, {"code": "ZED", "description": "Zed things"})
        assert response.status_code == 201, (path, response.content)
        assert response.json() == {"code": "ZED", "description": "Zed things"}
        response = client.put(f"{path}/ZED", {"description": "Zed, renamed"})
        assert response.status_code == 200
        assert model.objects.get(pk="ZED").description == "Zed, renamed"
        assert AuditEntry.objects.filter(entity_type=label, entity_id="ZED", action="add").exists()
        change = AuditEntry.objects.get(entity_type=label, entity_id="ZED", action="change")
        assert change.before == {"description": "Zed things"} and change.after == {"description": "Zed, renamed"}


def test_sa_type_and_characteristic_type_writes(api_as, admin_user):
    client = api_as(admin_user)
    response = client.post(
        "/api/v1/sa-types", {"code": "S-RES", "description": "Sewer", "service": "W", "billable": True}
    )
    assert response.status_code == 201
    assert SAType.objects.get(pk="S-RES").service == "W"
    response = client.post(
        "/api/v1/characteristic-types",
        {"code": "PRIORITY", "description": "Priority", "value_type": "LIST", "allowed_values": ["HIGH", "LOW"]},
    )
    assert response.status_code == 201
    assert CharacteristicType.objects.get(pk="PRIORITY").allowed_values == ["HIGH", "LOW"]
    assert AuditEntry.objects.filter(entity_type="contacts.characteristictype", entity_id="PRIORITY").exists()


def test_code_table_bad_input_and_duplicates_change_nothing(api_as, admin_user):
    client = api_as(admin_user)
    response = client.post("/api/v1/sa-types", {"code": "X", "description": "x", "service": "Q"})
    assert response.status_code == 422
    assert "service" in response.json()["fields"]
    response = client.post("/api/v1/characteristic-types", {"code": "EMPTY", "description": "e", "value_type": "LIST"})
    assert response.status_code == 422
    assert "allowed_values" in response.json()["fields"]
    response = client.post("/api/v1/customer-classes", {"code": "R", "description": "Overwritten"})
    assert response.status_code == 409
    response = client.put("/api/v1/premise-types/NOPE", {"description": "x"})
    assert response.status_code == 404
    response = client.post("/api/v1/premise-types", {"code": "x" * 30, "description": "too long a code"})
    assert response.status_code == 422
    assert "code" in response.json()["fields"]
    assert not SAType.objects.filter(pk="X").exists()
    assert not CharacteristicType.objects.filter(pk="EMPTY").exists()
    assert CustomerClass.objects.get(pk="R").description == "Residential"
    assert not AuditEntry.objects.filter(entity_type__in=["customers.satype", "customers.customerclass"]).exists()


def test_csr_cannot_write_configuration(api_as, csr, supervisor, integrator):
    for user in (csr, supervisor, integrator):
        client = api_as(user)
        assert client.post("/api/v1/customer-classes", {"code": "Q", "description": "q"}).status_code == 403
        assert client.put("/api/v1/customer-classes/R", {"description": "q"}).status_code == 403
        assert client.post("/api/v1/customer-contact-classes", {"code": "Q", "description": "q"}).status_code == 403
        assert client.put("/api/v1/customer-contact-types/1", {"description": "q"}).status_code == 403
        assert (
            client.post(
                "/api/v1/algorithms", {"code": "Q", "algorithm_type": "CC-DESCREQ", "description": "q"}
            ).status_code
            == 403
        )
        options = {"company_name": "Q", "default_country": "US", "default_currency": "USD"}
        response = client.put("/api/v1/installation-options", {**options, "contact_history_page_size": 5})
        assert response.status_code == 403
    assert not CustomerClass.objects.filter(pk="Q").exists()
    assert not ContactClass.objects.filter(pk="Q").exists()
    assert not Algorithm.objects.filter(pk="Q").exists()
    assert InstallationOptions.objects.get().company_name == "CustCare Utility"


# contact types


def test_contact_types_show_usage_characteristics_algorithms_and_reminders(api_as, csr):
    body = api_as(csr).get("/api/v1/customer-contact-types").json()
    meter = next(t for t in body if (t["contact_class"], t["type_code"]) == ("SVC", "METER"))
    assert meter["person_usage"] == "REQ" and meter["account_usage"] == "OPT" and meter["premise_usage"] == "REQ"
    assert meter["characteristics"] == [
        {
            "char_type": "METER-NO",
            "description": "Meter number",
            "value_type": "FREE",
            "required": True,
            "default_value": "",
            "sequence": 10,
        },
        {
            "char_type": "READING",
            "description": "Customer's meter reading",
            "value_type": "NUM",
            "required": False,
            "default_value": "",
            "sequence": 20,
        },
    ]
    assert meter["algorithms"] == [
        {"algorithm": "CC-METERNO", "algorithm_type": "CC-CHARFMT", "spot": "CC-VAL", "sequence": 10}
    ]
    assert meter["reminder_role"] == "" and meter["reminder_days"] is None and meter["active"] is True
    hibill = next(t for t in body if t["type_code"] == "HIBILL")
    assert hibill["characteristics"][1]["default_value"] == "BILLING"
    assert len(body) == ContactType.objects.count()


def test_contact_types_filter_by_active(api_as, csr):
    ContactType.objects.filter(type_code="PAYMT").update(active=False)
    client = api_as(csr)
    assert [t["type_code"] for t in client.get("/api/v1/customer-contact-types", active=False).json()] == ["PAYMT"]
    assert "PAYMT" not in [t["type_code"] for t in client.get("/api/v1/customer-contact-types", active=True).json()]


def test_administrator_creates_and_changes_a_contact_type(api_as, admin_user):
    client = api_as(admin_user)
    response = client.post(
        "/api/v1/customer-contact-types",
        {
            "contact_class": "SVC",
            "type_code": "TREE",
            "description": "Tree near lines",
            "person_usage": "OPT",
            "premise_usage": "REQ",
            "reminder_role": "FIELD",
            "reminder_days": 3,
            "default_open": True,
            "characteristics": [{"char_type": "COMPL-RSN", "required": True, "default_value": "SERVICE"}],
            "algorithms": [{"algorithm": "CC-DESC20"}],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    ctype = ContactType.objects.get(contact_class_id="SVC", type_code="TREE")
    assert body["id"] == ctype.id and body["reminder_days"] == 3 and body["default_open"] is True
    assert [(c["char_type"], c["required"], c["default_value"]) for c in body["characteristics"]] == [
        ("COMPL-RSN", True, "SERVICE")
    ]
    assert [a["algorithm"] for a in body["algorithms"]] == ["CC-DESC20"]
    added = AuditEntry.objects.get(entity_type="contacts.contacttype", entity_id=str(ctype.id), action="add")
    assert added.after["characteristics"][0]["char_type"] == "COMPL-RSN"

    response = client.put(
        f"/api/v1/customer-contact-types/{ctype.id}",
        {"description": "Tree touching lines", "premise_usage": "REQ", "active": False, "characteristics": []},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["description"] == "Tree touching lines" and body["active"] is False
    assert body["characteristics"] == [] and body["algorithms"] == []
    assert body["type_code"] == "TREE"
    change = AuditEntry.objects.get(entity_type="contacts.contacttype", entity_id=str(ctype.id), action="change")
    assert change.before["description"] == "Tree near lines"
    assert change.after["characteristics"] == []


def test_contact_type_bad_input_reports_all_fields_and_changes_nothing(api_as, admin_user):
    before = ContactType.objects.count()
    response = api_as(admin_user).post(
        "/api/v1/customer-contact-types",
        {
            "contact_class": "SVC",
            "type_code": "BAD",
            "description": "Bad",
            "person_usage": "MAYBE",
            "contact_action": "LETTER",
            "characteristics": [
                {"char_type": "NOPE"},
                {"char_type": "COMPL-RSN", "default_value": "WEATHER"},
            ],
            "algorithms": [{"algorithm": "GHOST"}],
        },
    )
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert set(fields) >= {
        "person_usage",
        "letter_template",
        "characteristics.0.char_type",
        "characteristics.1.default_value",
        "algorithms.0.algorithm",
    }
    assert ContactType.objects.count() == before
    response = api_as(admin_user).post(
        "/api/v1/customer-contact-types", {"contact_class": "INQ", "type_code": "BILLQ", "description": "Twice"}
    )
    assert response.status_code == 422
    assert ContactType.objects.count() == before
    assert not AuditEntry.objects.filter(entity_type="contacts.contacttype").exists()


# algorithms and installation options


def test_algorithm_types_list_the_registry_with_parameter_schemas(api_as, batch_operator):
    body = api_as(batch_operator).get("/api/v1/algorithm-types").json()
    by_code = {t["code"]: t for t in body}
    assert {"CC-CHARFMT", "CC-DESCREQ"} <= set(by_code)
    desc = by_code["CC-DESCREQ"]
    assert desc["spot"] == "CC-VAL"
    assert desc["spot_label"].startswith("Customer Contact Type")
    assert desc["parameter_schema"]["properties"]["min_length"]["type"] == "integer"
    assert by_code["CC-CHARFMT"]["parameter_schema"]["required"] == ["char_type", "pattern"]


def test_algorithms_list_create_and_change(api_as, csr, admin_user):
    desc20 = {
        "code": "CC-DESC20",
        "description": "Open complaints need a 20-character description",
        "algorithm_type": "CC-DESCREQ",
        "spot": "CC-VAL",
        "parameters": {"min_length": 20, "only_when_open": True},
    }
    assert desc20 in api_as(csr).get("/api/v1/algorithms").json()
    client = api_as(admin_user)
    response = client.post(
        "/api/v1/algorithms",
        {"code": "CC-DESC5", "algorithm_type": "CC-DESCREQ", "description": "Short", "parameters": {"min_length": 5}},
    )
    assert response.status_code == 201, response.content
    assert response.json()["parameters"] == {"min_length": 5}
    response = client.put(
        "/api/v1/algorithms/CC-DESC5",
        {"algorithm_type": "CC-DESCREQ", "description": "Shorter", "parameters": {"min_length": 3}},
    )
    assert response.status_code == 200
    assert Algorithm.objects.get(pk="CC-DESC5").parameters == {"min_length": 3}
    assert AuditEntry.objects.filter(entity_type="algorithms.algorithm", entity_id="CC-DESC5", action="add").exists()
    change = AuditEntry.objects.get(entity_type="algorithms.algorithm", entity_id="CC-DESC5", action="change")
    assert change.before["parameters"] == {"min_length": 5} and change.after["parameters"] == {"min_length": 3}


def test_algorithm_bad_parameters_are_422_per_parameter(api_as, admin_user):
    client = api_as(admin_user)
    response = client.post(
        "/api/v1/algorithms",
        {
            "code": "CC-BAD",
            "algorithm_type": "CC-DESCREQ",
            "description": "Bad",
            "parameters": {"min_length": 0, "colour": "red"},
        },
    )
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert "parameters.min_length" in fields and "parameters.colour" in fields
    response = client.put(
        "/api/v1/algorithms/CC-METERNO",
        {"algorithm_type": "CC-CHARFMT", "description": "x", "parameters": {"char_type": "GHOST", "pattern": "("}},
    )
    assert response.status_code == 422
    assert set(response.json()["fields"]) >= {"parameters", "parameters.pattern"}
    response = client.post("/api/v1/algorithms", {"code": "CC-X", "algorithm_type": "NOPE", "description": "x"})
    assert response.status_code == 422
    assert "algorithm_type" in response.json()["fields"]
    taken = {"code": "CC-DESC20", "algorithm_type": "CC-DESCREQ", "description": "x"}
    assert client.post("/api/v1/algorithms", taken).status_code == 409
    missing = {"algorithm_type": "CC-DESCREQ", "description": "x"}
    assert client.put("/api/v1/algorithms/GHOST", missing).status_code == 404
    assert not Algorithm.objects.filter(pk__in=["CC-BAD", "CC-X"]).exists()
    assert Algorithm.objects.get(pk="CC-METERNO").parameters["pattern"] == r"\d{8}"
    assert not AuditEntry.objects.filter(entity_type="algorithms.algorithm").exists()


OPTIONS = {
    "company_name": "Springfield Power & Water",
    "default_country": "US",
    "default_currency": "USD",
    "contact_history_page_size": 25,
    "todo_type_for_reminders": "TD-CCCB",
}


def test_installation_options_read_and_change(api_as, csr, admin_user):
    read = api_as(csr).get("/api/v1/installation-options").json()
    starter = read.pop("algorithms")
    assert read == {
        "company_name": "CustCare Utility",
        "default_country": "US",
        "default_currency": "USD",
        "contact_history_page_size": 50,
        "todo_type_for_reminders": "TD-CCCB",
    }
    # the starter configuration: every Control Central alert in sequence, and the timeline
    assert starter[0] == {"spot": "CC-ALERT", "sequence": 10, "algorithm": "C1_LSSL-DF", "enabled": True}
    assert [a["algorithm"] for a in starter if a["spot"] == "CC-TIMELINE"] == ["CI_TL-CUSTCO"]
    response = api_as(admin_user).put("/api/v1/installation-options", OPTIONS)
    assert response.status_code == 200, response.content
    assert response.json() == {**OPTIONS, "algorithms": starter}  # not sent: kept
    assert InstallationOptions.objects.get().company_name == "Springfield Power & Water"
    entry = AuditEntry.objects.get(entity_type="algorithms.installationoptions", action="change")
    assert entry.before == {"company_name": "CustCare Utility", "contact_history_page_size": 50}


def test_installation_options_bad_input_changes_nothing(api_as, admin_user):
    plugged = list(InstallationAlgorithm.objects.values_list("spot", "sequence", "algorithm_id", "enabled"))
    bad = {**OPTIONS, "default_country": "USA", "algorithms": [{"spot": "CC-ALERT", "algorithm": "CC-DESC20"}]}
    response = api_as(admin_user).put("/api/v1/installation-options", bad)
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert "default_country" in fields
    assert fields["algorithms.0.algorithm"] == ["CC-DESC20 does not serve the spot CC-ALERT."]
    assert InstallationOptions.objects.get().company_name == "CustCare Utility"
    assert list(InstallationAlgorithm.objects.values_list("spot", "sequence", "algorithm_id", "enabled")) == plugged
    assert not AuditEntry.objects.filter(entity_type="algorithms.installationoptions").exists()
