"""Staff pages of a hearing, under ``/<lang>/staff/<org>/participation/<pk>/hearing/`` (namespace ``hearing_staff``)."""

from django.urls import path

from kanava.participation.kinds.hearing import views_staff

urlpatterns = [
    path("", views_staff.overview, name="overview"),
    path("sections/new/", views_staff.section_edit, name="section_new"),
    path("sections/<int:section>/", views_staff.section_edit, name="section"),
    path("sections/<int:section>/images/", views_staff.image_add, name="image_add"),
    path("sections/<int:section>/documents/", views_staff.document_add, name="document_add"),
    path("sections/<int:section>/images/<int:image>/remove/", views_staff.image_remove, name="image_remove"),
    path("sections/<int:section>/documents/<int:document>/remove/", views_staff.document_remove,
         name="document_remove"),
    path("sections/<int:section>/record/", views_staff.record, name="record"),
    path("comments/<int:comment>/", views_staff.comment_detail, name="comment"),
    path("comments/<int:comment>/hide/", views_staff.comment_hide, name="comment_hide"),
    path("comments/<int:comment>/answer/", views_staff.comment_answer, name="comment_answer"),
]
