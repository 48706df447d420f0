from django.urls import path

from kanava.channels.social import views as social
from kanava.core import views_root

urlpatterns = [
    path("", views_root.root, name="root"),
    path("healthz", views_root.healthz, name="healthz"),
    # One OAuth callback for every platform: the address registered with each platform's app.
    path("oauth/callback/", social.callback, name="oauth_callback"),
]
