from __future__ import annotations

import pytest

from kiosk.catalog.pieces import Catalog
from tests.helpers.handref import hands, reference  # noqa: F401  (fixtures the hand tests use)
from tests.helpers.photos import photo  # noqa: F401  (the tests here use it)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()
