"""Facebook: posts on the organisation's Page, or on a voice's own public-figure Page.

How it fits together:

- ``graph.py``: the Graph API client both Meta channels share (Instagram
  imports it): API address and version from the channel's settings
  (``api_base_url``, ``graph_version``), Graph's errors as translated
  ChannelErrors, Meta's usage headers (``X-App-Usage``,
  ``X-Business-Use-Case-Usage``) read after every answer, and Facebook Login.
- ``adapter.py``: :class:`~kanava.channels.facebook.adapter.FacebookAdapter`.
  Text goes to ``/{page-id}/feed`` with a link to the message; images go up
  unpublished with their alternative text and are attached to one post (up
  to ten).  Facebook's limit is 63,206 characters, so nothing is split.
- Connecting: Facebook Login (``<auth_base_url>/<version>/dialog/oauth``),
  the code exchanged with the App Secret, then for a long-lived user token
  (about 60 days); the Page's own token from ``/me/accounts`` posts.  Meta
  has no refresh tokens: the health page warns two weeks before the user
  token runs out, and a person signs in again.  A personal profile cannot be
  posted to through the API (Meta removed that in 2018), so a voice's
  personal channel is their own public-figure Page.
- ``intake.py``: the inbox side.  Comments and replies under our recent
  posts (``filter=stream`` since the newest seen), Page messages when the
  connection allows ``pages_messaging``, replies under the comment or in
  Messenger, hiding, restoring and banning from the Page.  Graph has no
  idempotency key for comments: after a crash the reply is looked for by its
  exact text among the comment's replies.
- ``webhooks.py`` (mounted by ``hooks.py`` at ``/hooks/facebook/``, and at
  ``/hooks/instagram/``): Meta pushes comments and messages as they happen;
  the verification handshake answers the channel's *Webhook verify token*,
  every notification must carry ``X-Hub-Signature-256`` made with the
  channel's App Secret (else 403, nothing stored).  Polling goes on as well;
  the Graph id is the external id, so nothing is stored twice.
- Tests run against :class:`kanava.testing.platforms.meta.MetaServer`.
"""
