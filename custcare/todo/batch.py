"""The TD-CCCB batch program (filled in with the reminders batch)."""
