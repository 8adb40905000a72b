"""The starter configuration every CustCare installation begins with, and the demo users.

`reference_data_load` is idempotent: it creates what is missing and leaves what an administrator
changed alone. The demo, the data generator and the tests all start from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from custcare.algorithms.models import Algorithm, InstallationOptions
from custcare.batch.models import BatchControl
from custcare.contacts.models import (
    CharacteristicType,
    ContactClass,
    ContactMethod,
    ContactType,
    ContactTypeAlgorithm,
    ContactTypeCharacteristic,
    Usage,
)
from custcare.customers.models import AccessGroup, CustomerClass, Division, IdentifierType, PremiseType, SAType
from custcare.security import roles
from custcare.todo.models import SkillType, ToDoRole, ToDoType

ACCESS_GROUPS = [
    ("RES", "Residential customers"),
    ("COM", "Commercial and industrial customers"),
    ("VIP", "Restricted: employees and public figures"),
]
CUSTOMER_CLASSES = [("R", "Residential"), ("C", "Commercial"), ("I", "Industrial"), ("L", "Low income")]
DIVISIONS = [("NORTH", "Northern division"), ("SOUTH", "Southern division")]
PREMISE_TYPES = [("HOUSE", "Single family house"), ("APT", "Apartment"), ("COMM", "Commercial unit"), ("FARM", "Farm")]
IDENTIFIER_TYPES = [("TAXID", "Tax id"), ("DRLIC", "Driver's licence"), ("PASSPORT", "Passport")]
SA_TYPES = [
    ("E-RES", "Residential electricity", "E", True),
    ("G-RES", "Residential gas", "G", True),
    ("W-RES", "Residential water", "W", True),
    ("E-COM", "Commercial electricity", "E", True),
    ("BUDGET", "Non-billed budget", "O", False),
]
CHAR_TYPES = [
    ("METER-NO", "Meter number", "FREE", []),
    ("COMPL-RSN", "Complaint reason", "LIST", ["BILLING", "SERVICE", "STAFF", "OUTAGE", "OTHER"]),
    ("OUTAGE-DT", "Outage start date", "DATE", []),
    ("READING", "Customer's meter reading", "NUM", []),
    ("SOURCE-ID", "Source record id", "FREE", []),
]
CONTACT_CLASSES = [
    ("INQ", "Inquiry"),
    ("CMPL", "Complaint"),
    ("SVC", "Service request"),
    ("BILL", "Billing and payment"),
    ("GEN", "General"),
]
# class, type, description, shorthand, person, account, premise, method, open by default
CONTACT_TYPES = [
    (
        "INQ",
        "BILLQ",
        "Bill inquiry",
        "Customer asked about their bill; explained the charges.",
        "REQ",
        "REQ",
        "OPT",
        "PHONE",
        False,
    ),
    (
        "INQ",
        "PAYARR",
        "Payment arrangement request",
        "Customer asked for a payment arrangement.",
        "REQ",
        "REQ",
        "OPT",
        "PHONE",
        True,
    ),
    (
        "INQ",
        "MOVEIN",
        "Move-in request",
        "Customer is moving in and wants service started.",
        "REQ",
        "OPT",
        "OPT",
        "PHONE",
        True,
    ),
    ("CMPL", "GEN", "General complaint", "", "REQ", "OPT", "OPT", "PHONE", True),
    (
        "SVC",
        "OUTAGE",
        "Outage report",
        "Customer reported an outage at the premise.",
        "OPT",
        "OPT",
        "REQ",
        "PHONE",
        True,
    ),
    ("SVC", "METER", "Meter problem", "Customer reported a meter problem.", "REQ", "OPT", "REQ", "PHONE", True),
    (
        "BILL",
        "HIBILL",
        "High bill complaint",
        "Customer says the bill is too high.",
        "REQ",
        "REQ",
        "OPT",
        "PHONE",
        True,
    ),
    ("BILL", "PAYMT", "Payment made", "Customer reports a payment made.", "REQ", "REQ", "NA", "PHONE", False),
    ("BILL", "PPDENY", "Pay plan denied", "A pay plan was requested and denied.", "REQ", "REQ", "NA", "PHONE", False),
    (
        "GEN",
        "ADDRCHG",
        "Mailing address change",
        "Customer changed the mailing address.",
        "REQ",
        "OPT",
        "NA",
        "POSTAL",
        False,
    ),
    ("GEN", "PREMNOTE", "Premise note", "Note about the premise (access, hazards).", "NA", "NA", "REQ", "NA", False),
    ("SVC", "FIELDVIS", "Field visit: spoke to customer", "", "REQ", "OPT", "OPT", "NA", False),
]
TYPE_CHARS = {
    ("CMPL", "GEN"): [("COMPL-RSN", True, "")],
    ("SVC", "OUTAGE"): [("OUTAGE-DT", False, "")],
    ("SVC", "METER"): [("METER-NO", True, ""), ("READING", False, "")],
    ("BILL", "HIBILL"): [("READING", False, ""), ("COMPL-RSN", False, "BILLING")],
    ("SVC", "FIELDVIS"): [("SOURCE-ID", False, "")],
}
FA_TYPES = [("MTRCHK", "Meter check"), ("CONNECT", "Connect service"), ("DISCON", "Disconnect service")]
FA_REMARK_TYPES = [("SPOKE", "Spoke to customer"), ("DOG", "Dog on premise"), ("NOACCESS", "No access to meter")]
ALGORITHMS = [
    (
        "CC-METERNO",
        "Meter numbers are 8 digits",
        "CC-CHARFMT",
        {"char_type": "METER-NO", "pattern": r"\d{8}", "message": "A meter number is 8 digits."},
    ),
    (
        "CC-DESC20",
        "Open complaints need a 20-character description",
        "CC-DESCREQ",
        {"min_length": 20, "only_when_open": True},
    ),
]
TYPE_ALGORITHMS = {("SVC", "METER"): ["CC-METERNO"], ("CMPL", "GEN"): ["CC-DESC20"]}


TODO_ROLES = [
    ("CSR-FOLLOWUP", "Customer service follow-up"),
    ("BILLING", "Billing specialists"),
    ("FIELD", "Field service coordination"),
]
SKILLS = [("BILLING", "Billing disputes"), ("FIELD", "Field work coordination"), ("LANG-ES", "Spanish speaker")]
TODO_TYPES = [
    # code, description, priority, default role, usage, drill-down, message
    (
        "TD-CCCB",
        "Customer contact reminder",
        50,
        "CSR-FOLLOWUP",
        "AUTO",
        "CONTACT",
        "Follow up customer contact {contact}: {comment}",
    ),
    ("TD-MANUAL", "Manual follow-up", 60, "CSR-FOLLOWUP", "MAN", "PERSON", "{comment}"),
]
BATCH_CONTROLS = [
    # code, description, program, threads, chunk size, max errors, parameters
    ("TD-CCCB", "To Do for Customer Contact", "TD-CCCB", 1, 20000, 1000, {"LEAD-DAYS": 0}),
]


def _codes(model: type, rows: list[tuple[str, str]]) -> None:
    for code, description in rows:
        model.objects.get_or_create(code=code, defaults={"description": description})  # type: ignore[attr-defined]


@transaction.atomic
def reference_data_load() -> None:
    roles.roles_sync()
    InstallationOptions.objects.get_or_create(id=1)
    _codes(AccessGroup, ACCESS_GROUPS)
    _codes(CustomerClass, CUSTOMER_CLASSES)
    _codes(Division, DIVISIONS)
    _codes(PremiseType, PREMISE_TYPES)
    _codes(IdentifierType, IDENTIFIER_TYPES)
    for code, description, service, billable in SA_TYPES:
        SAType.objects.get_or_create(
            code=code, defaults={"description": description, "service": service, "billable": billable}
        )
    for code, description, value_type, allowed in CHAR_TYPES:
        CharacteristicType.objects.get_or_create(
            code=code, defaults={"description": description, "value_type": value_type, "allowed_values": allowed}
        )
    _codes(ContactClass, CONTACT_CLASSES)
    from custcare.fieldwork.models import FieldActivityRemarkType, FieldActivityType

    _codes(FieldActivityType, FA_TYPES)
    _codes(FieldActivityRemarkType, FA_REMARK_TYPES)
    for code, description, type_code, params in ALGORITHMS:
        Algorithm.objects.get_or_create(
            code=code, defaults={"description": description, "algorithm_type": type_code, "parameters": params}
        )
    _codes(ToDoRole, TODO_ROLES)
    _codes(SkillType, SKILLS)
    for code, description, priority, role, usage, drill, message in TODO_TYPES:
        ttype, created = ToDoType.objects.get_or_create(
            code=code,
            defaults={
                "description": description,
                "default_priority": priority,
                "default_role_id": role,
                "usage": usage,
                "drill_down": drill,
                "message_text": message,
                "sort_keys": ["priority", "created_at"],
            },
        )
        if created:
            ttype.allowed_roles.add(ToDoRole.objects.get(code=role))
    for code, description, program, threads, chunk, max_errors, params in BATCH_CONTROLS:
        BatchControl.objects.get_or_create(
            code=code,
            defaults={
                "description": description,
                "program": program,
                "default_thread_count": threads,
                "chunk_size": chunk,
                "max_errors": max_errors,
                "parameters": params,
            },
        )
    from custcare.todo.services import todo_reference_load

    todo_reference_load()
    for cls, typ, desc, shorthand, pu, au, pru, method, is_open in CONTACT_TYPES:
        ctype, created = ContactType.objects.get_or_create(
            contact_class_id=cls,
            type_code=typ,
            defaults={
                "description": desc,
                "shorthand": shorthand,
                "person_usage": pu,
                "account_usage": au,
                "premise_usage": pru,
                "default_method": method,
                "default_open": is_open,
            },
        )
        if not created:
            continue
        for seq, (char, required, default) in enumerate(TYPE_CHARS.get((cls, typ), []), start=1):
            ContactTypeCharacteristic.objects.create(
                contact_type=ctype, char_type_id=char, required=required, default_value=default, sequence=seq * 10
            )
        for seq, alg in enumerate(TYPE_ALGORITHMS.get((cls, typ), []), start=1):
            ContactTypeAlgorithm.objects.create(contact_type=ctype, algorithm_id=alg, sequence=seq * 10)
    _event_sources_reference_load()


def _event_sources_reference_load() -> None:
    """The starter configuration of the system-event sources (step 2.0); each app keeps its own."""
    from custcare.agreements.services import agreements_reference_load
    from custcare.cases.services import cases_reference_load
    from custcare.marketing.services import marketing_reference_load
    from custcare.metering.services import metering_reference_load
    from custcare.payments.reference import payments_reference_load
    from custcare.programs.services import programs_reference_load

    metering_reference_load()
    cases_reference_load()
    agreements_reference_load()
    marketing_reference_load()
    programs_reference_load()
    payments_reference_load()
    _central_reference_load()


def _central_reference_load() -> None:
    """The CIS records' code tables, then Control Central's alerts and timeline (which reference them)."""
    from custcare.billing.reference import billing_reference_load
    from custcare.controlcentral.reference import central_reference_load
    from custcare.credit.reference import credit_reference_load
    from custcare.workflow.reference import workflow_reference_load

    billing_reference_load()
    credit_reference_load()
    workflow_reference_load()
    central_reference_load()


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    password: str
    access_groups: tuple[str, ...]
    full_name: str
    todo_roles: tuple[str, ...] = ()
    todo_supervisor: bool = False


DEMO_USERS = [
    DemoUser("csr", roles.CSR, "csr-demo-2026", ("RES", "COM"), "Casey Rivera", ("CSR-FOLLOWUP",)),
    DemoUser(
        "supervisor",
        roles.SUPERVISOR,
        "supervisor-demo-2026",
        ("RES", "COM", "VIP"),
        "Sam Okafor",
        ("CSR-FOLLOWUP", "BILLING", "FIELD"),
        True,
    ),
    DemoUser("admin", roles.ADMINISTRATOR, "admin-demo-2026", ("RES", "COM", "VIP"), "Alex Lindqvist"),
    DemoUser("batch", roles.BATCH_OPERATOR, "batch-demo-2026", ("RES", "COM"), "Bo Nakamura"),
    DemoUser("integrator", roles.INTEGRATOR, "integrator-demo-2026", ("RES", "COM"), "Ivy Chen"),
]


def user_with_role_ensure(
    *, username: str, role: str, password: str, access_groups: tuple[str, ...] = (), full_name: str = ""
) -> Any:
    """Create (or reset) a user holding `role` in the given access groups."""
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=username)
    first, _, last = full_name.partition(" ")
    user.first_name, user.last_name = first, last
    user.is_staff = role == roles.ADMINISTRATOR or role == roles.SUPERVISOR
    user.set_password(password)
    user.save()
    user.groups.set([Group.objects.get(name=role)])
    user.access_groups.set(AccessGroup.objects.filter(code__in=access_groups))
    return user


def demo_users_ensure() -> list[DemoUser]:
    """The demo users, each in its role and access groups; CSR and supervisor also work the
    customer-contact follow-up To Do role (the supervisor as the role's supervisor)."""
    from custcare.todo.models import ToDoRoleUser

    for u in DEMO_USERS:
        user = user_with_role_ensure(
            username=u.username, role=u.role, password=u.password, access_groups=u.access_groups, full_name=u.full_name
        )
        for code in u.todo_roles:
            ToDoRoleUser.objects.update_or_create(
                role_id=code, user=user, defaults={"is_supervisor": u.todo_supervisor}
            )
    return DEMO_USERS


__all__ = ["DEMO_USERS", "ContactMethod", "Usage", "demo_users_ensure", "reference_data_load"]
