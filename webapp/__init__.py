"""webapp service."""
