"""The pages' Bootstrap stylesheet holds only the rules they can match
(scripts/make_bootstrap_css.py)."""

from __future__ import annotations

from pathlib import Path

from tests.scripts import load_script


def test_bootstrap_css_is_current_with_the_classes_the_pages_use():
    script = load_script("make_bootstrap_css")
    assert Path(script.OUTPUT).read_text() == script.render(), (
        "run scripts/make_bootstrap_css.py after using a new Bootstrap class"
    )


def test_unused_rules_are_dropped_and_used_ones_kept():
    script = load_script("make_bootstrap_css")
    css = ".btn{a:1}.carousel-item{b:2}@media (min-width:1px){.btn-sm{c:3}.carousel{d:4}}"
    kept = script.purge(css, {"btn", "btn-sm"}, set())
    assert kept == ".btn{a:1}@media (min-width:1px){.btn-sm{c:3}}"
    # A selector list keeps its matching selectors; :not() and element selectors need nothing.
    css = ".a,.b{x:1}body{y:2}.a:not(.z){w:3}"
    assert script.purge(css, {"a"}, set()) == ".a{x:1}body{y:2}.a:not(.z){w:3}"
    # Classes built in templates (alert-{{ category }}) are kept by prefix.
    assert script.purge(".alert-info{z:1}", set(), {"alert-"}) == ".alert-info{z:1}"


def test_the_stylesheet_is_a_fraction_of_bootstrap():
    script = load_script("make_bootstrap_css")
    full = (script.bootstrap_folder() / "css" / "bootstrap.min.css").stat().st_size
    assert Path(script.OUTPUT).stat().st_size < full / 2
