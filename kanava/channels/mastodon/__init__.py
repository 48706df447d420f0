"""Mastodon: statuses on the organisation's account, or on a voice's own, on any Mastodon server.

How it fits together:

- ``adapter.py``: :class:`~kanava.channels.mastodon.adapter.MastodonAdapter`
  uses Mastodon.py, set to raise on rate limits (never to sleep in a worker)
  and to give up after 20 seconds; its exceptions become translated
  ``ChannelError``s (401: reconnect; 429: the channel pauses until
  ``X-RateLimit-Reset``; 5xx and lost connections: retried; 422: the server's
  reason, permanent).
- Connecting: the connect page asks for the server address.  Each Mastodon
  server has its own apps, so Kanava registers itself there
  (``POST /api/v1/apps``) the first time, keeps ``client_id`` in the
  channel's settings and ``client_secret`` with its secrets, and remembers in
  ``platform_state["app"]`` which server and callback address the app was
  made for and with which scopes (a new server address, or new scopes,
  register again).  Then OAuth with PKCE,
  scopes ``read:accounts read:statuses write:statuses write:media
  read:notifications write:blocks write:reports``.  Tokens
  do not expire and there are no refresh tokens.  The account is named
  ``@user@domain`` with the server's own domain (``/api/v2/instance``).
- Limits come from the server at run time (``configuration.statuses``:
  ``max_characters``, ``max_media_attachments``,
  ``characters_reserved_per_url``), read when connecting and by the health
  check; 500 characters and 4 images until then.  Every link counts as 23.
  A longer text goes out as a thread (each part replying to the previous one,
  with the same visibility and language) or as the shortened variant with a
  link.
- No duplicates: each part is posted with an ``Idempotency-Key``, so a retry
  within Mastodon's hour gets the status it already made; after a crash,
  :meth:`~kanava.channels.mastodon.adapter.MastodonAdapter.find` reads the
  account's recent statuses for the same text replying to the same status.
- Reach: ``GET /api/v1/statuses/:id`` for each post, a few at a time:
  favourites are reactions, boosts shares, replies comments (the thread's own
  second part is not counted); Mastodon does not count views.
- The inbox (``inbox.py``, mixed into the adapter): mention notifications
  (``GET /api/v1/notifications?types[]=mention``, read on with ``min_id``),
  which bring replies to our posts and direct messages (visibility
  ``direct``); a conversation's thread is its root status (the context's
  first ancestor).  The HTML of a status becomes plain text.  Answers reply
  with the resident's visibility and handle and the reply's key as
  ``Idempotency-Key``; after a crash the status's context is read for the
  answer.  Moderation: block and report (with the reason); Mastodon has no
  hiding or banning of others' replies.  Connecting asks for
  ``read:notifications``, ``write:blocks`` and ``write:reports`` as well:
  accounts connected before are told to reconnect when polled.
- Tests run against :class:`kanava.testing.platforms.mastodon.MastodonServer`
  (``add_reply``, ``add_mention``, ``add_direct`` play residents).
"""
