"""The starter configuration of the credit records' code tables."""

from __future__ import annotations


def credit_reference_load() -> None:
    """Create the starter codes when missing; loading again keeps what administrators changed."""
