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
- The inbox (``inbox.py``, mixed into the adapter): mentions
  (``GET /2/users/:id/mentions``), replies in the conversations under our
  posts of the last 30 days (recent search by ``conversation_id``, seven
  days back at most) and direct messages (``GET /2/dm_events``, left out
  when the connection or X's access level does not allow them), each with a
  ``since_id`` (direct messages: the newest id seen).  Answers go under the
  resident's post or into their direct-message conversation; a lost answer
  is found among the account's posts, never posted twice.  Moderation:
  hide and restore replies under our posts, block the writer (X offers
  blocking on its Enterprise access only); no reporting or banning.
  Connecting asks for ``tweet.moderate.write``, ``block.write``,
  ``dm.read`` and ``dm.write`` as well: accounts connected before must be
  reconnected for hiding, blocking and direct messages.
- Tests run against :class:`kanava.testing.platforms.x.XServer`
  (``add_reply``, ``add_mention``, ``add_direct`` play residents).
"""
