from django.contrib.auth import views as auth_views
from django.urls import path

from custcare.web import views

app_name = "web"

urlpatterns = [
    path("", views.search, name="search"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="web/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("persons/<str:person_id>/", views.person_page, name="person"),
    path("persons/<str:person_id>/history/", views.person_history, name="person_history"),
    path("accounts/<str:account_id>/", views.account_page, name="account"),
    path("accounts/<str:account_id>/history/", views.account_history, name="account_history"),
    path("contacts/new/", views.contact_add, name="contact_add"),
    path("contacts/new/type-fields/", views.contact_type_fields, name="contact_type_fields"),
    path("contacts/<str:contact_id>/", views.contact_detail, name="contact"),
    path("contacts/<str:contact_id>/log/", views.contact_log, name="contact_log"),
    path("contacts/<str:contact_id>/correct/", views.contact_correction, name="contact_correct"),
    path("contacts/<str:contact_id>/open-flag/", views.contact_open_flag, name="contact_open_flag"),
    path("establish/", views.establish, name="establish"),
    path("audit/", views.audit, name="audit"),
]
