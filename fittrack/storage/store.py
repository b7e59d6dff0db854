"""The shared store: a local folder or an S3 bucket behind one small interface.

Workers, producer, trainer and webapp only ever talk to `Store`, so the same
code runs on a laptop (`file:///...`) and on a cluster (`s3://bucket/prefix`,
AWS or any S3 API such as MinIO, chosen by FITTRACK_S3_ENDPOINT_URL).

Writes are atomic in both: S3 makes an object visible only when its upload
completes, and the local store writes a temporary file and renames it. A
reader therefore never sees half an object, and a job that runs twice leaves
one copy (the second write replaces the first).

What goes under which key is `fittrack.storage.keys`.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import unquote, urlparse

from fittrack.errors import BadInputError, StoreError, StoreKeyMissing, TransientStoreError
from fittrack.settings import Settings
from fittrack.storage.files import TEMPORARY_PREFIX, DiskError, write_atomically, write_bytes_atomically
from fittrack.storage.keys import upload_prefixes


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    metadata: dict[str, str]


class Store(Protocol):
    """What every part of fittrack needs from shared storage."""

    url: str

    def put_bytes(self, key: str, data: bytes, metadata: dict[str, str] | None = None) -> None: ...
    def get_bytes(self, key: str) -> bytes: ...
    def put_file(self, key: str, path: Path, metadata: dict[str, str] | None = None) -> None: ...
    def get_file(self, key: str, path: Path) -> None: ...
    def local_file(self, key: str) -> Path | None: ...
    def head(self, key: str) -> ObjectInfo | None: ...
    def list(self, prefix: str = "") -> Iterator[str]: ...
    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...


def check_key(key: str) -> str:
    """Refuses keys that could escape the store's root or mean different things on disk."""
    parts = key.split("/")
    if not key or key.startswith("/") or any(part in ("", ".", "..") for part in parts) or "\\" in key:
        raise BadInputError(key, "is not a valid store key", "keys are relative paths without '..'")
    return key


