"""The feed's knobs, read once from the app's configuration."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any


@dataclass(frozen=True)
class FeedSettings:
    page_size: int = 10
    fresh_days: int = 30  # 0: no window
    prioritized_pct: int = 60
    candidate_multiplier: int = 3
    max_per_uploader: int = 3  # 0: no cap
    max_consecutive_per_uploader: int = 1  # 0: no cap
    seen_enabled: bool = True
    seen_retention_days: int = 30  # 0: kept until the cap pushes them out
    seen_max_ids: int = 5000  # 0: no cap
    prefetch_pages: int = 4  # pages of candidates fetched ahead (with a cache)
    prefetch_seconds: int = 900  # how long they are kept

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> FeedSettings:
        return cls(
            page_size=config["FEED_PAGE_SIZE"],
            fresh_days=config["FEED_FRESH_DAYS"],
            prioritized_pct=config["FEED_PRIORITIZED_PCT"],
            candidate_multiplier=config["FEED_CANDIDATE_MULTIPLIER"],
            max_per_uploader=config["FEED_MAX_PER_UPLOADER"],
            max_consecutive_per_uploader=config["FEED_MAX_CONSECUTIVE_PER_UPLOADER"],
            seen_enabled=config["FEED_SEEN_ENABLED"],
            seen_retention_days=config["FEED_SEEN_RETENTION_DAYS"],
            seen_max_ids=config["FEED_SEEN_MAX_IDS"],
            prefetch_pages=config["FEED_PREFETCH_PAGES"],
            prefetch_seconds=config["FEED_PREFETCH_SECONDS"],
        )

    def fresh_from(self, now: datetime) -> datetime | None:
        """Oldest upload time the pools consider (None: no window)."""
        return now - timedelta(days=self.fresh_days) if self.fresh_days else None

    def seen_from(self, now: datetime) -> datetime | None:
        """Oldest impression that still counts as seen (None: all of them)."""
        if not self.seen_retention_days:
            return None
        return now - timedelta(days=self.seen_retention_days)
