from django.urls import path

from kanava.channels.press import views

urlpatterns = [
    path("<slug:org>/contacts/", views.contacts, name="contacts"),
    path("<slug:org>/contacts/<int:pk>/deactivate/", views.deactivate, name="deactivate"),
    path("<slug:org>/contacts/<int:pk>/reactivate/", views.reactivate, name="reactivate"),
]
