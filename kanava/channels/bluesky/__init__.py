"""Bluesky: posts, threads, images and reach through the AT Protocol (see ``adapter.py``)."""
