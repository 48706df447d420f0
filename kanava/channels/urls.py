from django.urls import path

from kanava.channels import views

app_name = "channels"
urlpatterns = [
    path("", views.channel_list, name="list"),
    path("new/<slug:kind>/", views.channel_edit, name="create"),
    path("<int:pk>/", views.channel_edit, name="edit"),
]
