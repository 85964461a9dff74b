from django.conf import settings
from django.urls import include, path, re_path
from django.views.static import serve

from tests.realservers.persons import views

api = [
    path("auth/login/", views.LoginView.as_view()),
    path("client/person/", views.PersonCreateView.as_view()),
    path("client/person/<uuid:person_id>/", views.PersonUpdateView.as_view()),
    path("client/persons/", views.PersonListView.as_view()),
]

urlpatterns = [
    path("api/", include(api)),
    path("v1/events/", views.EventsView.as_view()),
    re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
]
