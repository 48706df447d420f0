"""Resident pages: the process list and page, follow, results, "you said, we did".  (Being built.)"""

from django.http import Http404


def _missing(*args, **kwargs):
    raise Http404


process_list = process_page = follow = stop_following = results = results_pdf = outcome = _missing
