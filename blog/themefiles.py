"""Where a site's theme is, its static files, and the names the engine gives its templates.

Kept apart from `theme`, which renders pages with Jinja: a rebuild that finds nothing changed
still digests the templates and lists the theme's files, and must not import Jinja to do it.
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from .config import SiteConfig, key_positions
from .errors import BuildError, Diagnostic, error
from .model import StaticFile

PACKAGED_THEMES = Path(__file__).parent / "themes"
DEFAULT_THEME = "default"

# The HTML route kinds `theme` renders, and the template each uses unless the route names one.
TEMPLATES: Mapping[str, str] = MappingProxyType(
    {
        "index": "index.html",
        "tag": "tag.html",
        "tags": "tags.html",
        "archive": "archive.html",
        "post": "post.html",
        "page": "page.html",
        "404": "404.html",
    }
)
ENTRY_BODY = "entry.body"  # noted when a template reads what a post's Markdown body renders to


# --- finding the theme -------------------------------------------------------------------------


def theme_dir(config: SiteConfig) -> Path:
    """The site's own `themes/<name>` when it exists, else the theme shipped with the package."""
    name = config.theme
    if not name or name in (".", "..") or Path(name).name != name or "\\" in name:
        raise BuildError([_theme_error(config, f"theme: expected a folder name, got {name!r}")])
    for candidate in (config.root / "themes" / name, PACKAGED_THEMES / name):
        if candidate.is_dir():
            if not (candidate / "templates").is_dir():
                raise BuildError([_theme_error(config, f"theme: {name!r} has no templates/ folder")])
            return candidate
    known = sorted(p.name for p in PACKAGED_THEMES.iterdir() if (p / "templates").is_dir())
    message = f"theme: unknown theme {name!r}; put it in themes/{name}/ or use one of: {', '.join(known)}"
    raise BuildError([_theme_error(config, message)])


def _theme_error(config: SiteConfig, message: str) -> Diagnostic:
    """Point at the `theme =` line of the configuration file when it can be found."""
    line = col = None
    try:
        text = (config.root / config.config_path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        text = ""
    positions = key_positions(text)
    for key in (("theme",), ("tool", "blog", "theme")):
        if key in positions:
            line, col = positions[key]
            break
    return error(config.config_path, message, line, col)


def theme_static_files(config: SiteConfig) -> tuple[StaticFile, ...]:
    """The theme's `static/` files, bound for `static/<rel>`; hidden files are left out."""
    root = theme_dir(config)
    static = root / "static"
    if not static.is_dir():
        return ()
    files = []
    for path in static.rglob("*"):
        relative = path.relative_to(static)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            rel = relative.as_posix()
            files.append(StaticFile(f"themes/{config.theme}/static/{rel}", path, f"static/{rel}"))
    return tuple(sorted(files, key=lambda f: f.output_path))
