"""producer service."""
