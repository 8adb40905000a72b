"""The starter configuration of the workflow records' code tables."""

from __future__ import annotations


def workflow_reference_load() -> None:
    """Create the starter codes when missing; loading again keeps what administrators changed."""
