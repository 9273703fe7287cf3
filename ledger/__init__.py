"""Pure domain of Duban: the rectification ledger (整改台账), deadlines and reminders.

Nothing here imports telegram, apscheduler or tinydb, and nothing reads the clock:
time is always passed in as an argument.
"""
