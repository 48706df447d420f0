"""The moderation pages (being written)."""

app_name = "moderation"
urlpatterns: list = []
