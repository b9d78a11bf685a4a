"""The style sheet of highlighted code: a light Pygments style, and a dark one for dark colour schemes.

Apart from `markup` so that a build writes it without loading Markdown: a cold build renders
its posts in worker processes, and this one needs only Pygments' formatter for the sheet.
"""

from __future__ import annotations

import re
from typing import Mapping

from pygments.formatters import HtmlFormatter
from pygments.util import ClassNotFound

_RULE = re.compile(r"^(?P<selector>[^{]+?)\s*\{(?P<body>[^}]*)\}")


def _rules(style: str) -> dict[str, dict[str, str]]:
    """Pygments' rules for `style` as selector → declarations, all scoped under `.highlight`."""
    try:
        formatter = HtmlFormatter(style=style)
    except ClassNotFound:
        raise ValueError(f"unknown Pygments style {style!r}") from None
    rules: dict[str, dict[str, str]] = {}
    for line in formatter.get_style_defs(".highlight").splitlines():
        match = _RULE.match(line.strip())
        if not match:
            continue
        selector = match.group("selector")
        if not selector.startswith(".highlight"):
            selector = f".highlight {selector}"  # Pygments leaves `pre` and line numbers global
        declarations = (part.split(":", 1) for part in match.group("body").split(";") if ":" in part)
        rules.setdefault(selector, {}).update((k.strip(), v.strip()) for k, v in declarations)
    return rules


def _format_rules(rules: Mapping[str, Mapping[str, str]], indent: str = "") -> str:
    return "".join(
        f"{indent}{selector} {{ {'; '.join(f'{k}: {v}' for k, v in body.items())} }}\n"
        for selector, body in rules.items()
    )


def pygments_css(light_style: str, dark_style: str) -> str:
    """Style sheet for highlighted code: `light_style`, and `dark_style` for dark colour schemes.

    In the dark block every property the light style sets and the dark one does not is `unset`,
    so no light colour (say, a bold keyword or a red error border) bleeds into dark mode.
    """
    light, dark = _rules(light_style), _rules(dark_style)
    merged = {
        selector: {**{k: "unset" for k in light.get(selector, {}) if k not in dark.get(selector, {})}, **dark.get(selector, {})}
        for selector in [*light, *(s for s in dark if s not in light)]
    }
    return (
        f"/* Pygments styles: {light_style} (light), {dark_style} (dark) */\n"
        + _format_rules(light)
        + "@media (prefers-color-scheme: dark) {\n"
        + _format_rules(merged, "  ")
        + "}\n"
    )
