"""The starter configuration of the billing records' code tables."""

from __future__ import annotations


def billing_reference_load() -> None:
    """Create the starter codes when missing; loading again keeps what administrators changed."""
