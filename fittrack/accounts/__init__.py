"""Accounts: who may see which uploads, results and workouts.

Passwords are kept only as argon2id hashes (`passwords.py`); a signed-in
browser holds a random token whose sha256 is the only copy in the database
(`sessions.py`); failed sign-ins are counted per name and per client and
refused after a few a minute, with one answer whether or not the name
exists (`users.py`). Everything a person owns carries their user id, never
their name.

May import: `fittrack.history` (the database), `fittrack.storage` and the top-level modules. Never: `jobs`.
"""
