"""Helpers for Control Central tests: plug alert algorithms into Installation Options and read alerts."""

from __future__ import annotations

from typing import Any

from custcare.algorithms.models import Algorithm, InstallationAlgorithm
from custcare.algorithms.registry import Spot
from custcare.algorithms.services import installation_options
from custcare.controlcentral.alerts import Alert, central_alerts
from custcare.controlcentral.context import CentralContext


def plug_alert(algorithm_type: str, sequence: int = 10, code: str = "", **params: Any) -> Algorithm:
    """Configure an alert algorithm of the type with the parameters and plug it in at `sequence`."""
    code = code or f"T-{algorithm_type}"[:30]
    algorithm = Algorithm.objects.filter(code=code).first() or Algorithm(code=code)
    algorithm.description = algorithm_type
    algorithm.algorithm_type = algorithm_type
    algorithm.parameters = params
    algorithm.full_clean()
    algorithm.save()
    InstallationAlgorithm.objects.update_or_create(
        options=installation_options(),
        spot=Spot.CENTRAL_ALERT.value,
        sequence=sequence,
        defaults={"algorithm": algorithm, "enabled": True},
    )
    return algorithm


def only_alert(algorithm_type: str, **params: Any) -> None:
    """Leave exactly this one alert algorithm plugged in."""
    InstallationAlgorithm.objects.filter(spot=Spot.CENTRAL_ALERT.value).delete()
    plug_alert(algorithm_type, **params)


def alerts_for(account: Any = None, person: Any = None, premise: Any = None) -> list[Alert]:
    ctx = CentralContext(
        account_id=account.pk if account is not None else None,
        person_id=person.pk if person is not None else None,
        premise_id=premise.pk if premise is not None else None,
    )
    return central_alerts(ctx)


def alert_texts(**context: Any) -> list[str]:
    return [a.text for a in alerts_for(**context)]
