"""To Do algorithm types (filled in with the To Do engine)."""
