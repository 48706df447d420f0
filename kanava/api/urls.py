"""``/api/v1/``: the REST API, its OpenAPI schema and a docs page."""

from django.urls import include, path, re_path
from rest_framework.routers import SimpleRouter

from kanava.api import docs, views

app_name = "api"

router = SimpleRouter()
router.register("messages", views.MessageViewSet, basename="message")
router.register("deliveries", views.DeliveryViewSet, basename="delivery")
router.register("subscribers", views.SubscriberViewSet, basename="subscriber")

urlpatterns = [
    path("openapi.json", docs.SchemaView.as_view(), name="schema"),
    path("docs/", docs.docs_page, name="docs"),
    path("", include(router.urls)),
    path("participation/", include("kanava.participation.urls_api")),
    # Anything else under /api/v1/ answers in the API's error shape, not an HTML page.
    re_path(r"^.*$", docs.not_found, name="not_found"),
]
