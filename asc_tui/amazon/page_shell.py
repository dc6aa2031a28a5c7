"""The look of the few pages asc-tui serves or writes itself (the callback worker's result page and the relay
page): one card on a quiet background, light or dark as the browser prefers, no external resources."""

from __future__ import annotations


def page_style(*, width: str, accent: str, extra: str = "", extra_dark: str = "") -> str:
    """The shared style sheet, with the card's width and accent colour and a page's own rules."""
    return f"""
:root {{ color-scheme: light dark; }}
body {{ margin: 0; min-height: 100vh; display: flex; align-items: center; justify-content: center;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #f4f5f7; color: #1d232b; }}
main {{ max-width: {width}; margin: 1.5rem; padding: 2rem 2.25rem; background: #fff; border-radius: 12px;
  box-shadow: 0 2px 12px rgba(0, 0, 0, .08); border-top: 6px solid {accent}; }}
h1 {{ font-size: 1.35rem; margin: 0 0 .75rem; }}
p {{ margin: .5rem 0; overflow-wrap: anywhere; }}
.brand {{ font-size: .8rem; letter-spacing: .08em; text-transform: uppercase; color: #8a94a3; margin: 0 0 .5rem; }}
{extra}
@media (prefers-color-scheme: dark) {{
  body {{ background: #15191e; color: #e6e9ee; }} main {{ background: #1f252c; box-shadow: none; }}
  {extra_dark}
}}
"""
