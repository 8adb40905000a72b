"""Marketing event kinds and algorithm types (filled in below)."""
