"""Resident pages of an opinion map (being built: see the issue)."""

from django.http import Http404


def vote(request, process):
    raise Http404
