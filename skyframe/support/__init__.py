"""Support: users' tickets to staff, and staff's work on them.

``states`` is the ticket state machine (a table, and the refusals of every
move it does not hold); ``tickets`` the actions (open, reply, assign,
escalate, close) and the listings (the owner's, and staff's views);
``appeals`` an owner's appeal of a take-down or a strike, which opens a
ticket for the managers, and a manager's decision on it.
"""
