"""Incremental builds: a rebuild from the cache always equals a cold build, and does no more work
than it must (unchanged files keep their bytes and modification time)."""

from __future__ import annotations

import base64
import json
import shutil
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jinja2
import pytest
from jinja2.bccache import bc_magic

from blog import theme, themefiles
from blog.build import build
from blog.cache import BuildCache
from blog.config import load_config
from blog.errors import BuildError
from blog.model import BuildOptions
from blog.resident import Resident
from conftest import DEFAULT_CONFIG, snapshot, write_files
from sitekit import post

NOW = datetime(2025, 1, 1, tzinfo=timezone.utc)


def incremental(root: Path, **options) -> dict[str, bytes]:
    build(load_config(root), BuildOptions(now=NOW, **options))
    return snapshot(root / "output")


def served(root: Path, store: BuildCache, resident: Resident) -> dict[str, bytes]:
    """A rebuild as `blog serve` runs it: one open cache and one `Resident` across builds."""
    target = root.parent / "served"
    build(load_config(root), BuildOptions(now=NOW, output_dir=target), cache=store, resident=resident)
    return snapshot(target)


def cold(root: Path, target: Path) -> dict[str, bytes]:
    if target.exists():
        shutil.rmtree(target)
    build(load_config(root), BuildOptions(now=NOW, cache=False, output_dir=target))
    return snapshot(target)


def mtimes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def test_no_change_rebuild_touches_nothing(make_site):
    root = make_site({f"content/posts/2024-01-0{d}-p{d}.md": post(title=f"P{d}", date=f"2024-01-0{d}") for d in range(1, 4)})
    first = incremental(root)
    before = mtimes(root / "output")
    report = build(load_config(root), BuildOptions(now=NOW))
    assert report.written == 0 and report.removed == 0
    assert snapshot(root / "output") == first
    assert mtimes(root / "output") == before


def test_edit_rewrites_only_changed_files(make_site, tmp_path):
    root = make_site({f"content/posts/2024-01-0{d}-p{d}.md": post(title=f"P{d}", date=f"2024-01-0{d}", tags=(f"t{d}",)) for d in range(1, 4)})
    incremental(root)
    before = mtimes(root / "output")
    (root / "content/posts/2024-01-01-p1.md").write_text(post(title="P1", date="2024-01-01", tags=("t1",), body="New words.\n"))
    after = incremental(root)
    assert after == cold(root, tmp_path / "cold")
    changed = {path for path, mtime in mtimes(root / "output").items() if before.get(path) != mtime}
    assert "blog/p1/index.html" in changed
    assert "blog/p3/index.html" not in changed
    assert "tags/t3/index.html" not in changed


def test_output_tampering_is_repaired(make_site, tmp_path):
    root = make_site({"content/posts/2024-01-01-a.md": post()})
    good = incremental(root)
    (root / "output/blog/a/index.html").write_text("vandalised")
    (root / "output/stray.txt").write_text("not ours")
    assert incremental(root) == good


def test_future_post_appears_when_due(make_site):
    root = make_site({"content/posts/2024-01-01-a.md": post(), "content/posts/2025-06-01-later.md": post(title="Later", date="2025-06-01")})
    build(load_config(root), BuildOptions(now=NOW))
    assert not (root / "output/blog/later").exists()
    build(load_config(root), BuildOptions(now=datetime(2025, 7, 1, tzinfo=timezone.utc)))
    assert (root / "output/blog/later/index.html").is_file()


def test_template_change_is_picked_up(make_site):
    root = make_site({"content/posts/2024-01-01-a.md": post(), "templates/post.html": '{% extends "theme/post.html" %}\n'})
    incremental(root)
    (root / "templates/post.html").write_text('{% extends "theme/post.html" %}{% block content %}CUSTOM{% endblock %}\n')
    assert b"CUSTOM" in incremental(root)["blog/a/index.html"]


THEME_TEMPLATES = themefiles.PACKAGED_THEMES / themefiles.DEFAULT_THEME / "templates"


