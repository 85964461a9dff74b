from __future__ import annotations

from django.conf import settings
from django.db import models


class Seller(models.Model):
    """The seed's seller profile (company_name, currency, city...): a "vendor" to buyers."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    company_name = models.CharField(max_length=200)
    currency = models.CharField(max_length=3, default="INR")
    city = models.CharField(max_length=100, blank=True)
    brand_color = models.CharField(max_length=7, blank=True)
    logo = models.ImageField(upload_to="logos/", blank=True)


class Category(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField()


class Product(models.Model):
    STATUSES = [(s, s) for s in ("draft", "active", "inactive", "archived")]

    seller = models.ForeignKey(Seller, related_name="products", on_delete=models.CASCADE)
    category = models.ForeignKey(Category, null=True, on_delete=models.SET_NULL)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    stock_quantity = models.PositiveIntegerField(default=0)
    sku = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=STATUSES, default="draft")
    # Jewelry needs what a generic shop has no column for: the piece's real width.
    attributes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]


class ProductImage(models.Model):
    product = models.ForeignKey(Product, related_name="images", on_delete=models.CASCADE)
    image = models.ImageField(upload_to="products/")
    is_primary = models.BooleanField(default=False)
