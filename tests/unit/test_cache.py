"""The build cache: exact round trips, persistence, and a damaged cache treated as empty."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timedelta, timezone
from importlib import metadata
from types import MappingProxyType
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from blog.cache import (
    LIBRARIES,
    BuildCache,
    clean,
    decode_post,
    decode_rendered,
    digest,
    encode_post,
    encode_rendered,
    installed_version,
    rendered_row,
    rendered_value,
)
from blog.model import Post, Rendered, TocItem


def sample_post() -> Post:
    berlin = ZoneInfo("Europe/Berlin")
    extra = MappingProxyType({
        "series": ("a", "b"),
        "when": date(2024, 1, 2),
        "at": datetime(2024, 1, 2, 3, 4, tzinfo=timezone(timedelta(hours=5))),
        "nested": MappingProxyType({"k": (1, 2.5, None, True)}),
    })
    return Post(
        source="content/posts/x.md", kind="post", title="T", date=datetime(2024, 10, 27, 2, 30, tzinfo=berlin),
        updated=None, tags=("python", "Café"), slug="x", url="/blog/x/", summary=None, draft=False,
        image=None, description="d", template=None, body="Body\n", body_line=5, extra=extra,
    )


def test_post_round_trip_is_exact():
    post = sample_post()
    data = encode_post(post)
    assert "body" not in data  # it is cut from the source again (content.body_of)
    again = decode_post(json.loads(json.dumps(data)), post.body)
    assert again == post
    assert again.date.tzinfo == ZoneInfo("Europe/Berlin")
    assert again.date.utcoffset() == post.date.utcoffset()
    assert isinstance(again.extra["series"], tuple)
    assert isinstance(again.extra["nested"], MappingProxyType)


def test_rendered_round_trip_is_exact():
    rendered = Rendered("<p>x</p>", "<p>x</p>", True, (TocItem(2, "a", "A", (TocItem(3, "b", "B"),)),))
    assert decode_rendered(encode_rendered(rendered)) == rendered


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(alphabet='<p>"\\\n\r\u2028é\U0001f600x', max_size=20), st.text(alphabet='<\n"é', max_size=8), st.booleans(),
       st.text(alphabet='"\n\\x', max_size=5))
def test_a_rendering_comes_back_from_its_row_exactly(html: str, excerpt: str, has_more: bool, title: str) -> None:
    rendered = Rendered(html, excerpt, has_more, (TocItem(2, "id", title),))
    assert decode_rendered(rendered_value(rendered_row(encode_rendered(rendered)))) == rendered


@pytest.mark.parametrize("row", ["", "no line", "[1,0,false,[]]\n", "[0,0,false,[]]\nx", "{}\nx", "[1,0,false,[]]\nxy"])
def test_a_rendering_row_that_is_not_one_does_not_decode(row: str) -> None:
    with pytest.raises(ValueError):
        rendered_value(row)


def test_renderings_persist_across_instances(tmp_path):
    rendered = encode_rendered(Rendered('<p class="a">x\ny</p>', "<p>x</p>", False))
    cache = BuildCache.for_site(tmp_path)
    cache.put("rendered", "r", rendered)
    cache.close()
    again = BuildCache.for_site(tmp_path)
    assert again.get("rendered", "r") == rendered
    again.close()


def test_digest_separates_parts():
    assert digest("ab", "c") != digest("a", "bc")


def test_values_persist_across_instances(tmp_path):
    cache = BuildCache.for_site(tmp_path)
    cache.put("parsed", "k", [1, "two"])
    cache.close()
    again = BuildCache.for_site(tmp_path)
    assert again.get("parsed", "k") == [1, "two"]
    assert again.get_many("parsed", ["k", "missing"]) == {"k": [1, "two"]}
    assert again.warnings == ()
    again.close()


def test_rows_written_in_batches_land_together_at_commit(tmp_path, monkeypatch):
    monkeypatch.setattr("blog.cache.WRITE_BATCH", 10)
    cache = BuildCache.for_site(tmp_path)
    for n in range(5):
        cache.put("derived", f"k{n}", ["x" * 8, n])  # each row is over the batch size
    reader = sqlite3.connect(tmp_path / ".blog-cache" / "cache.sqlite3")
    assert reader.execute("SELECT count(*) FROM derived").fetchone() == (0,)  # written, not committed
    cache.put("notes", "last", [])  # under the batch size: written by the commit itself
    cache.commit()
    assert reader.execute("SELECT count(*) FROM derived").fetchone() == (5,)
    assert reader.execute("SELECT count(*) FROM notes").fetchone() == (1,)
    reader.close()
    cache.close()
    again = BuildCache.for_site(tmp_path)
    assert again.get_many("derived", [f"k{n}" for n in range(5)]) == {f"k{n}": ["x" * 8, n] for n in range(5)}
    again.close()


def test_a_batch_that_cannot_be_written_costs_only_its_rows(tmp_path, monkeypatch):
    monkeypatch.setattr("blog.cache.WRITE_BATCH", 10)
    cache = BuildCache.for_site(tmp_path)
    locker = sqlite3.connect(tmp_path / ".blog-cache" / "cache.sqlite3", timeout=0)
    locker.execute("BEGIN IMMEDIATE")  # another process writing: this one's batch fails as busy
    cache._db.execute("PRAGMA busy_timeout=0")
    cache.put("derived", "lost", ["x" * 8])
    locker.execute("ROLLBACK")
    locker.close()
    cache.put("derived", "kept", ["y" * 8])
    cache.close()
    again = BuildCache.for_site(tmp_path)
    assert again.get_many("derived", ["lost", "kept"]) == {"kept": ["y" * 8]}
    again.close()


def test_disabled_cache_keeps_nothing_on_disk(tmp_path):
    cache = BuildCache.for_site(tmp_path, enabled=False)
    cache.put("parsed", "k", 1)
    cache.close()
    assert not (tmp_path / ".blog-cache").exists()


def test_corrupt_cache_is_empty_with_a_warning(tmp_path):
    folder = tmp_path / ".blog-cache"
    folder.mkdir()
    (folder / "cache.sqlite3").write_bytes(b"this is not a database" * 100)
    cache = BuildCache.for_site(tmp_path)
    assert len(cache.warnings) == 1
    assert "starting with an empty cache" in cache.warnings[0].message
    cache.put("parsed", "k", 1)
    cache.close()
    assert BuildCache.for_site(tmp_path).get("parsed", "k") == 1


def test_foreign_schema_is_replaced(tmp_path):
    folder = tmp_path / ".blog-cache"
    folder.mkdir()
    db = sqlite3.connect(folder / "cache.sqlite3")
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("INSERT INTO meta VALUES ('schema', 'someone-else-9')")
    db.commit()
    db.close()
    cache = BuildCache.for_site(tmp_path)
    assert "another version" in cache.warnings[0].message
    assert cache.get("parsed", "anything") is None
    cache.close()


def test_undecodable_row_counts_as_missing(tmp_path):
    cache = BuildCache.for_site(tmp_path)
    cache.put("parsed", "k", 1)
    cache.close()
    db = sqlite3.connect(tmp_path / ".blog-cache/cache.sqlite3")
    db.execute("UPDATE parsed SET value = '{broken' WHERE key = 'k'")
    db.commit()
    db.close()
    assert BuildCache.for_site(tmp_path).get("parsed", "k") is None


def test_clean_removes_the_folder(tmp_path):
    BuildCache.for_site(tmp_path).close()
    assert clean(tmp_path) is True
    assert not (tmp_path / ".blog-cache").exists()
    assert clean(tmp_path) is False


def test_prune_forgets_unused_rows_once_they_dominate(tmp_path):
    cache = BuildCache.for_site(tmp_path)
    for number in range(300):
        cache.put("derived", f"old-{number}", number)
    cache.prune()  # first build: every row was used
    cache.put("derived", "new", 1)
    assert cache.get("derived", "old-1") == 1  # used again in this "build"
    cache.prune()
    cache.close()
    again = BuildCache.for_site(tmp_path)
    assert again.get("derived", "new") == 1
    assert again.get("derived", "old-1") == 1
    assert again.get("derived", "old-2") is None
    again.close()


def test_prune_judges_by_the_live_rows_it_is_told_of(tmp_path):
    cache = BuildCache.for_site(tmp_path)
    for number in range(300):
        cache.put("derived", f"feed-{number}", number)
    cache.prune()
    assert cache.get("derived", "feed-1") == 1  # an edit reads one feed's row only
    cache.prune(live={"derived": 300})  # but a full build would read all 300: nothing goes
    cache.put("derived", "feed-new", 1)
    cache.prune(live={"derived": 50})  # now 301 rows are more than twice 50 and the slack
    cache.close()
    again = BuildCache.for_site(tmp_path)
    assert again.get("derived", "feed-new") == 1
    assert again.get("derived", "feed-1") is None and again.get("derived", "feed-2") is None
    again.close()


@pytest.mark.parametrize("name", LIBRARIES)
def test_installed_versions_are_importlib_metadatas(name):
    assert installed_version(name) == metadata.version(name)


def test_a_project_name_is_compared_as_packaging_does(tmp_path, monkeypatch):
    (tmp_path / "Some_Project-2.0.dist-info").mkdir()
    monkeypatch.syspath_prepend(str(tmp_path))
    assert installed_version("some.project") == "2.0"
    assert installed_version("no-such-project-anywhere") is None
