"""Language-neutral endpoints: the root redirect and the health check."""

from django.conf import settings
from django.db import connection
from django.http import HttpResponseRedirect, JsonResponse
from django.utils.translation import get_language_from_request
from django.views.decorators.cache import never_cache


def root(request):
    language = get_language_from_request(request, check_path=False)
    return HttpResponseRedirect(f"/{language}/")


def _database_ok() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone()[0] == 1


def _queue_ok() -> bool:
    if settings.TASK_BACKEND == "rq":
        import django_rq

        return bool(django_rq.get_connection("default").ping())
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.exists()
    return True


@never_cache
def healthz(request):
    """200 when the database and the task queue answer, 503 otherwise."""
    checks = {}
    for name, check in (("database", _database_ok), ("queue", _queue_ok)):
        try:
            checks[name] = "ok" if check() else "failing"
        except Exception as error:  # any failure means unhealthy, say which
            checks[name] = f"failing: {error.__class__.__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "failing", "checks": checks}, status=200 if healthy else 503)
