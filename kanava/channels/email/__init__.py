"""The email newsletter channel.

Configuration (``Channel.config``, see :class:`.adapter.EmailConfig`):
``from_name``, ``from_address``, ``reply_to``, ``list_id``, ``smtp_host``,
``smtp_port``, ``smtp_user``, ``smtp_tls`` (STARTTLS), ``smtp_ssl``,
``smtp_timeout`` (defaults from the ``EMAIL_*`` settings) and
``bounce_domain``.  Secrets (``Channel.secrets``): ``smtp_password`` and
``webhook_secret`` (for ``POST /hooks/email/bounce``).

Bounces: with ``bounce_domain`` set, every message goes out with the
envelope sender ``bounces+<token>@<bounce_domain>`` and the
``List-Unsubscribe`` mailto ``unsubscribe+<token>@<bounce_domain>``; route
mail for that domain to ``manage.py email_bounce`` (see its docstring).
Without it, bounces go to ``from_address`` and can be posted to the webhook.
"""
