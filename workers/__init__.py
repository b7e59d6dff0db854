"""workers service."""
