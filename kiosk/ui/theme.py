"""Sizes and colours readable at arm's length on an iPad-sized touchscreen."""

from __future__ import annotations

MIN_TOUCH_PX = 48
ACCENT = "#b8860b"

STYLESHEET = f"""
QWidget {{ font-size: 20px; color: #f4f1ea; background: #141414; }}
QPushButton {{
    min-height: {MIN_TOUCH_PX}px; min-width: {MIN_TOUCH_PX * 2}px; padding: 8px 24px;
    border-radius: 10px; background: {ACCENT}; color: #141414; font-weight: 600;
}}
QPushButton:pressed {{ background: #8a6508; }}
QLabel#title {{ font-size: 34px; font-weight: 700; }}
QLabel#subtitle {{ font-size: 20px; color: #c9c3b6; }}
QLabel#fine {{ font-size: 16px; color: #c9c3b6; }}
QLabel#banner {{
    background: rgba(176, 32, 32, 220); color: white; font-size: 22px; font-weight: 600;
    padding: 12px; border-radius: 8px;
}}
QFrame#problem {{ background: #2a2320; border-left: 6px solid #e05a47; border-radius: 6px; }}
QLabel#problemKey {{ font-family: monospace; font-size: 22px; font-weight: 700; color: #ffb199;
    background: transparent; }}
QLabel#problemMsg {{ font-size: 20px; background: transparent; }}
QLabel#mono {{ font-family: monospace; font-size: 18px; color: #c9c3b6; }}
QPushButton[secondary="true"] {{ background: #2c2a26; color: #f4f1ea; border: 2px solid #4a453d; }}
QPushButton[secondary="true"]:checked {{ background: {ACCENT}; color: #141414; border-color: #f4d58d; }}
QPushButton[tab="true"] {{ min-width: 0; padding: 6px 4px; font-size: 17px; }}
QLineEdit {{
    background: #23211e; border: 2px solid #4a453d; border-radius: 8px; padding: 6px 12px;
    font-size: 22px; min-height: 44px;
}}
QLineEdit:focus {{ border-color: {ACCENT}; }}
QToolButton {{
    background: #23211e; border: 2px solid #3a3631; border-radius: 10px; color: #f4f1ea;
    font-size: 15px; padding: 4px;
}}
QToolButton:checked {{ border: 3px solid {ACCENT}; background: #3a3122; }}
QLabel#error {{ color: #ff9a85; font-weight: 600; }}
QLabel#badge {{ background: {ACCENT}; color: #141414; padding: 10px; border-radius: 10px; font-weight: 700; }}
QScrollArea {{ border: none; }}
"""
