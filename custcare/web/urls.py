from django.urls import path

from custcare.web import views

app_name = "web"

urlpatterns = [
    path("", views.search, name="search"),
]
