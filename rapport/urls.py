from django.urls import include, path, re_path

from rapport.api.urls import api, unknown_endpoint

urlpatterns = [
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", unknown_endpoint),
    path("", include("rapport.web.urls")),
]
