"""LinkedIn: posts on the organisation's page, or on a voice's own profile.

How it fits together:

- ``adapter.py``: :class:`~kanava.channels.linkedin.adapter.LinkedInAdapter`,
  plain HTTP (requests) against LinkedIn's versioned REST API: every call
  sends ``LinkedIn-Version`` (the channel's ``api_version``) and
  ``X-Restli-Protocol-Version: 2.0.0``.  LinkedIn serves a version for about
  a year; when it answers 426 the channel says so and the lead enters a newer
  one in the channel settings.
- Connecting: OAuth 2.0 (three-legged, no PKCE for web apps) at
  ``<auth_base_url>/oauth/v2/...``.  Access tokens last 60 days, refresh
  tokens 365 days; a refresh gives a new access token but neither a new
  refresh token nor a longer life for it, so after a year a person must
  reconnect (the health page warns two weeks ahead).
- An organisation channel posts as ``urn:li:organization:<organization_id>``
  (the first page the connecting person administers when left empty); a
  voice's personal channel posts as the member who connected it.
- Text: LinkedIn's "little text format" reserves ``\\ | { } @ [ ] ( ) < > # * _ ~``;
  Kanava escapes them (keeping ``#hashtags``), so what readers see is
  exactly the variant's text.  The 3,000-character limit counts that text.
- Reach: ``organizationalEntityShareStatistics`` for page posts (20 posts
  per request), ``socialActions`` per post for personal ones.
- The inbox (``inbox.py``): comments and replies on our posts come in
  through the Comments API, answers go back as the page (or the voice),
  under the resident's comment; LinkedIn offers a page no way to hide a
  comment, so moderation happens in Kanava only.
- Tests run against :class:`kanava.testing.platforms.linkedin.LinkedInServer`.
"""
