"""X (formerly Twitter): posts and threads on the organisation's account, or on a voice's own.

How it fits together:

- ``adapter.py``: :class:`~kanava.channels.x.adapter.XAdapter`, using X's own
  Python SDK (``xdk``) pointed at the channel's ``api_base_url``; two reads
  that xdk sends with an undocumented parameter name go through ``requests``
  on the SDK's session (see the adapter's docstring).
- Length: X's weighted count (X's ``twitter-text``: most scripts 1, CJK and
  emoji 2, every link 23), at most 280.  Longer text becomes a thread
  (each part a reply to the one before) when the editor chooses so.
- Images: up to four, each uploaded with its alternative text in the post's
  language.
- Connecting: OAuth 2.0 with PKCE; authorisation at
  ``<auth_base_url>/i/oauth2/authorize``, tokens at
  ``<api_base_url>/2/oauth2/token`` with the app's credentials in HTTP
  Basic.  Access tokens last two hours; with ``offline.access`` a refresh
  token comes too and is replaced by a new one at every refresh (one
  process refreshes at a time: :mod:`kanava.channels.social.tokens`).
- Lost answers: before posting again the adapter looks for the post among
  the account's posts since the delivery began; X's "duplicate content"
  refusal counts as "already posted" only when that search finds the post.
- Rate limits: X's ``x-rate-limit-*`` headers; a 429 pauses the channel
  until ``x-rate-limit-reset``.
- Reach: ``public_metrics`` for 100 posts a request (impressions, likes,
  replies, reposts + quotes).
- Tests run against :class:`kanava.testing.platforms.x.XServer`.
"""
