"""The workout history: every analysed upload as a workout in a real database, with its sets, reps and rests.

The store keeps the files (video, rows, annotated copy); the database keeps
the facts a tracker asks about over weeks (what, when, how many, how well),
so a history page never has to open a result file. SQLite under
`FITTRACK_HOME` by default, PostgreSQL through `FITTRACK_DATABASE_URL`; the
schema is Alembic's (`migrations/`), brought up to date at start.

May import: `fittrack.movement`, `fittrack.recognition`, `fittrack.pose`, `fittrack.storage` and the
top-level modules. Never: `jobs`.
"""

import logging

# Alembic logs each plugin it loads at import and each step it takes; one line of ours says what migrated.
logging.getLogger("alembic").setLevel(logging.WARNING)
