"""View counts (SPEC §4): a view is counted once per viewer per post per 24
hours, when an image was on screen or a clip played for at least two
seconds; the client reports them in batches.

- ``viewers``: whose view it is (user, signed visitor cookie, or address)
  and whether the request is a browser's;
- ``counting``: which reported views count (a read of the posts only);
- ``buffer``: where counted views wait (Redis, or memory in the embedded
  default), claimed once per viewer and post per day;
- ``flush``: the periodic job's work, moving them into ``posts.view_count``
  and ``users.view_count`` exactly.

See docs/views.md for why they are buffered.
"""
