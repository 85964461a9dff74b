"""Sharing the try-on photo with the customer: branding, the download page, the LAN server."""
