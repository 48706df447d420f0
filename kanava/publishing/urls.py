"""Staff pages for messages, under ``/<language>/staff/<org>/``.

Every view takes the ``org`` slug through ``staff_view`` and finds objects
within that organisation only.
"""

from django.urls import path

from kanava.publishing import (
    views_calendar, views_dashboard, views_editor, views_messages, views_review, views_voice,
)

app_name = "publishing"

urlpatterns = [
    path("", views_dashboard.dashboard, name="dashboard"),
    path("alerts/<int:pk>/resolve/", views_dashboard.alert_resolve, name="alert_resolve"),
    path("calendar/", views_calendar.calendar_view, name="calendar"),
    path("messages/", views_messages.message_list, name="message_list"),
    path("messages/new/", views_editor.message_create, name="message_create"),
    path("messages/check/", views_editor.message_check, name="message_check"),
    path("messages/<int:pk>/", views_messages.message_detail, name="message_detail"),
    path("messages/<int:pk>/edit/", views_editor.message_edit, name="message_edit"),
    path("messages/<int:pk>/check/", views_editor.message_check, name="message_check"),
    path("messages/<int:pk>/deliveries/", views_messages.message_deliveries, name="message_deliveries"),
    path("messages/<int:pk>/submit/", views_review.message_submit, name="message_submit"),
    path("messages/<int:pk>/approve/", views_review.message_approve, name="message_approve"),
    path("messages/<int:pk>/reject/", views_review.message_reject, name="message_reject"),
    path("messages/<int:pk>/comment/", views_review.message_comment, name="message_comment"),
    path("messages/<int:pk>/schedule/", views_review.message_schedule, name="message_schedule"),
    path("messages/<int:pk>/unschedule/", views_review.message_unschedule, name="message_unschedule"),
    path("messages/<int:pk>/publish/", views_review.message_publish, name="message_publish"),
    path("messages/<int:pk>/variants/<int:variant_pk>/", views_review.variant_edit, name="variant_edit"),
    path("messages/<int:pk>/variants/<int:variant_pk>/reset/", views_review.variant_reset, name="variant_reset"),
    # A voice's own pages, made for a phone: what waits for their approval.
    path("voice/", views_voice.voice_inbox, name="voice_inbox"),
    path("voice/<int:pk>/", views_voice.voice_message, name="message_voice"),
    path("voice/<int:pk>/approve/", views_voice.voice_approve, name="message_voice_approve"),
    path("voice/<int:pk>/reject/", views_voice.voice_reject, name="message_voice_reject"),
    path("voice/<int:pk>/publish/", views_voice.voice_publish, name="message_voice_publish"),
    path("voice/<int:pk>/schedule/", views_voice.voice_schedule, name="message_voice_schedule"),
    path("deliveries/<int:pk>/retry/", views_messages.delivery_retry, name="delivery_retry"),
    path("deliveries/<int:pk>/resolve/", views_messages.delivery_resolve, name="delivery_resolve"),
]