def counting_compiles(monkeypatch) -> list[Path]:
    """The files of the templates Jinja compiles from now on."""
    compiled: list[Path] = []
    real = jinja2.Environment.compile

    def compile(self, source, name=None, filename=None, *args, **kwargs):
        compiled.append(Path(filename))
        return real(self, source, name, filename, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", compile)
    return compiled


def test_templates_are_compiled_again_only_when_they_change(make_site, monkeypatch, tmp_path):
    root = make_site({"content/posts/2024-01-01-a.md": post(), "templates/post.html": '{% extends "theme/post.html" %}\n'})
    compiled = counting_compiles(monkeypatch)
    incremental(root)
    assert {root / "templates/post.html", THEME_TEMPLATES / "post.html", THEME_TEMPLATES / "base.html"} <= set(compiled)
    compiled.clear()
    (root / "content/posts/2024-01-01-a.md").write_text(post(body="Edited.\n"))
    assert b"Edited." in incremental(root)["blog/a/index.html"]
    assert compiled == []  # every template the edit needs comes compiled from the cache
    (root / "templates/post.html").write_text('{% extends "theme/post.html" %}{% block content %}CUSTOM{% endblock %}\n')
    assert b"CUSTOM" in incremental(root)["blog/a/index.html"]
    assert compiled == [root / "templates/post.html"]
    assert snapshot(root / "output") == cold(root, tmp_path / "cold")


@pytest.mark.parametrize(
    "damage", [b"j2 not base64 at all", base64.b64encode(bc_magic + b"\x80 not a pickle")], ids=["not-base64", "not-a-pickle"]
)
def test_damaged_compiled_templates_are_compiled_again(make_site, monkeypatch, tmp_path, damage):
    root = make_site({"content/posts/2024-01-01-a.md": post()})
    incremental(root)
    with sqlite3.connect(root / ".blog-cache/cache.sqlite3") as db:
        changed = db.execute("UPDATE templates SET value = ?", (json.dumps(damage.decode("latin-1")),)).rowcount
    assert changed > 0
    compiled = counting_compiles(monkeypatch)
    (root / "content/posts/2024-01-01-a.md").write_text(post(body="Edited.\n"))
    assert b"Edited." in incremental(root)["blog/a/index.html"]
    assert THEME_TEMPLATES / "post.html" in compiled
    assert snapshot(root / "output") == cold(root, tmp_path / "cold")


def test_an_edit_keeps_the_derived_results_of_the_feeds_it_does_not_remake(make_site):
    tags = [f"topic{n}" for n in range(12)]
    root = make_site({
        f"content/posts/2024-01-{1 + n % 28:02d}-p{n}.md": post(
            title=f"P{n}", date=f"2024-01-{1 + n % 28:02d}", tags=(tags[n % 12],),
            body=f"Intro {n}, [next](/blog/p{n + 1}/).\n\n<!-- more -->\n\nRest.\n",  # a link feeds make absolute
        )
        for n in range(120)
    })
    incremental(root)
    with sqlite3.connect(root / ".blog-cache/cache.sqlite3") as db:
        before = {key for (key,) in db.execute("SELECT key FROM derived")}
    (root / "content/posts/2024-01-01-p0.md").write_text(post(title="P0", date="2024-01-01", tags=("topic0",), body="Edited.\n"))
    incremental(root)
    with sqlite3.connect(root / ".blog-cache/cache.sqlite3") as db:
        after = {key for (key,) in db.execute("SELECT key FROM derived")}
    assert len(before) > 200  # more than twice what the edit reads, and the slack
    assert len(before - after) <= 2  # only the edited post's old summary and content may go


def test_feed_html_with_no_link_to_rewrite_is_not_stored(make_site):
    root = make_site({
        "content/posts/2024-01-01-a.md": post(title="A", body="Only [elsewhere](https://example.org/) and [a note](#n).\n"),
        "content/posts/2024-01-02-b.md": post(title="B", date="2024-01-02", body="See [A](/blog/a/).\n"),
    })
    incremental(root)
    with sqlite3.connect(root / ".blog-cache/cache.sqlite3") as db:
        stored = [json.loads(value) for (value,) in db.execute("SELECT value FROM derived")]
    rewritten = [value for value in stored if isinstance(value, str)]
    assert rewritten and all('href="https://blog.example.org/blog/a/"' in value for value in rewritten)


def test_corrupt_cache_still_builds_right(make_site, tmp_path):
    root = make_site({"content/posts/2024-01-01-a.md": post()})
    incremental(root)
    for file in (root / ".blog-cache").iterdir():
        if file.is_file():
            file.write_bytes(b"garbage" * 50)
    report = build(load_config(root), BuildOptions(now=NOW))
    assert any("empty cache" in w.message for w in report.warnings)
    assert snapshot(root / "output") == cold(root, tmp_path / "cold")


# --- the property: any sequence of edits, then incremental == cold ------------------------------

TITLES = st.sampled_from(["Alpha", "Beta", "Gamma", "Delta", "Epsilon"])
TAGS = st.lists(st.sampled_from(["python", "Python", "sqlite", "web", "Café", "cafe"]), max_size=3)
BODIES = st.sampled_from([
    "One paragraph.\n",
    "Intro.\n\n<!-- more -->\n\nRest.\n",
    "```python\nprint('x')\n```\n\nText after code.\n",
    "First.\n\nSecond with a footnote.[^1]\n\n[^1]: Note.\n",
])
DATES = st.sampled_from(["2024-01-01", "2024-02-02", "2024-03-03", "2026-01-01"])
NAMES = st.sampled_from(["a", "b", "c", "d"])

# An archive that shows what bodies render to, where the default one shows front matter only.
ARCHIVE_WITH_EXCERPTS = (
    "{% block content %}{% for year in archive %}{% for month in year.months %}{% for post in month.posts %}"
    "{{ post.title }}{{ post.excerpt }}{% endfor %}{% endfor %}{% endfor %}{% endblock %}"
)

EDITS = st.one_of(
    st.tuples(st.just("write"), NAMES, TITLES, TAGS, BODIES, DATES, st.booleans()),
    st.tuples(st.just("delete"), NAMES),
    st.tuples(st.just("rename"), NAMES, NAMES),
    st.tuples(st.just("config"), st.integers(min_value=1, max_value=3), st.sampled_from(["Read more...", "More →"])),
    st.tuples(st.just("template"), st.sampled_from(["", "{% block content %}{{ super() }}<p>v2</p>{% endblock %}"])),
    st.tuples(st.just("archive"), st.sampled_from(["", ARCHIVE_WITH_EXCERPTS])),
)


def apply(root: Path, edit: tuple) -> None:
    kind = edit[0]
    posts = root / "content/posts"
    if kind == "write":
        _, name, title, tags, body, date, draft = edit
        write_files(root, {f"content/posts/{name}.md": post(title=title, date=date, tags=tuple(tags), body=body, draft=draft)})
    elif kind == "delete":
        (posts / f"{edit[1]}.md").unlink(missing_ok=True)
    elif kind == "rename":
        source, target = posts / f"{edit[1]}.md", posts / f"{edit[2]}.md"
        if source.exists() and source != target:
            source.replace(target)
    elif kind == "config":
        (root / "blog.toml").write_text(DEFAULT_CONFIG + f"posts_per_page = {edit[1]}\nread_more_text = {edit[2]!r}\n".replace("'", '"'))
    elif kind == "archive":
        (root / "templates/archive.html").write_text('{% extends "theme/archive.html" %}' + edit[1] + "\n")
    else:
        (root / "templates/post.html").write_text('{% extends "theme/post.html" %}' + edit[1] + "\n")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(EDITS, min_size=1, max_size=6))
