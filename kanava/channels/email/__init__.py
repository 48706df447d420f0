"""The email channel: the newsletter out, and residents' mail into the inbox.

Configuration (``Channel.config``, see :class:`.config.EmailConfig`):
``from_name``, ``from_address``, ``reply_to``, ``list_id``, ``smtp_host``,
``smtp_port``, ``smtp_user``, ``smtp_tls`` (STARTTLS), ``smtp_ssl``,
``smtp_timeout`` and ``bounce_domain``; for the feedback mailbox
``imap_host``, ``imap_port``, ``imap_tls``, ``imap_user``, ``imap_folder``
and ``imap_sent_folder``.  Secrets (``Channel.secrets``): ``password``
(SMTP), ``webhook_secret`` (for the bounce webhook), ``imap_password`` and
``inbound_secret`` (for the inbound-mail endpoint).

Inbox: messages to the feedback address and replies to the newsletter (its
``Reply-To``) reach the inbox by polling the mailbox over IMAP
(:mod:`.mailbox`, a UID cursor; the mailbox is only read, never changed) or
pushed to ``POST /hooks/email/inbound/<token>/`` (:mod:`.inbound`); both
are read by :mod:`.intake` (threading by Message-ID, auto-replies and
bounces left out).  Answers go back by email from ``from_address`` under the
answering person's name, threaded under the resident's message
(:mod:`.answers`).  An answer whose SMTP connection broke after it was
handed over fails permanently with a message saying it may have arrived: it
is never sent twice automatically.

SMTP server: an empty ``smtp_host`` sends through the installation's own
server with the installation's ``EMAIL_*`` settings, user name and password.
A channel that names its own host uses its own user name and ``password``
only: the installation's credentials are never sent to another server.

Sender settings are checked when the channel is saved
(``EmailConfig.problems()``): no line breaks anywhere, one valid address in
``from_address`` (ASCII before the @, it is also the envelope sender) and
``reply_to`` (may be internationalised, ``viestintä@kunta.fi``), a
domain-like ``list_id`` and a valid ``bounce_domain``.  Settings saved
before these checks fail the delivery permanently before anyone is mailed.

Refusals: a 5xx to RCPT marks the subscriber bounced only when it says the
mailbox does not exist (enhanced status 5.1.x other than 5.1.7/5.1.8, or a
bare 550, 551 or 553).  Other refusals (5.7.x "relay access denied"...) fail
this message to this recipient only; 20 identical ones in a row stop the
batch with a permanent error naming the refusal and leave the rest queued.

Bounces: with ``bounce_domain`` set, every message goes out with the
envelope sender ``bounces+<token>@<bounce_domain>`` and the
``List-Unsubscribe`` mailto ``unsubscribe+<token>@<bounce_domain>``; route
mail for that domain to ``manage.py email_bounce`` (see its docstring; add
``--organisation <slug>`` to also accept bounces without a token, otherwise
they are refused).  Without it, bounces go to ``from_address`` and can be
posted to ``POST /hooks/email/<channel id>/bounce``, signed with the
channel's ``webhook_secret`` over ``<X-Kanava-Timestamp>.<body>`` and at
most five minutes old (see :mod:`.hooks`).
"""
