"""Service credit memberships (filled in below)."""