def test_incremental_equals_cold_after_any_edits(tmp_path_factory, edits):
    root = tmp_path_factory.mktemp("prop") / "site"
    write_files(root, {"blog.toml": DEFAULT_CONFIG, "templates/post.html": '{% extends "theme/post.html" %}\n', "content/posts/a.md": post(title="Alpha")})
    incremental(root)
    store, resident = BuildCache.for_site(root), Resident()
    served(root, store, resident)
    for number, edit in enumerate(edits):
        apply(root, edit)
        try:
            result = incremental(root)
        except Exception as exc:  # e.g. two posts with one slug: the cold build must fail the same way
            with pytest.raises(type(exc)):
                served(root, store, resident)
            try:
                cold(root, root.parent / "cold")
            except type(exc):
                continue
            raise
        assert result == cold(root, root.parent / "cold"), (number, edit)
        assert served(root, store, resident) == result, (number, edit)
    store.close()


def test_failed_build_leaves_no_stale_page_records(make_site, tmp_path):
    template = '{% extends "theme/post.html" %}{% block content %}{{ page.extra.needed }}{% endblock %}\n'
    root = make_site({
        "templates/post.html": template,
        "content/posts/2024-01-01-a.md": post(title="A", date="2024-01-01", tags=("a",), needed="x"),
        "content/posts/2024-01-02-b.md": post(title="B", date="2024-01-02", tags=("b",), needed="y"),
    })
    incremental(root)
    (root / "content/posts/2024-01-01-a.md").write_text(post(title="A changed", date="2024-01-01", tags=("a",), needed="x"))
    (root / "content/posts/2024-01-03-c.md").write_text(post(title="C", date="2024-01-03", tags=("c",)))  # fails the template
    try:
        build(load_config(root), BuildOptions(now=NOW))
    except BuildError:
        pass
    else:
        raise AssertionError("the build should have failed")
    (root / "content/posts/2024-01-03-c.md").unlink()
    assert incremental(root) == cold(root, tmp_path / "cold")


