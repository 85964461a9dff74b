"""Seed 001 views as a DRF project writes them: APIViews with SessionAuthentication (CSRF
enforced on unsafe methods), ModelSerializers, the seed's error shapes where the seed gives
them and DRF's own ``{"detail"}`` everywhere else (403, 415, 429)."""

from __future__ import annotations

import json
import math
from typing import Any

from django.contrib.auth import authenticate, login
from rest_framework import generics, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from tests.realservers.persons.models import Event, Person


class Faults:
    """Test hooks: the next N creates fail after the person is saved (see person_joined)."""

    broadcast_failures = 0


FAULTS = Faults()


def person_joined(person: Person) -> None:
    """Seed 001's "person_joined" WebSocket event, sent after the save has committed.

    When it fails the client gets a 500 although the person exists: the ambiguous outcome
    a server without Idempotency-Key gives the kiosk.
    """
    if FAULTS.broadcast_failures > 0:
        FAULTS.broadcast_failures -= 1
        raise ConnectionError("channel layer unavailable")


class VectorField(serializers.Field):
    """The seed's ``"vector": "[0.1, 0.2, ...]"``: a JSON string in, a list out."""

    def to_internal_value(self, data: Any) -> list[float]:
        try:
            values = json.loads(data) if isinstance(data, str) else data
        except ValueError:
            raise serializers.ValidationError("Must be a JSON array of 128 numbers.") from None
        if (not isinstance(values, list) or len(values) != 128
                or not all(isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)
                           for x in values)):
            raise serializers.ValidationError("Must be a JSON array of 128 numbers.")
        return [float(x) for x in values]

    def to_representation(self, value: Any) -> Any:
        return value


class PersonSerializer(serializers.ModelSerializer):
    # Declared as DRF's plain CharField: allow_null=False, allow_blank=False.
    full_name = serializers.CharField(max_length=255, required=False)
    phone_number = serializers.CharField(max_length=20, required=False)
    gender = serializers.CharField(max_length=50, required=False)
    emotion = serializers.CharField(max_length=50, required=False)
    body_type = serializers.CharField(max_length=50, required=False)
    vector = VectorField(required=False)
    # The seed's answer shows "image": "people/person.jpg": the stored name, not a URL.
    image = serializers.ImageField(use_url=False, required=False)

    class Meta:
        model = Person
        fields = ["id", "full_name", "phone_number", "vector", "image", "age", "gender", "emotion",
                  "body_type", "entry_time", "exit_time"]


class PersonListSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "full_name", "phone_number", "age", "gender", "emotion", "body_type",
                  "entry_time", "exit_time", "created_at", "updated_at"]


class SeedPagination(PageNumberPagination):
    """PageNumberPagination answering exactly the shape seed 001 shows."""

    page_size = 10
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_paginated_response(self, data: Any) -> Response:
        page = self.page
        assert page is not None
        return Response({
            "count": page.paginator.count,
            "total_pages": page.paginator.num_pages,
            "current_page": page.number,
            "page_size": page.paginator.per_page,
            "has_next": page.has_next(),
            "has_previous": page.has_previous(),
            "next_page": page.next_page_number() if page.has_next() else None,
            "previous_page": page.previous_page_number() if page.has_previous() else None,
            "results": data,
        })


def invalid(errors: Any) -> Response:
    return Response({"error": "Invalid data provided", "details": errors}, status=status.HTTP_400_BAD_REQUEST)


class LoginView(APIView):
    authentication_classes: list[type] = []      # no session yet, so no CSRF check either
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "person_login"

    def post(self, request: Request) -> Response:
        email, password = request.data.get("email"), request.data.get("password")
        user = authenticate(request._request, email=email, password=password)
        if user is None:
            return Response({"error": "Invalid email or password"}, status=status.HTTP_401_UNAUTHORIZED)
        login(request._request, user)        # sessionid cookie; rotates csrftoken
        return Response({"message": "Login successful",
                         "user": {"id": str(user.pk), "email": user.email, "first_name": user.first_name,
                                  "last_name": user.last_name, "is_verified": True}})


class SessionView(APIView):
    authentication_classes = [SessionAuthentication]
    permission_classes = [IsAuthenticated]


class PersonCreateView(SessionView):
    parser_classes = [MultiPartParser, FormParser]     # a JSON body gets DRF's 415

    def post(self, request: Request) -> Response:
        s = PersonSerializer(data=request.data)
        if not s.is_valid():
            return invalid(s.errors)
        person = s.save(organization=request.user)
        person_joined(person)
        return Response(PersonSerializer(person).data, status=status.HTTP_201_CREATED)


class PersonUpdateView(SessionView):
    def put(self, request: Request, person_id: str) -> Response:
        person = Person.objects.filter(pk=person_id, organization=request.user).first()
        if person is None:
            return Response({"error": "Person not found"}, status=status.HTTP_404_NOT_FOUND)
        s = PersonSerializer(person, data=request.data)        # PUT: not partial
        if not s.is_valid():
            return invalid(s.errors)
        s.save()
        return Response(PersonSerializer(person).data)


class PersonListView(generics.ListAPIView):
    authentication_classes = [SessionAuthentication]
    permission_classes = [IsAuthenticated]
    serializer_class = PersonListSerializer
    pagination_class = SeedPagination

    def get_queryset(self) -> Any:
        return Person.objects.filter(organization=self.request.user)


class EventsView(APIView):
    """Seed 000's ``POST /v1/events`` routed at ``v1/events/``, as Django projects route."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    def post(self, request: Request) -> Response:
        event = Event.objects.create(body=request.data)
        return Response({"status": "ok", "event_id": str(event.id)})
