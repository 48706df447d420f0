"""The inbox_public pages (being written)."""

app_name = "inbox_public"
urlpatterns: list = []
