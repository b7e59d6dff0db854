"""One engine per database URL, and its schema brought up to date safely when several processes start at once.

The webapp, every worker and `fittrack run` call `upgrade_schema` at start:
two of them must not run the same migration together, so PostgreSQL takes
an advisory lock and SQLite a file lock beside its file while Alembic runs.
A database whose schema is newer than this code (a newer fittrack migrated
it) is refused in one line rather than written with the wrong columns.
"""

from __future__ import annotations

import fcntl
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from fittrack.errors import DatabaseError, DatabaseUnavailable
from fittrack.settings import without_password

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
ADVISORY_LOCK_KEY = 0x66697474  # "fitt": one number every fittrack process agrees on
CONNECT_TIMEOUT_S = 5


def shown(url: str) -> str:
    """The database URL as a person or a log may see it: no password."""
    return without_password(url)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None, "fittrack/history/migrations holds no revision"
    return head


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """One pooled engine per URL and process; SQLite files wait for each other instead of failing."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(f"{shown(url)} is not a database URL: use sqlite:///path or "
                            "postgresql+psycopg://user:password@host/database (FITTRACK_DATABASE_URL)") from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": CONNECT_TIMEOUT_S})


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")  # deleting a workout deletes its sets, reps and rests
    cursor.execute("PRAGMA journal_mode=WAL")  # the page reads while a worker writes
    cursor.close()


_upgraded: set[str] = set()
_upgrade_lock = threading.Lock()


def upgrade_schema(url: str) -> str:
    """Brings the database at `url` to this code's newest schema; returns the revision. Idempotent."""
    with _upgrade_lock:
        engine = engine_for(url)
        head = head_revision()
        try:
            with _migration_lock(engine) as connection:
                current = MigrationContext.configure(connection).get_current_revision()
                _refuse_newer(url, current)
                if current != head:
                    config = alembic_config(url)
                    config.attributes["connection"] = connection
                    command.upgrade(config, "head")
                    log.info("history database %s: schema %s -> %s", shown(url), current or "empty", head)
                connection.commit()
        except (OperationalError, DBAPIError) as error:
            raise unavailable(url, error) from None
        finally:
            engine.dispose()  # nothing pooled crosses a fork (a worker migrates before its processes start)
        _upgraded.add(url)
        return head


def _refuse_newer(url: str, current: str | None) -> None:
    if current is None:
        return
    scripts = ScriptDirectory.from_config(alembic_config(url))
    if current not in {script.revision for script in scripts.walk_revisions()}:
        raise DatabaseError(f"the history database {shown(url)} has schema revision {current}, newer than this "
                            f"fittrack knows (newest {head_revision()}): upgrade fittrack here to the version "
                            "that migrated it")


@contextmanager
def _migration_lock(engine: Engine) -> Iterator:
    """A connection held while no other fittrack process migrates the same database."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
            try:
                yield connection
            finally:
                connection.rollback()
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY})
                connection.commit()
        return
    database = engine.url.database
    lock_path = Path(f"{database}.migrate.lock") if database and database != ":memory:" else None
    lock_file = lock_path.open("a") if lock_path else None
    try:
        if lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
        with engine.connect() as connection:
            yield connection
    finally:
        if lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_UN)
            lock_file.close()


def unavailable(url: str, error: BaseException) -> DatabaseUnavailable:
    """One line naming the database, never the driver's traceback (logged at debug for the operator)."""
    log.debug("database error on %s", shown(url), exc_info=error)
    reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0][:200] if str(error).strip() \
        else type(error).__name__
    return DatabaseUnavailable(f"the history database {shown(url)} did not answer ({reason}); check that it runs "
                               "and that FITTRACK_DATABASE_URL is right")


@contextmanager
def session(url: str) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back (nothing written) when it raises.

    The schema is brought up to date on first use in each process, so a job
    on a fresh database needs no separate step.
    """
    if url not in _upgraded:
        upgrade_schema(url)
    factory = sessionmaker(engine_for(url), expire_on_commit=False)
    try:
        with factory.begin() as db:
            yield db
    except IntegrityError:
        raise  # the caller's to judge (a second delivery of the same job, say)
    except (OperationalError, DBAPIError) as error:
        if _is_connection_problem(error):
            raise unavailable(url, error) from None
        raise DatabaseError(f"the history database {shown(url)} refused a write: "
                            f"{str(error.orig or error).splitlines()[0][:200]}") from None


def _is_connection_problem(error: DBAPIError) -> bool:
    return bool(error.connection_invalidated) or isinstance(error, OperationalError)
