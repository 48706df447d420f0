"""Staff pages of moderation, under ``/<lang>/staff/<org>/moderation/``."""

from django.urls import path

from kanava.inbox import views_moderation as views

app_name = "moderation"
urlpatterns = [
    path("", views.log, name="log"),
    path("export.csv", views.export, name="export"),
    path("rules/", views.rules, name="rules"),
    path("rules/new/", views.rule_new, name="rule_new"),
    path("rules/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/retire/", views.rule_retire, name="rule_retire"),
    path("rules/<int:pk>/reinstate/", views.rule_reinstate, name="rule_reinstate"),
    path("items/<int:pk>/", views.item, name="item"),
    path("decisions/<int:pk>/retry/", views.retry, name="retry"),
    path("appeals/", views.appeals, name="appeals"),
    path("appeals/<int:pk>/", views.appeal, name="appeal"),
]
