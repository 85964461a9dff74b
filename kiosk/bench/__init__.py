"""Performance figures measured the way the product runs (`kiosk bench`, script/bench), never
in unit tests: run.py (the runner and the display), tryon.py and hands.py (the try-on stage),
face.py, sync.py; stats.py the percentiles they all report."""
