app_name = "audience_staff"
urlpatterns: list = []
