from django.urls import path

from custcare.web import central_views as views

app_name = "central"

urlpatterns = [
    path("accounts/<str:account_id>/", views.central_account, name="account"),
    path("persons/<str:person_id>/", views.central_person, name="person"),
    path("premises/<str:premise_id>/", views.central_premise, name="premise"),
    path("zones/alerts/", views.zone_alerts, name="alerts"),
    path("zones/timeline/", views.zone_timeline, name="timeline"),
    path("zones/contacts/", views.zone_contacts, name="contacts"),
    path("zones/todo/", views.zone_todo, name="todo"),
    path("zones/finance/", views.zone_finance, name="finance"),
    path("quick-contact/", views.quick_contact, name="quick_contact"),
]
