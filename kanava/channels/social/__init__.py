"""What the social platform channels share: text counting and threads, errors and rate limits,
tokens and OAuth, connection health, reach figures.  See :mod:`kanava.channels.social.adapter`."""
