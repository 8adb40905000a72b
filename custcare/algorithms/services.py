"""Running configured algorithms, and keeping the one Installation Options record."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from custcare.algorithms.models import Algorithm, InstallationOptions
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
