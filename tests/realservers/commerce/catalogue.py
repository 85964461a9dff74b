"""The seed-002 server's catalogue: the devcloud's products (the bundled jewelry, shot on
white as a shop photographs it), stored through the Django models and ImageFields."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile

from sync.devcloud.commerce import SELLER_LOGIN, VENDORS, _logo, _photo, _sample_products
from tests.realservers.commerce.models import Category, Product, ProductImage, Seller


def load() -> list[int]:
    """Vendors 7 and 9 with their active products, and vendor 7's drafts; returns every id."""
    user = get_user_model().objects.create_user(SELLER_LOGIN[0], SELLER_LOGIN[0], SELLER_LOGIN[1],
                                                first_name="Abharana")
    for vid, v in VENDORS.items():
        seller = Seller.objects.create(id=vid, user=user if vid == 7 else None,
                                       company_name=v["company_name"], currency=v["currency"], city=v["city"],
                                       brand_color=v["brand_color"])
        seller.logo.save(f"{vid}.png", ContentFile(_logo(v)))
    products = _sample_products()
    first = next(iter(products.values()))
    # The devcloud's draft: the first piece again, unpublished.
    products[900] = first | {"id": 900, "name": "Draft Kemp Jhumka", "status": "draft", "sku": "DRAFT-900",
                             "vendor_id": 7}
    for pid, p in products.items():
        c = p["category"]
        category, _ = Category.objects.get_or_create(id=c["id"],
                                                     defaults={"name": c["name"], "slug": c["slug"]})
        product = Product.objects.create(id=pid, seller_id=p["vendor_id"], category=category, name=p["name"],
                                         description=p["description"], price=Decimal(p["price"]),
                                         stock_quantity=p["stock_quantity"], sku=p["sku"], status=p["status"],
                                         attributes=p["attributes"])
        img = ProductImage(product=product, is_primary=True)
        img.image.save(f"{pid}.jpg", ContentFile(_photo(p["_asset"])))
    return sorted(products)
