"""Staff pages of a survey under ``/<lang>/staff/<org>/participation/<pk>/survey/``."""

from django.urls import path

from kanava.participation.kinds.survey import staff_views

urlpatterns = [
    path("", staff_views.questions, name="questions"),
    path("questions/new/", staff_views.question_new, name="question_new"),
    path("questions/<int:question>/", staff_views.question_edit, name="question_edit"),
    path("questions/<int:question>/move/", staff_views.question_move, name="question_move"),
    path("questions/<int:question>/delete/", staff_views.question_delete, name="question_delete"),
    path("record/", staff_views.record, name="record"),
    path("responses/", staff_views.responses, name="responses"),
    path("responses/<int:response>/", staff_views.response_detail, name="response"),
]
