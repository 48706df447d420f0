from django.urls import path

from kanava.channels.email import views

urlpatterns = [
    path("view/<int:message_id>/", views.web_version, name="web_version"),
]
