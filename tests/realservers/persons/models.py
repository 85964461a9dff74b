from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Person(models.Model):
    """Seed 001's Person: everything but the id optional (``full_name?``, ``vector?``...).

    Text columns are nullable in the database (the list shows ``null`` until a name is given),
    but the serializer's CharFields keep DRF's defaults, which refuse null and "".
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    full_name = models.CharField(max_length=255, null=True, blank=True)
    phone_number = models.CharField(max_length=20, null=True, blank=True)
    vector = models.JSONField(null=True, blank=True)
    image = models.ImageField(upload_to="people/", null=True, blank=True)
    age = models.IntegerField(null=True, blank=True)
    gender = models.CharField(max_length=50, null=True, blank=True)
    emotion = models.CharField(max_length=50, null=True, blank=True)
    body_type = models.CharField(max_length=50, null=True, blank=True)
    entry_time = models.DateTimeField(null=True, blank=True)
    exit_time = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]


class Event(models.Model):
    """A seed-000 envelope as received (only the APPEND_SLASH behaviour is under test)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    body = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
