"""What `blog serve` keeps between builds: reused while its key holds, dropped once unused."""

from __future__ import annotations

import jinja2

from blog.model import Rendered
from blog.resident import Resident


def test_template_environment_is_reused_until_its_key_changes():
    resident, made = Resident(), []

    def make() -> jinja2.Environment:
        made.append(jinja2.Environment())
        return made[-1]

    first = resident.env("templates-1", make)
    assert resident.env("templates-1", make) is first
    second = resident.env("templates-2", make)
    assert second is not first and len(made) == 2


def test_values_the_last_build_did_not_use_are_forgotten():
    resident = Resident()
    resident.parsed = {"old": (None, ()), "kept": (None, ())}
    resident.rendered = {"old": (Rendered("<p>a</p>", "<p>a</p>", False), ()), "kept": (Rendered("", "", False), ())}
    table = resident.rendered
    resident.keep_parsed(["kept", "new"])
    resident.keep_rendered(["kept"])
    assert list(resident.parsed) == ["kept"]
    assert list(resident.rendered) == ["kept"]
    assert resident.rendered is table  # what a build adds later (lazily read renderings) must land here
