"""The claims pages (being written)."""

app_name = "claims"
urlpatterns: list = []
