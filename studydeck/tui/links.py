"""Opening a paper's link from the terminal app: in a graphical browser, or not at all.

``webbrowser`` falls back to a console browser (lynx, w3m, ...) on a machine with no display,
an SSH session say: run from the app, it would share the terminal with it and block it until
it quits. And with no browser at all it opens nothing, silently. So the app asks here first,
and when there is no graphical browser it says so and shows the link instead.
"""

from __future__ import annotations

import os
import sys
import webbrowser

CONSOLE = frozenset({"www-browser", "links", "elinks", "lynx", "w3m"})
"""The console browsers :mod:`webbrowser` knows (its own names for them)."""


def has_display(environ: os._Environ[str] | dict[str, str] = os.environ) -> bool:
    """Whether a graphical browser could show a page: always on macOS and Windows; elsewhere
    only with an X or Wayland display."""
    if sys.platform == "darwin" or sys.platform.startswith("win"):
        return True
    return bool(environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"))


def open_in_browser(url: str) -> bool:
    """Open ``url`` (a web link, checked by the caller) in a graphical browser; False when
    there is none, or it failed to start."""
    if not has_display():
        return False
    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        return False
    if getattr(browser, "name", "") in CONSOLE:
        return False
    try:
        return bool(browser.open(url))
    except OSError:
        return False
