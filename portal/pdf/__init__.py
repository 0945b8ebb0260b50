"""The official-document engine: HTML templates and CSS paged media (templates/pdf/) rendered by
WeasyPrint into GB/T 9704-2012 documents. See engine.render(); the page geometry is geometry.py,
the font chains fonts.py, what the renderer may fetch fetcher.py, body text to paragraphs text.py."""
from .engine import Rendered, first_page_png, render, render_html

__all__ = ["Rendered", "first_page_png", "render", "render_html"]
