"""WSGI entry point: ``gunicorn wsgi:app`` (config from SKYFRAME_CONFIG)."""

import gc

from sqlalchemy.orm import configure_mappers

from skyframe import create_app

app = create_app()

# Python's full cycle collections walk every tracked object, inside whichever
# request happens to trigger one: they took 70–230 ms and made the feed's
# and the searches' p99.
# - What is alive now (modules, the app, its extensions, the configured ORM
#   mappers: ~145,000 objects) lives as long as the process: frozen, the
#   collector skips it (it is still freed normally if it ever goes). Garbage
#   is collected first so that none of it is frozen.
# - A worker filling its post JSON cache (api.presenters, 4,096 posts,
#   ~145,000 objects) triggered a full collection every ~10 middle-generation
#   passes: one every 100 leaves them rare (the young generations are still
#   collected as usual, in a few ms).
configure_mappers()
gc.collect()
gc.freeze()
_young, _middle, _ = gc.get_threshold()
gc.set_threshold(_young, _middle, 100)
