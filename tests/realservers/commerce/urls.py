from django.conf import settings
from django.urls import include, path, re_path
from django.views.static import serve
from rest_framework_simplejwt.views import TokenRefreshView, TokenVerifyView

from tests.realservers.commerce import views

api = [
    path("auth/login/", views.LoginView.as_view()),
    path("auth/token/refresh/", TokenRefreshView.as_view()),
    path("auth/token/verify/", TokenVerifyView.as_view()),
    path("products/", views.OwnProducts.as_view()),
    path("products/public/list/", views.PublicList.as_view()),
    path("products/public/vendor/<int:vendor_id>/", views.PublicVendor.as_view()),
    path("products/public/<int:product_id>/", views.PublicDetail.as_view()),
]

urlpatterns = [
    path("api/", include(api)),
    re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
]
