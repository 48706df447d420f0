"""The facts pages (being written)."""

app_name = "facts"
urlpatterns: list = []
