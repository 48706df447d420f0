"""Mounted at /<language>/channels/sms/ (namespace ``channel_sms_urls``)."""

from django.urls import path

from kanava.channels.sms import views

urlpatterns = [
    path("subscribe/", views.subscribe, name="subscribe"),
    path("unsubscribe/", views.unsubscribe, name="unsubscribe"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("done/<slug:outcome>/", views.done, name="done"),
    path("staff/<slug:org>/estimate/", views.estimate, name="estimate"),
]
