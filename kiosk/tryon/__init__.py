"""Try-on: jewelry catalogue assets, placement from tracking, compositing, capture."""
