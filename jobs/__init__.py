"""Scheduled work on PTB's JobQueue (APScheduler 3): the daily sweep, catch-up, the digest."""
