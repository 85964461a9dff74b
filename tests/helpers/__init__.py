"""Helpers shared by test modules in more than one place: a test module imports from here (or
from tests/fakes/, or its folder's conftest.py), never from another test module."""
