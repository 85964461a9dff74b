"""PySide6 screens and widgets. No business logic here: screens show state and forward taps."""
