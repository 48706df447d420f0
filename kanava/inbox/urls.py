"""The staff inbox, mounted at staff/<org>/inbox/ (namespace "inbox")."""

from django.urls import path

from kanava.inbox import views_conversation, views_queue, views_settings

app_name = "inbox"
urlpatterns = [
    path("", views_queue.queue, name="list"),
    path("bulk/", views_queue.bulk, name="bulk"),
    path("record/", views_queue.record_feedback, name="record"),
    path("targets/", views_settings.targets, name="targets"),
    path("<int:pk>/", views_conversation.conversation, name="conversation"),
    path("<int:pk>/check/", views_conversation.check, name="check"),
    path("<int:pk>/reply/", views_conversation.reply, name="reply"),
    path("<int:pk>/answer-state/", views_conversation.answer_state, name="answer_state"),
    path("<int:pk>/details/", views_conversation.details, name="details"),
    path("<int:pk>/note/", views_conversation.note, name="note"),
    path("<int:pk>/kind/", views_conversation.correct, name="correct"),
]
