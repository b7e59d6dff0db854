"""What removing a person means: every upload they own (video, results, labels, workout), then the account.

Uploads carry their owner's user id as store metadata (`owner`), written
when the upload is stored; the store, not the database, is the list of
what a person has uploaded, so an upload whose analysis failed (and so has
no workout) is found and removed too.
"""

from __future__ import annotations

import logging

from fittrack.accounts.users import delete_user, find_user
from fittrack.errors import BadInputError
from fittrack.jobs.history import forget_upload
from fittrack.jobs.uploads import OWNER_METADATA
from fittrack.storage.keys import UPLOADS_PREFIX
from fittrack.storage.store import Store

log = logging.getLogger(__name__)


def uploads_of(store: Store, owner_id: str) -> list[str]:
    """The upload ids whose `owner` is `owner_id`."""
    found = []
    for key in store.list(UPLOADS_PREFIX):
        info = store.head(key)
        if info is not None and info.metadata.get(OWNER_METADATA) == owner_id and key.endswith("/video"):
            found.append(key.split("/")[1])
    return found


def remove_user(database_url: str, store: Store, name: str) -> int:
    """The account and everything of it; returns how many uploads went."""
    account = find_user(database_url, name)
    if account is None:
        raise BadInputError(name, "has no account", "see the names with `fittrack user list`")
    uploads = uploads_of(store, account.id)
    for upload_id in uploads:
        forget_upload(database_url, store, upload_id)
    delete_user(database_url, account.id)
    log.info("removed the account %s and its %d uploads", account.name, len(uploads))
    return len(uploads)
