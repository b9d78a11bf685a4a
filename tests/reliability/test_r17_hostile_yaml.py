"""R17: YAML tags and aliases are refused; tag lists keep their strings."""

from __future__ import annotations

import time

from sitekit import post

BOMB = """---
title: bomb
date: 2024-05-01
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
---
body
"""


def test_python_object_tag_is_rejected_without_side_effect(make_site, blog_cli, tmp_path):
    marker = tmp_path / "pwned"
    text = f'---\ntitle: !!python/object/apply:os.system ["touch {marker}"]\ndate: 2024-05-01\n---\nbody\n'
    root = make_site({"content/posts/2024-05-01-evil.md": text})
    result = blog_cli("-C", root, "build")
    assert result.code == 1
    assert "content/posts/2024-05-01-evil.md:2" in result.err
    assert not marker.exists()


def test_alias_bomb_is_rejected_quickly(make_site, blog_cli):
    root = make_site({"content/posts/2024-05-01-bomb.md": BOMB})
    started = time.monotonic()
    result = blog_cli("-C", root, "build")
    assert time.monotonic() - started < 1.0
    assert result.code == 1
    assert "content/posts/2024-05-01-bomb.md:" in result.err


def test_norway_and_version_tags_stay_strings(make_site, blog_cli):
    text = "---\ntitle: Versions\ndate: 2024-05-01\ntags: [no, 1.10, on]\n---\nbody\n"
    root = make_site({"content/posts/2024-05-01-v.md": text, "content/posts/2024-05-02-w.md": post(tags=("1.1",), date="2024-05-02")})
    result = blog_cli("-C", root, "build")
    if result.code == 0:
        page = (root / "output/blog/v/index.html").read_text()
        assert ">no<" in page and ">1.10<" in page and ">on<" in page
        assert ">False<" not in page and ">1.1<" not in page
    else:
        assert "content/posts/2024-05-01-v.md:4" in result.err
