from django.urls import path

from kanava.channels import views
from kanava.channels.social import views as social
from kanava.channels.social import views_reach, views_voice

app_name = "channels"
urlpatterns = [
    path("", views.channel_list, name="list"),
    path("new/<slug:kind>/", views.channel_edit, name="create"),
    path("<int:pk>/", views.channel_edit, name="edit"),
    path("<int:pk>/connect/", social.connect, name="connect"),
    path("<int:pk>/disconnect/", social.disconnect, name="disconnect"),
    path("health/", social.health, name="health"),
    path("by-hand/", social.by_hand, name="by_hand"),
    path("mine/", views_voice.my_accounts, name="my_accounts"),
    path("reach/", views_reach.reach, name="reach"),
    path("reach/export.csv", views_reach.reach_export, name="reach_export"),
]
