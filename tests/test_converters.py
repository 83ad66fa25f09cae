"""Ids in URLs are exactly the ones a database integer key can hold."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skyframe.web.converters import DATABASE_ID_PATTERN, DATABASE_INT_MAX

pytestmark = pytest.mark.one_database

MATCHES = re.compile(DATABASE_ID_PATTERN)


@given(st.integers(min_value=-10, max_value=10**12))
def test_pattern_matches_exactly_the_valid_ids(number):
    assert bool(MATCHES.fullmatch(str(number))) == (1 <= number <= DATABASE_INT_MAX)


@pytest.mark.parametrize("text", ["007", "+5", "1e3", "", " 1", "2147483647 "])
def test_pattern_refuses_odd_spellings(text):
    assert not MATCHES.fullmatch(text)


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
@pytest.mark.parametrize("post_id", ["2147483648", "0", "99999999999", "007"])
def test_out_of_range_ids_are_404_for_every_method(client, method, post_id):
    response = client.open(f"/api/v1/posts/{post_id}", method=method, json={})
    assert response.status_code == 404
