from django.urls import path

from rapport.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login, name="login"),
]
