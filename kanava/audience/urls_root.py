app_name = "audience_root"
urlpatterns: list = []
