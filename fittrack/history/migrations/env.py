"""Alembic's entry: runs the migrations on the connection fittrack hands it (history.database.upgrade_schema),
or on a fresh one from the configured URL (the `alembic` command itself, for writing new revisions)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from fittrack.history.schema import Base

config = context.config
connection = config.attributes.get("connection")
if connection is not None:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    with create_engine(config.get_main_option("sqlalchemy.url") or "").connect() as fresh:
        context.configure(connection=fresh, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
