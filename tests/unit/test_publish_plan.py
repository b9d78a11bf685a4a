"""The shared plan: comparison by content key, the deletion guard, target choice, what is printed."""

from __future__ import annotations

from pathlib import Path

import pytest

from blog.config import PublishTarget
from blog.publish import PublishReport, UnknownTarget, choose_target, format_report
from blog.publish.plan import LocalFile, LocalSite, Plan, PublishError, check_deletes, diff, format_plan, format_size


def test_diff_sorts_paths_into_new_changed_unchanged_and_deleted():
    local = {"index.html": "h1", "b.html": "h2", "new.html": "h3", "static/x.css": "h4"}
    remote = {"index.html": "h1", "b.html": "old", "static/x.css": None, "gone.html": "h5", "a/gone.html": "h6"}
    assert diff(local, remote, base="tip") == Plan(
        new=("new.html",),
        changed=("b.html", "static/x.css"),  # an unknown remote hash is sent again
        unchanged=("index.html",),
        deleted=("a/gone.html", "gone.html"),
        base="tip",
    )


def test_protected_top_level_entries_are_never_deleted_but_can_be_replaced():
    remote = {"CNAME": "c", ".nojekyll": "n", ".git/config": "g", "docs/CNAME": "d"}
    plan = diff({"CNAME": "new"}, remote)
    assert plan.changed == ("CNAME",)
    assert plan.deleted == ("docs/CNAME",)


def test_an_identical_target_gives_an_empty_plan():
    plan = diff({"a": "1", "b": "2"}, {"a": "1", "b": "2"})
    assert plan.is_empty and plan.uploads == () and plan.unchanged == ("a", "b")


def test_uploads_are_new_and_changed_in_path_order():
    assert Plan(new=("b", "d"), changed=("a", "c")).uploads == ("a", "b", "c", "d")


@pytest.mark.parametrize("deletes, limit, confirmed, stops", [(3, 3, False, False), (4, 3, False, True), (4, 3, True, False), (1, 0, False, True), (0, 0, False, False)])
def test_the_deletion_guard(deletes: int, limit: int, confirmed: bool, stops: bool):
    plan = Plan(deleted=tuple(f"f{i}" for i in range(deletes)))
    if stops:
        with pytest.raises(PublishError, match=f"deletes {deletes} files, more than max_deletes = {limit}"):
            check_deletes(plan, limit, confirmed)
    else:
        check_deletes(plan, limit, confirmed)


def test_the_default_limit_is_256():
    assert PublishTarget("web", "/srv/www", "folder").max_deletes == 256


def targets(*names: str) -> tuple[PublishTarget, ...]:
    return tuple(PublishTarget(name, f"/srv/{name}", "folder") for name in names)


def test_choosing_a_target():
    assert choose_target(targets("only"), None).name == "only"
    assert choose_target(targets("a", "b"), "b").name == "b"
    with pytest.raises(UnknownTarget, match="no publish targets configured"):
        choose_target((), None)
    with pytest.raises(UnknownTarget, match=r"several publish targets \(a, b\); name one: blog publish a"):
        choose_target(targets("a", "b"), None)
    with pytest.raises(UnknownTarget, match="no publish target named 'c'; configured: a, b"):
        choose_target(targets("a", "b"), "c")


def test_sizes_for_people():
    assert [format_size(n) for n in (0, 1023, 1024, 1536, 5 * 1024**2, 3 * 1024**3)] == [
        "0 B", "1023 B", "1.0 KiB", "1.5 KiB", "5.0 MiB", "3.0 GiB",
    ]


def test_the_plan_summary_and_listing():
    site = LocalSite(Path("/out"), (LocalFile("a.html", "0" * 64, 2048), LocalFile("b.html", "1" * 64, 10)))
    plan = Plan(new=("a.html",), changed=("b.html",), unchanged=("c.html",), deleted=("old.html",))
    head = "Plan for web (s3://b/x): 1 new, 1 changed, 1 unchanged, 1 to delete; 2.0 KiB to upload"
    assert format_plan(plan, site, "web (s3://b/x)", listing=False) == head
    assert format_plan(plan, site, "web (s3://b/x)", listing=True) == "\n".join(
        [head, "  + a.html", "  ~ b.html", "  - old.html"]
    )


def test_the_final_summary():
    report = PublishReport("web", uploaded=3, deleted=1, unchanged=40, bytes=3000, seconds=0.5, dry_run=False)
    assert format_report(report) == "Published to web in 0.50 s: 3 uploaded (2.9 KiB), 1 deleted, 40 unchanged"
    idle = PublishReport("web", 0, 0, 44, 0, 0.1, False)
    assert format_report(idle) == "Nothing to publish: web is up to date (44 files unchanged)."
    assert format_report(PublishReport("web", 0, 0, 44, 0, 0.1, True)) == "Dry run: nothing was changed."
