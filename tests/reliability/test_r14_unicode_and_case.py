"""R14: tags equal up to normalisation and case are one tag; case-only slug clashes are errors."""

from __future__ import annotations

from sitekit import post


def test_cafe_spellings_share_one_tag_page(make_site, blog_cli):
    root = make_site({
        "content/posts/2024-05-01-a.md": post(title="A", tags=("Caf\u00e9",)),
        "content/posts/2024-05-02-b.md": post(title="B", date="2024-05-02", tags=("Cafe\u0301",)),
        "content/posts/2024-05-03-c.md": post(title="C", date="2024-05-03", tags=("CAF\u00c9",)),
    })
    result = blog_cli("-C", root, "build")
    assert result.code == 0, result.err
    tag_dirs = sorted(p.name for p in (root / "output/tags").iterdir() if p.is_dir())
    assert tag_dirs == ["cafe"]
    page = (root / "output/tags/cafe/index.html").read_text()
    assert all(f">{title}<" in page for title in "ABC")


def test_same_slug_from_files_differing_in_case_is_an_error(make_site, blog_cli):
    root = make_site({
        "content/posts/Hello.md": post(title="Upper"),
        "content/posts/hello.md": post(title="Lower"),
    })
    result = blog_cli("-C", root, "build")
    assert result.code == 1
    assert "content/posts/Hello.md" in result.err and "content/posts/hello.md" in result.err


def test_tag_python3_never_collides_with_page_3_of_python(make_site, blog_cli):
    files = {f"content/posts/2024-05-{d:02d}-p{d}.md": post(title=f"P{d}", date=f"2024-05-{d:02d}", tags=("python",)) for d in range(1, 8)}
    files["content/posts/2024-06-01-three.md"] = post(title="Three", date="2024-06-01", tags=("python3",))
    root = make_site(files, config='title = "t"\nbase_url = "https://x.org/"\nposts_per_page = 2\n')
    result = blog_cli("-C", root, "build")
    assert result.code == 0, result.err
    assert (root / "output/tags/python/page/3/index.html").is_file()
    python3 = (root / "output/tags/python3/index.html").read_text()
    assert ">Three<" in python3 and ">P1<" not in python3
