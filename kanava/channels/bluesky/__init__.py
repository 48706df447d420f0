"""Bluesky: posts, threads, images and reach through the AT Protocol (see ``adapter.py``); the inbox's
replies, mentions, answers and moderation (see ``inbox.py``)."""
