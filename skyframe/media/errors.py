from __future__ import annotations


class MediaError(Exception):
    """The file cannot be accepted; the message is written for the uploader."""
