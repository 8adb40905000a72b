"""To Do pages under /todo/: worklist, entries and their actions, supervisor summary and bulk work."""

from django.urls import path

from custcare.web import todo_views as views

app_name = "todo"

urlpatterns = [
    path("", views.worklist_page, name="worklist"),
    path("take-next/", views.take_next, name="take_next"),
    path("summary/", views.summary_page, name="summary"),
    path("bulk/", views.bulk_page, name="bulk"),
    path("<str:entry_id>/", views.entry_page, name="entry"),
    path("<str:entry_id>/assign/", views.entry_assign, name="assign"),
    path("<str:entry_id>/forward/", views.entry_forward, name="forward"),
    path("<str:entry_id>/send-back/", views.entry_send_back, name="send_back"),
    path("<str:entry_id>/note/", views.entry_note, name="note"),
    path("<str:entry_id>/complete/", views.entry_complete, name="complete"),
    path("<str:entry_id>/priority/", views.entry_priority, name="priority"),
]
