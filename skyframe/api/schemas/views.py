"""View reports: posts a viewer looked at, and for how long."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from skyframe.api.schemas.common import ID_MAX


class ViewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    post_id: Annotated[int, Field(ge=1, le=ID_MAX, strict=True)]
    seconds: Annotated[
        float,
        Field(
            ge=0,
            le=86400,
            strict=True,
            allow_inf_nan=False,
            description="How long the image was on screen or the clip played "
            "(a view counts from 2 s; a shorter clip played to its end: its length, rounded up).",
        ),
    ]


class ViewsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    views: list[ViewIn] = Field(min_length=1, max_length=100)


class ViewsOut(BaseModel):
    recorded: int = Field(
        description="How many views were newly counted (each viewer counts once per post "
        "per 24 hours; too short, own, unknown or hidden posts are skipped)."
    )
