from django.urls import path

from kanava.channels.print import views

urlpatterns = [
    path("<slug:org>/bulletins/<int:pk>/standard.pdf", views.download, name="standard"),
    path("<slug:org>/bulletins/<int:pk>/large.pdf", views.download, {"large": True}, name="large"),
    path("<slug:org>/preview/<int:message_id>/", views.preview, name="preview"),
]
