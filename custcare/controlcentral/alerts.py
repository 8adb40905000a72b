"""The Control Central alert engine (spot CC-ALERT on Installation Options).

Each alert algorithm type says which records raise its alert for the context: a queryset, counted,
with an optional value (e.g. the credit rating). The engine asks every enabled algorithm, in sequence,
for its queryset and counts them all in ONE statement (a UNION ALL of one row per algorithm), so the
alert zone costs two round trips (the configuration and the counts) however many algorithms an
administrator plugs in. An alert is raised when its count reaches the algorithm's `min_count`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from django.db import connection
from django.db.models import CharField, F, QuerySet
from django.db.models.functions import Cast
from pydantic import BaseModel, ConfigDict, Field

from custcare.algorithms.models import InstallationAlgorithm
from custcare.algorithms.registry import AlgorithmType, Spot
from custcare.algorithms.services import algorithm_instance
from custcare.controlcentral.context import CentralContext

logger = logging.getLogger(__name__)

Severity = Literal["info", "warning", "critical"]
# Counting stops here: "1000+" tells the CSR enough and bounds the work on a large account.
COUNT_CAP = 1000


class AlertParams(BaseModel):
    """Parameters every alert algorithm has; types add their own by subclassing."""

    model_config = ConfigDict(extra="forbid")
    message: str = Field(
        "",
        max_length=200,
        description="The alert text; {count} and {value} are replaced. Empty: the type's default text.",
    )
    severity: Severity = Field("warning", description="info, warning or critical (how the alert is shown).")
    min_count: int = Field(1, ge=1, description="Raise the alert from this many records on.")


@dataclass(frozen=True)
class Alert:
    algorithm: str
    text: str
    count: int
    value: str | None
    severity: str
    link: str


class AlertType(AlgorithmType):
    """Base of the central alert algorithm types. Subclasses set `default_message` and implement
    `records(context)`: the queryset of records that raise the alert, or None when the context lacks
    what the alert is about (no premise in context, say)."""

    Params: ClassVar[type[BaseModel]] = AlertParams
    default_message: ClassVar[str] = "{count} records"
    # The column whose smallest value the alert text may show as {value}; default: the record's id.
    value_field: ClassVar[str] = "pk"
    # The parameters of the starter configuration (custcare.controlcentral.reference).
    reference_params: ClassVar[dict[str, Any]] = {}
    # The configured algorithm's code (several algorithms may share a type); set by the engine.
    configured_as: str = ""

    def records(self, context: CentralContext) -> QuerySet[Any] | None:
        raise NotImplementedError

    def link(self, context: CentralContext, value: str | None) -> str:
        """Where the alert takes the CSR (a page listing the records); empty for none."""
        return ""

    def alert(self, context: CentralContext, count: int, value: str | None) -> Alert | None:
        params = self.params
        assert isinstance(params, AlertParams)
        if count < params.min_count:
            return None
        shown = f"{COUNT_CAP}+" if count >= COUNT_CAP else str(count)
        text = (
            (params.message or self.default_message)
            .replace("{count}", shown)
            .replace("{value}", value or "")
            .rstrip(" :")
        )
        return Alert(self.configured_as or self.code, text, count, value, params.severity, self.link(context, value))

    def run(self, **kwargs: Any) -> list[Alert]:
        """Run this algorithm alone (the engine batches them; this serves a single check)."""
        context: CentralContext = kwargs["context"]
        return _evaluate([self], context)


def _part(index: int, qs: QuerySet[Any], value_field: str) -> tuple[str, list[Any]]:
    inner = qs.order_by().annotate(_alert_v=Cast(F(value_field), CharField())).values_list("_alert_v")[:COUNT_CAP]
    sql, params = inner.query.sql_with_params()
    return f"SELECT {index} AS n, COUNT(*) AS c, MIN(t{index}._alert_v) AS v FROM ({sql}) t{index}", list(params)


def _evaluate(instances: Sequence[AlgorithmType], context: CentralContext) -> list[Alert]:
    parts: list[tuple[str, list[Any]]] = []
    asked: list[AlertType] = []
    for inst in instances:
        assert isinstance(inst, AlertType)
        qs = inst.records(context)
        if qs is None:
            continue
        parts.append(_part(len(asked), qs, inst.value_field))
        asked.append(inst)
    if not parts:
        return []
    sql = " UNION ALL ".join(p for p, _ in parts)
    params = [v for _, ps in parts for v in ps]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = {n: (c, v) for n, c, v in cursor.fetchall()}
    alerts = []
    for n, inst in enumerate(asked):
        count, value = rows.get(n, (0, None))
        alert = inst.alert(context, int(count), None if value is None else str(value))
        if alert is not None:
            alerts.append(alert)
    return alerts


def central_alert_algorithms() -> list[AlertType]:
    """The enabled alert algorithms of Installation Options, in sequence (one query). A configuration
    that no longer validates is skipped and logged rather than breaking the CSR's dashboard."""
    plugged = (
        InstallationAlgorithm.objects.filter(options_id=1, spot=Spot.CENTRAL_ALERT.value, enabled=True)
        .select_related("algorithm")
        .order_by("sequence", "id")
    )
    instances = []
    for p in plugged:
        try:
            inst = algorithm_instance(p.algorithm)
        except Exception:  # a type uninstalled or parameters invalid since it was saved
            logger.exception("Control Central alert %s is misconfigured; skipped", p.algorithm_id)
            continue
        if isinstance(inst, AlertType):
            inst.configured_as = p.algorithm_id
            instances.append(inst)
    return instances


def central_alerts(context: CentralContext) -> list[Alert]:
    """The alerts for the context, in the configured sequence: two round trips whatever their number."""
    return _evaluate(central_alert_algorithms(), context)
