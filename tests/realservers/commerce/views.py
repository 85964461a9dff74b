"""Seed 002 views. The serializers are built without a request in their context (as much
DRF code does), so every ImageField is the relative ``/media/...`` path, not a URL.

Authentication is SimpleJWT's JWTAuthentication everywhere, public reads included: DRF
authenticates before it checks permissions, so an expired token sent to a public endpoint
is a 401 there too."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer
from rest_framework_simplejwt.views import TokenObtainPairView

from tests.realservers.commerce.models import Category, Product, ProductImage, Seller


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "slug"]


class ImageSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProductImage
        fields = ["id", "image", "is_primary"]


class SellerBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Seller
        fields = ["id", "company_name"]


class VendorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Seller
        fields = ["id", "company_name", "currency", "city", "brand_color", "logo"]


class ProductSerializer(serializers.ModelSerializer):
    category = CategorySerializer()
    images = ImageSerializer(many=True)
    seller = SellerBriefSerializer()

    class Meta:
        model = Product
        fields = ["id", "name", "description", "price", "stock_quantity", "status", "sku", "category",
                  "attributes", "images", "seller", "created_at", "updated_at"]


def listed(qs: Any) -> list[dict[str, Any]]:
    return list(ProductSerializer(qs.select_related("category", "seller").prefetch_related("images"),
                                  many=True).data)


class LoginSerializer(TokenObtainPairSerializer):
    username_field = "email"

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = super().validate(attrs)
        data["user"] = {"id": self.user.pk, "email": self.user.email, "first_name": self.user.first_name}
        return data


class LoginView(TokenObtainPairView):
    serializer_class = LoginSerializer
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "commerce_login"


class PublicView(APIView):
    permission_classes = [AllowAny]


class PublicList(PublicView):
    def get(self, request: Request) -> Response:
        qs = Product.objects.filter(status="active")
        if category := request.query_params.get("category"):
            qs = qs.filter(category_id=category) if category.isdigit() else qs.filter(category__slug=category)
        if search := request.query_params.get("search"):
            qs = qs.filter(name__icontains=search)
        return Response(listed(qs))


class PublicDetail(PublicView):
    def get(self, request: Request, product_id: int) -> Response:
        product = get_object_or_404(Product, pk=product_id, status="active")
        return Response(ProductSerializer(product).data)


class PublicVendor(PublicView):
    """ "Vendor info + their products"."""

    def get(self, request: Request, vendor_id: int) -> Response:
        seller = get_object_or_404(Seller, pk=vendor_id)
        return Response({"vendor": VendorSerializer(seller).data,
                         "products": listed(seller.products.filter(status="active"))})


class OwnProducts(APIView):
    """The signed-in seller's own products (``?status=draft`` for drafts); IsAuthenticated."""

    def get(self, request: Request) -> Response:
        qs = Product.objects.filter(seller__user=request.user)
        if st := request.query_params.get("status"):
            qs = qs.filter(status=st)
        return Response(listed(qs))
