"""Checks of the corpus generator and the engine-site converters: `python -m pytest bench/test_corpus.py`."""

from __future__ import annotations

import ast
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402
import engines  # noqa: E402

POSTS = corpus.generate(300, seed=7)


def bodies() -> list[str]:
    return [post.text.split("---\n", 2)[2] for post in POSTS]


def test_same_seed_same_corpus_and_other_seed_other_corpus() -> None:
    assert corpus.generate(300, seed=7) == POSTS
    assert corpus.generate(300, seed=8) != POSTS


def test_write_site_is_byte_identical(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    corpus.write_site(corpus.generate(20, 3), first)
    corpus.write_site(corpus.generate(20, 3), second)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert len(files) == 21
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)


def test_python_blocks_parse_and_have_5_to_40_lines() -> None:
    blocks = [code for body in bodies() for lang, code in re.findall(r"```(\w+)\n(.*?)\n```", body, re.S) if lang == "python"]
    assert len(blocks) >= 300
    for code in blocks:
        ast.parse(code)
        assert 5 <= len(code.splitlines()) <= 40


def test_each_post_has_the_promised_shape() -> None:
    for post, body in zip(POSTS, bodies()):
        python_blocks = body.count("```python\n")
        prose = re.sub(r"```.*?```", "", body, flags=re.S)
        assert 1 <= python_blocks <= 4
        assert body.count(corpus.MORE_MARKER) == 1
        assert 600 <= len(prose.split()) <= 1800
        assert 3 <= body.count("\n## ") <= 6
        assert 1 <= len(post.tags) <= 4 and len(set(post.tags)) == len(post.tags)
        assert corpus.FIRST_DATE <= post.date <= corpus.LAST_DATE


def test_tags_are_skewed_and_slugs_unique() -> None:
    counts = Counter(tag for post in POSTS for tag in post.tags)
    assert counts["python"] > 5 * counts["pandas"]
    assert len({post.slug for post in POSTS}) == len(POSTS)


def test_edit_appends_a_new_sentence_to_the_newest_post(tmp_path: Path) -> None:
    corpus.write_site(corpus.generate(5, 1), tmp_path)
    posts_dir = tmp_path / "content" / "posts"
    before = {p: p.read_text(encoding="utf-8") for p in posts_dir.rglob("*.md")}
    edited = corpus.edit_one_post(posts_dir, 3)
    assert edited == max(before, key=lambda p: p.name)
    text = edited.read_text(encoding="utf-8")
    assert text.startswith(before[edited]) and text.endswith("(Edit 3.)\n")
    assert all(p.read_text(encoding="utf-8") == t for p, t in before.items() if p != edited)


def test_converted_front_matter_keeps_the_metadata(tmp_path: Path) -> None:
    post = POSTS[0]
    (tmp_path / "p.md").write_text(post.text, encoding="utf-8")
    read = engines.read_post(tmp_path / "p.md")
    assert (read.title, read.tags) == (post.title, post.tags)
    pelican = engines.pelican_post(engines.Post(read.title, read.date, read.tags, post.slug, read.body))
    assert pelican.startswith(f"Title: {post.title}\nDate: {post.date:%Y-%m-%d %H:%M}\nTags: {', '.join(post.tags)}\n")
    hugo = engines.hugo_post(engines.Post(read.title, read.date, read.tags, post.slug, read.body))
    assert f"date: {post.date:%Y-%m-%dT%H:%M}:00Z\n" in hugo and "<!--more-->" in hugo and "<!-- more -->" not in hugo
