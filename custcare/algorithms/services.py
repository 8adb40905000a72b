"""Running configured algorithms, and keeping the one Installation Options record."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from custcare.algorithms.models import Algorithm, InstallationAlgorithm, InstallationOptions
from custcare.algorithms.registry import AlgorithmType, algorithm_type_get
from custcare.core.audit import audit_record, audit_snapshot
from custcare.core.errors import ValidationFailed
from custcare.security.roles import require


def algorithm_instance(algorithm: Algorithm) -> AlgorithmType:
    cls = algorithm_type_get(algorithm.algorithm_type)
    return cls(cls.Params.model_validate(algorithm.parameters))


def installation_options() -> InstallationOptions:
    options, _ = InstallationOptions.objects.get_or_create(id=1)
    return options


@transaction.atomic
def algorithm_save(
    *, code: str, algorithm_type: str, description: str, parameters: dict[str, Any], user: Any
) -> Algorithm:
    """Create or change a configured algorithm; parameters are validated against its type."""
    require(user, "config.write")
    existing = Algorithm.objects.filter(code=code).first()
    before = audit_snapshot(existing) if existing else None
    algorithm = existing or Algorithm(code=code)
    algorithm.algorithm_type = algorithm_type
    algorithm.description = description
    algorithm.parameters = parameters
    try:
        algorithm.full_clean()
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc, f"Algorithm {code} is not valid.") from exc
    algorithm.save()
    audit_record(entity=algorithm, action="change" if existing else "add", user=user, before=before)
    return algorithm


def _options_audit(options: InstallationOptions) -> dict[str, Any]:
    snap = audit_snapshot(options)
    snap["algorithms"] = [
        {"spot": a.spot, "sequence": a.sequence, "algorithm": a.algorithm_id, "enabled": a.enabled}
        for a in options.algorithms.all()
    ]
    return snap


@transaction.atomic
def installation_options_update(
    *, values: dict[str, Any], user: Any, algorithms: list[dict[str, Any]] | None = None
) -> InstallationOptions:
    """Change the global settings and, when `algorithms` is given, replace the algorithms plugged into
    the installation spots. Administrators only; all problems reported at once; audited."""
    require(user, "config.write")
    options = installation_options()
    before = _options_audit(options)
    for name, value in values.items():
        setattr(options, name, value)
    errors: dict[str, list[str]] = {}
    try:
        options.full_clean()
    except ValidationError as exc:
        errors.update(ValidationFailed.from_django(exc).fields)
    rows: list[InstallationAlgorithm] = []
    if algorithms is not None:
        known = {a.code: a for a in Algorithm.objects.filter(code__in=[a["algorithm"] for a in algorithms])}
        spots = {value for value, _ in InstallationAlgorithm._meta.get_field("spot").choices or []}
        seen: set[tuple[str, int]] = set()
        for i, item in enumerate(algorithms):
            alg = known.get(item["algorithm"])
            spot, sequence = item["spot"], item.get("sequence") or (i + 1) * 10
            if spot not in spots:
                errors[f"algorithms.{i}.spot"] = [f"Choose one of {', '.join(sorted(spots))}."]
            if alg is None:
                errors[f"algorithms.{i}.algorithm"] = [f"No algorithm '{item['algorithm']}'."]
                continue
            if alg.spot.value != spot:
                errors[f"algorithms.{i}.algorithm"] = [f"{alg.code} does not serve the spot {spot}."]
            if (spot, sequence) in seen:
                errors[f"algorithms.{i}.sequence"] = [f"Sequence {sequence} is used twice for {spot}."]
            seen.add((spot, sequence))
            rows.append(
                InstallationAlgorithm(
                    options=options, spot=spot, sequence=sequence, algorithm=alg, enabled=item.get("enabled", True)
                )
            )
    if errors:
        raise ValidationFailed("The installation options were not saved; correct the fields shown.", errors)
    options.save()
    if algorithms is not None:
        options.algorithms.all().delete()
        InstallationAlgorithm.objects.bulk_create(rows)
    audit_record(entity=options, action="change", user=user, before=before, after=_options_audit(options))
    return options
