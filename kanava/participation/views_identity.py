"""Identification flows and "my data".  (Being built.)"""

from django.http import Http404


def _missing(*args, **kwargs):
    raise Http404


identify = my_data = _missing
