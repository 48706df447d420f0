"""The inbox pages (being written)."""

app_name = "inbox"
urlpatterns: list = []
