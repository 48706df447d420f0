"""Instagram: posts on the organisation's professional account, or on a voice's own.

How it fits together:

- ``adapter.py``: :class:`~kanava.channels.instagram.adapter.InstagramAdapter`,
  on the Graph API client of the Facebook channel
  (:mod:`kanava.channels.facebook.graph`).  A post is a container (one
  image, or a carousel of two to ten, each with its alternative text) that
  is published once Instagram has fetched and processed the images.
  Instagram fetches images itself from the site's public address, so they
  must be reachable from the internet.
- Limits: a caption of 2,200 characters, at least one image, and 100 posts
  through the API in any 24 hours (read from ``content_publishing_limit``
  before each post; a used-up quota waits, it does not fail).
- Connecting: the same Facebook Login as the Facebook channel; the
  Instagram account is the one linked to the chosen Page
  (``instagram_business_account``), and calls use the Page's token.
- ``intake.py``: the inbox side.  Comments and their replies on our recent
  posts (read whole each time: Instagram's comments edge has no ``since``),
  replies under the comment, hiding and restoring.  Instagram offers no ban
  through this API, and direct messages are not read.  Webhooks: the
  ``comments`` field arrives at ``/hooks/instagram/`` (or ``/hooks/facebook/``),
  see :mod:`kanava.channels.facebook.webhooks`.
- Tests run against :class:`kanava.testing.platforms.meta.MetaServer`.
"""