class LocalStore:
    """A folder as a store: for the embedded mode and tests. Metadata sits in a sidecar file."""

    _META_SUFFIX = ".meta"

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.url = self.root.as_uri()

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def _put(self, key: str, write: Callable[[BinaryIO], object], metadata: dict[str, str] | None) -> None:
        """The metadata first, so that a reader who sees the object sees its metadata; on a failed
        write (a full disk) neither is left behind for an object that was not there before."""
        target, meta_path = self._path(key), self._path(key + self._META_SUFFIX)
        existed = target.is_file()
        try:
            if metadata:
                write_bytes_atomically(meta_path, json.dumps(metadata, sort_keys=True).encode())
            else:
                meta_path.unlink(missing_ok=True)
            write_atomically(target, write)
        except DiskError as error:
            if not existed:
                meta_path.unlink(missing_ok=True)
            raise StoreError(f"{self.url}/{key}: {error}") from None

    def put_bytes(self, key: str, data: bytes, metadata: dict[str, str] | None = None) -> None:
        self._put(key, lambda out: out.write(data), metadata)

    def put_file(self, key: str, path: Path, metadata: dict[str, str] | None = None) -> None:
        with Path(path).open("rb") as source:
            self._put(key, lambda out: shutil.copyfileobj(source, out, 1 << 20), metadata)

    def get_bytes(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise StoreKeyMissing(f"{self.url}/{key}", "not found in the store") from None

    def get_file(self, key: str, path: Path) -> None:
        source = self._path(key)
        if not source.is_file():
            raise StoreKeyMissing(f"{self.url}/{key}", "not found in the store")
        shutil.copyfile(source, path)

    def local_file(self, key: str) -> Path:
        """The object's own file, to read in place: writes replace files atomically, so a reader
        keeps the version it opened."""
        source = self._path(key)
        if not source.is_file():
            raise StoreKeyMissing(f"{self.url}/{key}", "not found in the store")
        return source

    def head(self, key: str) -> ObjectInfo | None:
        path = self._path(key)
        if not path.is_file():
            return None
        meta_path = self._path(key + self._META_SUFFIX)
        metadata: dict[str, str] = {}
        if meta_path.is_file():
            metadata = json.loads(meta_path.read_text())
        return ObjectInfo(key=key, size=path.stat().st_size, metadata=metadata)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def list(self, prefix: str = "") -> Iterator[str]:
        folder = self._path(prefix.rsplit("/", 1)[0]) if "/" in prefix else self.root  # walk only below it
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or path.name.startswith(TEMPORARY_PREFIX) or path.name.endswith(self._META_SUFFIX):
                continue
            key = path.relative_to(self.root).as_posix()
            if key.startswith(prefix):
                yield key

    def delete(self, key: str) -> None:
        """The object, its metadata and the folders it leaves empty: an upload id is no folder name once
        its upload is gone (S3 has no folders to leave)."""
        path = self._path(key)
        path.unlink(missing_ok=True)
        self._path(key + self._META_SUFFIX).unlink(missing_ok=True)
        for folder in path.parents:
            if folder == self.root or not folder.is_relative_to(self.root):
                break
            try:
                folder.rmdir()
            except OSError:  # not empty (or already gone): the folders above stay too
                break


class S3Store:
    """An S3 bucket (optionally under a prefix) through boto3.

    Connection problems and throttling become TransientStoreError (the caller
    retries); a missing key or denied access fails at once.
    """

    _TRANSIENT_CODES = frozenset({"SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout", "503", "500"})

    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None,
                 region: str | None = None) -> None:
        import boto3
        from boto3.s3.transfer import TransferConfig
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.url = f"s3://{bucket}/{self.prefix}"
        config = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=60)
        self.client = boto3.client("s3", endpoint_url=endpoint_url, region_name=region, config=config)
        self._transfer = TransferConfig(multipart_threshold=16 << 20, multipart_chunksize=16 << 20)

    def _key(self, key: str) -> str:
        return self.prefix + check_key(key)

    def _translate(self, error: Exception, key: str) -> Exception:
        from botocore.exceptions import BotoCoreError, ClientError

        where = f"{self.url}{key}"
        if isinstance(error, ClientError):
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code in ("NoSuchKey", "404", "NotFound"):
                return StoreKeyMissing(where, "not found in the store")
            if code in self._TRANSIENT_CODES:
                return TransientStoreError(f"{where}: S3 answered {code}, try again")
            if code == "NoSuchBucket":
                return StoreError(f"{where}: bucket '{self.bucket}' does not exist; create it or fix FITTRACK_STORE_URL")
            return StoreError(f"{where}: S3 refused the request ({code}: {error})")
        if isinstance(error, BotoCoreError):
            return TransientStoreError(f"{where}: cannot reach S3 ({error})")
        return error

    def _call(self, key: str, operation, *args, **kwargs):
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return operation(*args, **kwargs)
        except (ClientError, BotoCoreError) as error:
            raise self._translate(error, key) from error

    def put_bytes(self, key: str, data: bytes, metadata: dict[str, str] | None = None) -> None:
        self._call(key, self.client.put_object, Bucket=self.bucket, Key=self._key(key), Body=data,
                   Metadata=metadata or {})

    def put_file(self, key: str, path: Path, metadata: dict[str, str] | None = None) -> None:
        self._call(key, self.client.upload_file, str(path), self.bucket, self._key(key),
                   ExtraArgs={"Metadata": metadata or {}}, Config=self._transfer)

    def get_bytes(self, key: str) -> bytes:
        response = self._call(key, self.client.get_object, Bucket=self.bucket, Key=self._key(key))
        return self._call(key, response["Body"].read)

    def local_file(self, key: str) -> None:
        """Never: an object has to be downloaded first."""
        return

    def get_file(self, key: str, path: Path) -> None:
        self._call(key, self.client.download_file, self.bucket, self._key(key), str(path), Config=self._transfer)

    def head(self, key: str) -> ObjectInfo | None:
        try:
            response = self._call(key, self.client.head_object, Bucket=self.bucket, Key=self._key(key))
        except StoreKeyMissing:
            return None
        return ObjectInfo(key=key, size=int(response["ContentLength"]), metadata=dict(response.get("Metadata", {})))

    def exists(self, key: str) -> bool:
        return self.head(key) is not None

    def list(self, prefix: str = "") -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        pages = paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + prefix)
        try:
            for page in pages:
                for item in page.get("Contents", []):
                    yield item["Key"][len(self.prefix):]
        except Exception as error:
            raise self._translate(error, prefix) from error

    def delete(self, key: str) -> None:
        self._call(key, self.client.delete_object, Bucket=self.bucket, Key=self._key(key))

    def ensure_bucket(self) -> None:
        """Creates the bucket if it is missing (local set-ups; production buckets exist)."""
        from botocore.exceptions import ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError:
            self._call("", self.client.create_bucket, Bucket=self.bucket)


def open_store(settings: Settings, url: str | None = None) -> LocalStore | S3Store:
    """The store named by `url` (or the settings' store URL)."""
    url = url or settings.resolved_store_url()
    parsed = urlparse(url)
    if parsed.scheme == "s3":
        if not parsed.netloc:
            raise BadInputError(url, "has no bucket name", "use s3://BUCKET[/PREFIX]")
        return S3Store(parsed.netloc, parsed.path, settings.s3_endpoint_url, settings.s3_region)
    if parsed.scheme == "file":
        return LocalStore(Path(unquote(parsed.path)))
    if parsed.scheme == "" and url:
        return LocalStore(Path(url))
    raise BadInputError(url, "is not a store URL", "use file:///path/to/folder or s3://bucket/prefix")


def delete_upload(store: Store, upload_id: str) -> list[str]:
    """Removes everything an upload left in the store (video, results, labels); returns the keys removed.

    The person's video and everything derived from it are theirs: one call
    removes them all, so no caller can forget a prefix.
    """
    removed = [key for prefix in upload_prefixes(upload_id) for key in list(store.list(prefix))]
    for key in removed:
        store.delete(key)
    return removed
