"""`blog serve` in a real browser: headless Chromium (Debian's) driven by Playwright.

Open a post; edit its Markdown on disk and the new text appears with no action in the browser;
break its front matter and the overlay appears; fix it and the overlay goes. A stylesheet change
is swapped in without reloading the page. A screenshot of each state goes to the test's tmp_path.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from blog.themefiles import PACKAGED_THEMES
from servekit import ServeProcess
from sitekit import post

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]
TIMEOUT_MS = 20_000

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip("Debian's chromium is not installed (.ci/run installs it)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


def write_post(path: Path, text: str) -> float:
    path.write_text(text, encoding="utf-8")
    return time.perf_counter()


def test_edit_break_and_fix_a_post_in_chromium(make_site, tmp_path):
    theme_css = (PACKAGED_THEMES / "default" / "static" / "style.css").read_text(encoding="utf-8")
    root = make_site({
        "content/posts/2024-07-01-live.md": post("Live post", date="2024-07-01", body="First version.\n"),
        "content/static/style.css": theme_css,  # the site's own copy of the theme's stylesheet
    })
    source = root / "content" / "posts" / "2024-07-01-live.md"
    shots = tmp_path / "screenshots"
    shots.mkdir()
    with ServeProcess(root) as serve, sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 700})
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(serve.url + "blog/live/")
            page.get_by_text("First version.").wait_for()
            page.wait_for_function("() => window.EventSource !== undefined")
            page.screenshot(path=shots / "1-opened.png")

            saved = write_post(source, post("Live post", date="2024-07-01", body="Second version, typed in an editor.\n"))
            page.get_by_text("Second version, typed in an editor.").wait_for()
            seconds = time.perf_counter() - saved
            page.screenshot(path=shots / "2-edited.png")
            assert page.locator("#blog-error-overlay").count() == 0

            source.write_text('---\ntitle: "Live post\ndate: 2024-07-01\n---\nBroken.\n', encoding="utf-8")
            overlay = page.locator("#blog-error-overlay")
            overlay.wait_for()
            assert re.search(r"content/posts/2024-07-01-live\.md:\d+:\d+: front matter: ", overlay.inner_text())
            assert page.get_by_text("Second version, typed in an editor.").is_visible()  # the last good build
            page.screenshot(path=shots / "3-broken.png")

            write_post(source, post("Live post", date="2024-07-01", body="Third version, fixed.\n"))
            page.get_by_text("Third version, fixed.").wait_for()
            overlay.wait_for(state="detached")
            page.screenshot(path=shots / "4-fixed.png")

            page.evaluate("() => { window.__notReloaded = true; }")
            css = root / "content" / "static" / "style.css"
            css.write_text(theme_css + "\nbody { background: rgb(1, 2, 3); }\n", encoding="utf-8")
            page.wait_for_function("() => getComputedStyle(document.body).backgroundColor === 'rgb(1, 2, 3)'")
            assert page.evaluate("() => window.__notReloaded === true")  # swapped, not reloaded
            page.screenshot(path=shots / "5-stylesheet.png")
        finally:
            browser.close()
    assert sorted(p.name for p in shots.iterdir()) == ["1-opened.png", "2-edited.png", "3-broken.png", "4-fixed.png", "5-stylesheet.png"]
    assert all((shots / name).stat().st_size > 1000 for name in os.listdir(shots))
    print(f"save → browser shows it: {seconds:.2f} s; screenshots in {shots}")
