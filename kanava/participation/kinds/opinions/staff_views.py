"""Staff pages of an opinion map."""

from django.shortcuts import render

from kanava.core.decorators import staff_view
from kanava.core.navigation import staff_context
from kanava.core.roles import Cap
from kanava.participation.kinds.opinions.models import Statement
from kanava.participation.lookups import staff_process

CURRENT = "participation_staff:list"


@staff_view(Cap.MANAGE_PARTICIPATION)
def statements(request, pk):
    process = staff_process(request, pk, "opinions")
    return render(request, "opinions/staff/statements.html", {
        **staff_context(request, current=CURRENT), "process": process,
        "statements": Statement.objects.filter(process=process).order_by("number"),
    })
