"""The starter configuration of the credit records' code tables."""

from __future__ import annotations


def credit_reference_load() -> None:
    """Create the starter codes when missing; loading again keeps what administrators changed.

    The credit records have no code table of their own in CustCare: their process template and agency
    are the credit system's codes, kept as text on each record. Nothing to load (yet)."""
