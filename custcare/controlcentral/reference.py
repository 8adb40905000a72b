"""The starter Control Central configuration: every central alert algorithm, in the seed's sequence,
and the customer contact timeline, plugged into Installation Options. Loading again keeps what an
administrator changed (algorithms and plugs are only added when missing)."""

from __future__ import annotations

from custcare.algorithms.models import Algorithm, InstallationAlgorithm
from custcare.algorithms.registry import Spot, algorithm_type_get, algorithm_types
from custcare.algorithms.services import installation_options

# The seed's order: what a CSR must know first comes first.
ALERT_SEQUENCE = [
    "C1_LSSL-DF",
    "C1_LSSLPR-DF",
    "C1_SEVPR-DF",
    "PP-Active",
    "PP-Broken",
    "PP-Kept",
    "CC-PPDENIAL",
    "CCAL WFACCTX",
    "CCAL WFPREMX",
    "CCAL WFACCTR",
    "CCAL WFPREMR",
    "CCAL-TD",
    "CCAL-DECL",
    "CCAL-CASE",
    "CCAL-FAERMSG",
    "CI_WO_BILL",
    "CI_OD-PROC",
    "CI_OMF_DF",
    "CI_STOPSA-DF",
    "C1-CCAL-CLM",
    "C1-COLL-DF",
    "C1_COLLRF-DF",
    "C1_PENDST-DF",
    "C1_CASH-DF",
    "C1_CRRT-DF",
    "C1-CCAL-OCBG",
    "F1-SYNRQALRT",
]


# How the starter configuration shows each alert; the rest are warnings. A CSR must not miss these.
SEVERITY = {
    "C1_LSSL-DF": "critical",
    "C1_LSSLPR-DF": "critical",
    "C1_SEVPR-DF": "critical",
    "C1_CASH-DF": "info",
    "C1_PENDST-DF": "info",
    "CI_STOPSA-DF": "info",
    "PP-Kept": "info",
    "CCAL-DECL": "info",
}


def central_reference_load() -> None:
    options = installation_options()
    installed = {t.code for t in algorithm_types(Spot.CENTRAL_ALERT)}
    codes = [c for c in ALERT_SEQUENCE if c in installed] + sorted(installed - set(ALERT_SEQUENCE))
    plugged = set(
        InstallationAlgorithm.objects.filter(options=options, spot=Spot.CENTRAL_ALERT.value).values_list(
            "algorithm_id", flat=True
        )
    )
    taken = set(
        InstallationAlgorithm.objects.filter(options=options, spot=Spot.CENTRAL_ALERT.value).values_list(
            "sequence", flat=True
        )
    )
    for position, code in enumerate(codes, start=1):
        cls = algorithm_type_get(code)
        algorithm, _ = Algorithm.objects.get_or_create(
            code=code,
            defaults={
                "description": cls.description[:120],
                "algorithm_type": code,
                "parameters": {
                    **getattr(cls, "reference_params", {}),
                    **({"severity": SEVERITY[code]} if code in SEVERITY else {}),
                },
            },
        )
        sequence = position * 10
        if algorithm.code in plugged or sequence in taken:
            continue
        InstallationAlgorithm.objects.create(
            options=options, spot=Spot.CENTRAL_ALERT.value, sequence=sequence, algorithm=algorithm
        )
    timeline, _ = Algorithm.objects.get_or_create(
        code="CI_TL-CUSTCO",
        defaults={
            "description": "Customer contact timeline",
            "algorithm_type": "CI_TL-CUSTCO",
            "parameters": {"page_size": 50},
        },
    )
    if not InstallationAlgorithm.objects.filter(options=options, spot=Spot.CONTACT_TIMELINE.value).exists():
        InstallationAlgorithm.objects.create(
            options=options, spot=Spot.CONTACT_TIMELINE.value, sequence=10, algorithm=timeline
        )
