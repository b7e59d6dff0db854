"""fittrack.storage.store: the same small interface over a local folder and a real S3 API (moto's server)."""

from __future__ import annotations

import os

import pytest

from fittrack.errors import BadInputError, StoreKeyMissing
from fittrack.settings import Settings
from fittrack.storage.store import LocalStore, S3Store, check_key, open_store

from ..services import S3_CREDENTIALS, free_port


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return LocalStore(tmp_path / "store")
    endpoint = request.getfixturevalue("s3_endpoint")
    os.environ.update(S3_CREDENTIALS)
    s3 = S3Store(f"store-test-{free_port()}", "some/prefix", endpoint_url=endpoint, region="us-east-1")
    s3.ensure_bucket()
    return s3


def test_objects_round_trip_with_their_metadata_and_are_listed_by_prefix(store, tmp_path):
    store.put_bytes("rows/a.parquet", b"A", metadata={"label": "squat"})
    source = tmp_path / "video.mp4"
    source.write_bytes(b"V" * 1000)
    store.put_file("videos/squat/v.mp4", source)
    assert store.get_bytes("rows/a.parquet") == b"A"
    info = store.head("rows/a.parquet")
    assert info is not None and info.size == 1 and info.metadata["label"] == "squat"
    assert sorted(store.list("rows/")) == ["rows/a.parquet"]
    assert sorted(store.list()) == ["rows/a.parquet", "videos/squat/v.mp4"]
    store.get_file("videos/squat/v.mp4", tmp_path / "back.mp4")
    assert (tmp_path / "back.mp4").read_bytes() == source.read_bytes()


def test_a_second_write_replaces_the_first_and_a_deleted_object_is_gone(store):
    store.put_bytes("rows/a.parquet", b"first")
    store.put_bytes("rows/a.parquet", b"second")
    assert store.get_bytes("rows/a.parquet") == b"second" and list(store.list("rows/")) == ["rows/a.parquet"]
    store.delete("rows/a.parquet")
    assert not store.exists("rows/a.parquet") and store.head("rows/a.parquet") is None
    with pytest.raises(StoreKeyMissing, match="rows/a.parquet"):
        store.get_bytes("rows/a.parquet")


@pytest.mark.parametrize("key", ["", "/etc/passwd", "../outside", "rows/../../x", "rows//a", "rows\\a", "./a"])
def test_keys_that_could_leave_the_store_are_refused(key):
    with pytest.raises(BadInputError, match="is not a valid store key"):
        check_key(key)


def test_a_local_store_leaves_no_temporary_files_beside_its_objects(tmp_path):
    store = LocalStore(tmp_path / "store")
    for i in range(5):
        store.put_bytes(f"rows/{i}.parquet", b"x" * i, metadata={"i": str(i)})
    assert sorted(store.list("rows/")) == [f"rows/{i}.parquet" for i in range(5)]
    assert not [p for p in (tmp_path / "store").rglob("*") if "tmp" in p.name]


@pytest.mark.parametrize(("url", "kind"), [("file:///tmp/x", LocalStore), ("/tmp/x", LocalStore)])
def test_store_urls_choose_the_store(tmp_path, url, kind):
    assert isinstance(open_store(Settings(home=tmp_path), url), kind)


@pytest.mark.parametrize(("url", "problem"), [("s3://", "has no bucket name"), ("ftp://host/x", "is not a store URL")])
def test_bad_store_urls_say_what_to_write(tmp_path, url, problem):
    with pytest.raises(BadInputError, match=problem):
        open_store(Settings(home=tmp_path), url)
