"""Untrusted HTML is sanitised; plain text is escaped and keeps its direction."""

from __future__ import annotations

from servicedesk.html import sanitise, text_to_html


def test_scripts_handlers_and_js_urls_are_removed():
    dirty = (
        '<p onclick="x()">hi<script>alert(1)</script></p>'
        '<img src="x" onerror="alert(2)"><a href="javascript:alert(3)">l</a>'
        '<iframe src="https://evil"></iframe><style>p{}</style>'
    )
    clean = sanitise(dirty)
    for bad in ("script", "onclick", "onerror", "javascript:", "iframe", "style"):
        assert bad not in clean
    assert "<p>hi</p>" in clean


def test_links_get_safe_rel():
    assert 'rel="noopener noreferrer nofollow"' in sanitise('<a href="https://x.example">x</a>')


def test_text_is_escaped_and_hebrew_reads_right_to_left():
    html = text_to_html("שלום <b>עולם</b>\nשורה 2\n\nפסקה")
    assert "&lt;b&gt;" in html
    assert html.count('<p dir="auto">') == 2
    assert "<br>" in html
