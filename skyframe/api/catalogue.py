"""The deep-sky catalogue, for the upload form's object field."""

from __future__ import annotations

from skyframe import catalogue
from skyframe.api import bp
from skyframe.api.contract import operation
from skyframe.api.schemas import CatalogueItem, CatalogueSuggestions, SuggestQuery


@bp.get("/catalogue/suggest")
@operation(tags=["catalogue"], returns=CatalogueSuggestions, query=SuggestQuery)
def suggest_objects(query: SuggestQuery):
    """Up to 10 catalogue objects matching a designation or the start of a common name."""
    found = catalogue.suggest(query.q)
    return CatalogueSuggestions(
        items=[
            CatalogueItem(
                id=o.id,
                name=o.name,
                common_name=o.common_name,
                type=o.type,
                constellation=o.constellation,
                aliases=list(o.aliases),
            )
            for o in found
        ]
    )
