"""Staff pages of the claims register and FAQ entries, under ``staff/<org>/claims/``."""

from django.urls import path

from kanava.inbox import views_claims as views

app_name = "claims"
urlpatterns = [
    path("", views.claim_list, name="list"),
    path("new/", views.claim_create, name="create"),
    path("<int:pk>/", views.claim_detail, name="detail"),
    path("<int:pk>/edit/", views.claim_edit, name="edit"),
    path("<int:pk>/publish/", views.claim_publish, name="publish"),
    path("<int:pk>/unpublish/", views.claim_unpublish, name="unpublish"),
    path("<int:pk>/match/", views.claim_match, name="match"),
    path("answers/", views.faq_list, name="faq_list"),
    path("answers/new/", views.faq_create, name="faq_create"),
    path("answers/<int:pk>/", views.faq_edit, name="faq_edit"),
    path("answers/<int:pk>/delete/", views.faq_delete, name="faq_delete"),
]
