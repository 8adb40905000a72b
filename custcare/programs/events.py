"""Programme event kinds and algorithm types."""
