"""Staff pages for processes.  (Being built.)"""

from django.http import Http404


def _missing(*args, **kwargs):
    raise Http404


process_list = process_new = process_detail = _missing