def test_a_list_page_showing_bodies_follows_body_edits(make_site, tmp_path):
    root = make_site({
        "templates/archive.html": '{% extends "theme/archive.html" %}' + ARCHIVE_WITH_EXCERPTS + "\n",
        "content/posts/2024-01-01-a.md": post(title="A", date="2024-01-01", body="Old words.\n"),
    })
    incremental(root)
    (root / "content/posts/2024-01-01-a.md").write_text(post(title="A", date="2024-01-01", body="New words.\n"))
    after = incremental(root)
    assert b"New words." in after["archive/index.html"]
    assert after == cold(root, tmp_path / "cold")


def test_a_body_edit_leaves_front_matter_pages_alone(make_site):
    """The default archive lists titles and dates only: a body edit keeps its fingerprint."""
    root = make_site({f"content/posts/2024-01-0{d}-p{d}.md": post(title=f"P{d}", date=f"2024-01-0{d}") for d in range(1, 4)})
    store = BuildCache.for_site(root)
    resident = Resident()
    served(root, store, resident)
    (root / "content/posts/2024-01-01-p1.md").write_text(post(title="P1", date="2024-01-01", body="Other words.\n"))
    rendered: list[str] = []
    original = theme.render_page

    def spy(env, route, site, config):
        rendered.append(route.output_path)
        return original(env, route, site, config)

    theme.render_page = spy
    try:
        served(root, store, resident)
    finally:
        theme.render_page = original
        store.close()
    assert "blog/p1/index.html" in rendered and "index.html" in rendered  # the page and the excerpt list
    assert "archive/index.html" not in rendered and "blog/p3/index.html" not in rendered


def test_a_failed_served_build_forgets_the_output_record(make_site):
    """After a failure the preview lists its folder again instead of trusting what it remembered."""
    root = make_site({"content/posts/2024-01-01-a.md": post(title="A", date="2024-01-01")})
    store, resident = BuildCache.for_site(root), Resident()
    first = served(root, store, resident)
    assert len(resident.outputs) == 1
    (root / "content/posts/2024-01-02-b.md").write_text("---\ntitle: [unclosed\n---\n")
    with pytest.raises(BuildError):
        served(root, store, resident)
    assert resident.outputs == {}
    (root / "content/posts/2024-01-02-b.md").unlink()
    assert served(root, store, resident) == first
    assert len(resident.outputs) == 1
    store.close()
