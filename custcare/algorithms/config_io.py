"""Configuration as a file: export every configuration record and import it into another
environment, so test, training and production stay in step.

The file is JSON keyed by what administrators know (codes, class + type), never by database ids.
Import upserts each record, validates it like the admin does, audits it, and runs in one transaction:
one bad record and nothing is changed.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from custcare.algorithms.models import Algorithm, InstallationAlgorithm, InstallationOptions
from custcare.contacts.models import (
    CharacteristicType,
    ContactClass,
    ContactType,
    ContactTypeAlgorithm,
    ContactTypeCharacteristic,
)
from custcare.core.audit import audit_record, audit_snapshot
from custcare.core.errors import ValidationFailed
from custcare.customers.models import AccessGroup, CustomerClass, Division, IdentifierType, PremiseType, SAType
from custcare.security.roles import require

FORMAT_VERSION = 1
CODE_TABLES: dict[str, type[models.Model]] = {
    "access_groups": AccessGroup,
    "customer_classes": CustomerClass,
    "divisions": Division,
    "premise_types": PremiseType,
    "identifier_types": IdentifierType,
    "sa_types": SAType,
    "characteristic_types": CharacteristicType,
    "contact_classes": ContactClass,
    "algorithms": Algorithm,
}
TYPE_FIELDS = [
    "description",
    "shorthand",
    "division_id",
    "person_usage",
    "account_usage",
    "premise_usage",
    "contact_action",
    "letter_template",
    "reminder_role",
    "reminder_days",
    "default_method",
    "default_open",
    "active",
]
OPTION_FIELDS = [
    "company_name",
    "default_country",
    "default_currency",
    "contact_history_page_size",
    "todo_type_for_reminders",
]


def _row(obj: models.Model, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    return {f.attname: f.value_from_object(obj) for f in obj._meta.concrete_fields if f.attname not in skip}


def configuration_export() -> dict[str, Any]:
    data: dict[str, Any] = {"format": "custcare-configuration", "version": FORMAT_VERSION}
    for key, model in CODE_TABLES.items():
        data[key] = [_row(o) for o in model.objects.order_by("pk")]  # type: ignore[attr-defined]
    data["contact_types"] = [
        {
            "contact_class": t.contact_class_id,
            "type_code": t.type_code,
            **{f: getattr(t, f) for f in TYPE_FIELDS},
            "characteristics": [
                {
                    "char_type": c.char_type_id,
                    "required": c.required,
                    "default_value": c.default_value,
                    "sequence": c.sequence,
                }
                for c in t.characteristics.all()
            ],
            "algorithms": [
                {"spot": a.spot, "sequence": a.sequence, "algorithm": a.algorithm_id} for a in t.algorithms.all()
            ],
        }
        for t in ContactType.objects.prefetch_related("characteristics", "algorithms").order_by(
            "contact_class_id", "type_code"
        )
    ]
    options = InstallationOptions.objects.filter(id=1).first() or InstallationOptions(id=1)
    data["installation_options"] = {
        **{f: getattr(options, f) for f in OPTION_FIELDS},
        "algorithms": [
            {"spot": a.spot, "sequence": a.sequence, "algorithm": a.algorithm_id, "enabled": a.enabled}
            for a in InstallationAlgorithm.objects.filter(options_id=1)
        ],
    }
    return data


class _Collector:
    def __init__(self, user: Any) -> None:
        self.user = user
        self.errors: dict[str, list[str]] = {}
        self.counts = {"added": 0, "changed": 0, "unchanged": 0}

    def save(self, obj: models.Model, where: str, existing: models.Model | None) -> None:
        try:
            obj.full_clean(validate_unique=False)
        except ValidationError as exc:
            for field, msgs in exc.message_dict.items():
                self.errors.setdefault(f"{where}.{field}", []).extend(msgs)
            return
        before = audit_snapshot(existing) if existing is not None else None
        after = audit_snapshot(obj)
        if before == after:
            self.counts["unchanged"] += 1
            return
        obj.save()
        self.counts["changed" if existing else "added"] += 1
        audit_record(entity=obj, action="import", user=self.user, before=before, summary="configuration import")


def _upsert(model: type[models.Model], lookup: dict[str, Any], values: dict[str, Any]) -> tuple[Any, Any]:
    existing = model.objects.filter(**lookup).first()  # type: ignore[attr-defined]
    obj = model.objects.filter(**lookup).first() or model(**lookup)  # type: ignore[attr-defined]
    for k, v in values.items():
        setattr(obj, k, v)
    return obj, existing


@transaction.atomic
def configuration_import(*, data: dict[str, Any], user: Any, dry_run: bool = False) -> dict[str, int]:
    """Upsert the configuration in `data`. Returns counts of added, changed and unchanged records."""
    require(user, "config.write")
    if data.get("format") != "custcare-configuration" or data.get("version") != FORMAT_VERSION:
        raise ValidationFailed(
            "This is not a CustCare configuration file of a version this release reads.",
            {"format": [f"Expected custcare-configuration version {FORMAT_VERSION}."]},
        )
    col = _Collector(user)
    for key, model in CODE_TABLES.items():
        pk_name = model._meta.pk.attname  # type: ignore[union-attr]
        for i, row in enumerate(data.get(key, [])):
            row = dict(row)
            if pk_name not in row:
                col.errors[f"{key}.{i}"] = [f"Missing {pk_name}."]
                continue
            obj, existing = _upsert(model, {pk_name: row.pop(pk_name)}, row)
            col.save(obj, f"{key}.{i}", existing)
    for i, row in enumerate(data.get("contact_types", [])):
        row = dict(row)
        chars, algs = row.pop("characteristics", []), row.pop("algorithms", [])
        type_key = {"contact_class_id": row.pop("contact_class", None), "type_code": row.pop("type_code", None)}
        obj, existing = _upsert(ContactType, type_key, {k: v for k, v in row.items() if k in TYPE_FIELDS})
        col.save(obj, f"contact_types.{i}", existing)
        if obj.pk is None:
            continue
        for j, c in enumerate(chars):
            char, old = _upsert(
                ContactTypeCharacteristic,
                {"contact_type": obj, "char_type_id": c.get("char_type")},
                {k: c[k] for k in ("required", "default_value", "sequence") if k in c},
            )
            col.save(char, f"contact_types.{i}.characteristics.{j}", old)
        for j, a in enumerate(algs):
            plug, old = _upsert(
                ContactTypeAlgorithm,
                {"contact_type": obj, "spot": a.get("spot"), "algorithm_id": a.get("algorithm")},
                {"sequence": a.get("sequence", 10)},
            )
            col.save(plug, f"contact_types.{i}.algorithms.{j}", old)
    opts = data.get("installation_options")
    if opts:
        opts = dict(opts)
        plugs = opts.pop("algorithms", [])
        options, old = _upsert(InstallationOptions, {"id": 1}, {k: v for k, v in opts.items() if k in OPTION_FIELDS})
        col.save(options, "installation_options", old)
        for j, a in enumerate(plugs):
            plug, old = _upsert(
                InstallationAlgorithm,
                {"options_id": 1, "spot": a.get("spot"), "sequence": a.get("sequence")},
                {"algorithm_id": a.get("algorithm"), "enabled": a.get("enabled", True)},
            )
            col.save(plug, f"installation_options.algorithms.{j}", old)
    if col.errors:
        transaction.set_rollback(True)
        raise ValidationFailed(
            "The configuration was not imported; nothing changed. Correct the records shown.", col.errors
        )
    if dry_run:
        transaction.set_rollback(True)
    return col.counts
