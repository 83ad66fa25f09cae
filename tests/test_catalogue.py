"""Object names resolve through the OpenNGC catalogue."""

from __future__ import annotations

import pytest

from skyframe import catalogue


@pytest.mark.parametrize(
    "name",
    [
        "M31",
        "m 31",
        "M 31",
        "NGC224",
        "NGC 224",
        "ngc0224",
        "Andromeda Galaxy",
        "andromeda galaxy",
        "  Andromeda   Galaxy ",
    ],
)
def test_spellings_of_andromeda_are_one_object(name):
    found = catalogue.resolve(name)
    assert found is not None
    assert found.id == "NGC0224"
    assert found.name == "M 31"
    assert found.common_name == "Andromeda Galaxy"
    assert found.type == "Galaxy"
    assert found.constellation == "Andromeda"
    assert {"M 31", "NGC 224", "Andromeda Galaxy"} <= set(found.aliases)


@pytest.mark.parametrize(
    ("name", "object_id"),
    [
        ("M42", "NGC1976"),
        ("Orion Nebula", "NGC1976"),
        ("IC 434", "IC0434"),
        ("M45", "Mel022"),
        ("Horsehead Nebula", "B033"),
    ],
)
def test_other_objects_resolve(name, object_id):
    assert catalogue.resolve(name).id == object_id


@pytest.mark.parametrize("name", ["Jupiter", "Milky Way over the lake", "", "%", "M_31", "x" * 500])
def test_names_outside_the_catalogue_are_not_an_error(name):
    assert catalogue.resolve(name) is None


def test_suggestions_are_prefix_matches_capped_at_ten():
    assert [o.id for o in catalogue.suggest("Andro")] == ["NGC0224"]
    assert len(catalogue.suggest("N", limit=10)) <= 10
    assert catalogue.suggest("%") == []
    assert catalogue.suggest("_") == []
