"""The deep-sky catalogue, for the upload form's object field."""

from __future__ import annotations

from skyframe import catalogue
from skyframe.api.blueprint import bp
from skyframe.api.contract import operation
from skyframe.api.presenters import catalogue_item
from skyframe.api.schemas.posts import CatalogueSuggestions, SuggestQuery


@bp.get("/catalogue/suggest")
@operation(tags=["catalogue"], returns=CatalogueSuggestions, query=SuggestQuery)
def suggest_objects(query: SuggestQuery):
    """Up to 10 catalogue objects matching a designation or the start of a common name."""
    return CatalogueSuggestions(items=[catalogue_item(o) for o in catalogue.suggest(query.q)])
