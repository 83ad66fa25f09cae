"""Hosting (seed 004): an offline channel promotes another observer who is
live; who qualifies, the auto-host job, and where a viewer is sent."""
