"""Moderation: reports and their queue, warning labels, take-downs, strikes,
suspensions, and the audit log every staff action writes.

Plain functions over a session and values (the actor, ``now``, the source
door); who may do what is skyframe.policy's to say, and each action checks
it itself, so the HTML pages, the JSON API and the CLI cannot disagree.
"""
