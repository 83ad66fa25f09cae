"""Media processing: recognising uploads, reading their capture metadata and
turning them into web renditions. Plain functions over local files; no Flask."""

from skyframe.media.errors import MediaError

__all__ = ["MediaError"]
