"""Reading the report's DOM as dumped by Chromium: sections, their table rows, visible messages."""
from __future__ import annotations

import html
import re


def section(dom: str, section_id: str) -> str:
    match = re.search(rf'<section id="{section_id}">(.*?)</section>', dom, re.S)
    assert match, f"expected a <section id={section_id!r}> in the page; not found"
    return match.group(1)


def table_rows(fragment: str) -> list[list[str]]:
    body = re.search(r"<tbody>(.*?)</tbody>", fragment, re.S)
    if not body:
        return []
    return [
        [html.unescape(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    ]


def visible_messages(fragment: str) -> list[str]:
    """Texts of the section's 'empty' and 'unavailable' paragraphs that are shown."""
    messages = []
    for attributes, text in re.findall(r'<p class="(?:empty|unavailable)"([^>]*)>(.*?)</p>', fragment, re.S):
        if "display: none" not in attributes:
            messages.append(html.unescape(text))
    return messages


def drawn_charts(fragment: str) -> int:
    """Plotly marks each graph it drew with the class js-plotly-plot and an svg.main-svg inside."""
    return len(re.findall(r'class="plot js-plotly-plot"', fragment))


def body_attributes(dom: str) -> dict[str, str]:
    match = re.search(r"<body([^>]*)>", dom)
    assert match, "expected a <body> element in the dumped page"
    return {name: html.unescape(value) for name, value in re.findall(r'([\w-]+)="([^"]*)"', match.group(1))}
