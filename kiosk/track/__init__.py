"""Tracking stage: faces (MediaPipe face mesh with irises), shoulders (pose), person mask."""

from kiosk.track.base import FaceTrack, Needs, PoseTrack, Tracker, Tracking

__all__ = ["FaceTrack", "Needs", "PoseTrack", "Tracker", "Tracking"]
