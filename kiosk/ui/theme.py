"""Sizes and colours readable at arm's length on an iPad-sized touchscreen. Scroll bars, where
a list still scrolls, are a finger wide with no 12 px arrows."""

from __future__ import annotations

MIN_TOUCH_PX = 48
ACCENT = "#b8860b"


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def accent_rules(accent: str) -> str:
    """The rules that carry the accent colour, the only place they are written: the app's style
    sheet ends with them for the default gold. Set on the visit's widgets with a jeweler's
    colour, they override the application's defaults there only, so choosing a jeweler restyles
    one subtree, not the app. Text on the colour is dark or light by its luminance, so any brand
    colour stays readable."""
    r, g, b = _rgb(accent)
    lum = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255
    on = "#141414" if lum > 0.45 else "#fff8e6"
    # about three quarters of the colour: the default gold presses to #8a6508
    pressed = "#{:02x}{:02x}{:02x}".format(*(int(c * 0.754) for c in (r, g, b)))
    return f"""
QPushButton {{ background: {accent}; color: {on}; }}
QPushButton:pressed {{ background: {pressed}; }}
QPushButton[secondary="true"] {{ background: #2c2a26; color: #f4f1ea; border: 2px solid #4a453d; }}
QPushButton[secondary="true"]:checked {{ background: {accent}; color: {on}; border-color: #f4d58d; }}
QLineEdit:focus {{ border-color: {accent}; }}
QToolButton:checked {{ border: 3px solid {accent}; background: #3a3122; }}
QLabel#badge {{ background: {accent}; color: {on}; }}
Switch {{ qproperty-accent: {accent}; }}
QPushButton:disabled, QPushButton[secondary="true"]:disabled {{
    background: #1e1d1a; color: #6f6a60; border: 2px solid #2c2a26; }}
"""

STYLESHEET = f"""
QWidget {{ font-size: 20px; color: #f4f1ea; background: #141414; }}
QPushButton {{
    min-height: {MIN_TOUCH_PX}px; min-width: {MIN_TOUCH_PX * 2}px; padding: 8px 24px;
    border-radius: 10px; font-weight: 600;
}}
QLabel#title {{ font-size: 34px; font-weight: 700; }}
QLabel#subtitle {{ font-size: 20px; color: #c9c3b6; }}
QLabel#fine {{ font-size: 16px; color: #c9c3b6; }}
QLabel#fieldLabel {{ font-size: 16px; color: #c9c3b6; }}
QLabel#banner {{
    background: rgba(176, 32, 32, 220); color: white; font-size: 22px; font-weight: 600;
    padding: 12px; border-radius: 8px;
}}
QFrame#problem {{ background: #2a2320; border-left: 6px solid #e05a47; border-radius: 6px; }}
QLabel#problemKey {{ font-family: monospace; font-size: 22px; font-weight: 700; color: #ffb199;
    background: transparent; }}
QLabel#problemMsg {{ font-size: 20px; background: transparent; }}
QLabel#mono {{ font-family: monospace; font-size: 18px; color: #c9c3b6; }}
QPushButton[tab="true"] {{ min-width: 0; padding: 6px 2px; font-size: 16px; }}
QLineEdit {{
    background: #23211e; border: 2px solid #4a453d; border-radius: 8px; padding: 6px 12px;
    font-size: 22px; min-height: 44px;
}}
QToolButton {{
    background: #23211e; border: 2px solid #3a3631; border-radius: 10px; color: #f4f1ea;
    font-size: 15px; padding: 4px;
}}
QLabel#error {{ color: #ff9a85; font-weight: 600; }}
QLabel#badge {{ padding: 10px; border-radius: 10px; font-weight: 700; }}
QScrollArea {{ border: none; }}
QScrollBar:vertical {{ width: 28px; background: #1e1d1a; border-radius: 8px; margin: 0; }}
QScrollBar::handle:vertical {{ background: #5a544b; border-radius: 8px; min-height: {MIN_TOUCH_PX}px; }}
QScrollBar::add-line:vertical, QScrollBar::sub-line:vertical {{ height: 0; }}
QScrollBar::add-page:vertical, QScrollBar::sub-page:vertical {{ background: none; }}
""" + accent_rules(ACCENT)
