"""The try-on clip: a few seconds of the live mirror, H.264 MP4 with the jeweler's strip."""
