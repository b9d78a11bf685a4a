"""blog.stylesheet: the light and dark highlighting rules, and a build that writes them without Markdown."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from blog.stylesheet import pygments_css


def test_pygments_css_has_light_rules_and_a_complete_dark_block() -> None:
    css = pygments_css("friendly", "github-dark")
    light, dark = css.split("@media (prefers-color-scheme: dark) {")
    assert ".highlight .k { color: #007020; font-weight: bold }" in light
    # friendly makes keywords bold and github-dark does not: the weight must not leak into dark
    assert ".highlight .k { font-weight: unset; color: #FF7B72 }" in dark
    assert ".highlight td.linenos .normal" in light and ".highlight .hll" in dark
    assert not re.search(r"^(?!\s*(?:\.highlight|@media|/\*|\}))", css.strip(), re.M)


def test_pygments_css_rejects_unknown_styles() -> None:
    with pytest.raises(ValueError, match="unknown Pygments style 'nope'"):
        pygments_css("friendly", "nope")


def test_the_style_sheet_is_made_without_loading_markdown() -> None:
    """A cold build renders in workers; its own process needs only Pygments for the sheet."""
    code = "import sys; from blog import stylesheet; stylesheet.pygments_css('friendly', 'monokai'); print(sorted(m for m in ('markdown', 'pymdownx', 'blog.markup') if m in sys.modules))"
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[2])
    assert shown.stdout.strip() == "[]"
