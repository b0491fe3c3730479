"""The offline HTML report and its PDF printed by headless Chromium."""

from __future__ import annotations

import os
import re

import pandas as pd
import plotly.graph_objects as go
import pytest

from radar.html_report import chromium_path, pdf_from_html, report_html


def sample() -> str:
    bars = go.Figure(go.Bar(x=[3, 1], y=["Выполнено", "Просрочено"], orientation="h"))
    line = go.Figure(go.Scatter(x=[2023, 2024, 2025], y=[0.1, 0.2, 0.4]))
    table = pd.DataFrame({"Школа": ["МБОУ «СОШ № 1» <тест>"], "Почему": ["ШНОР"]})
    return report_html(
        "г. Тестоград",
        "2025 год",
        [("ШНОР", "3"), ("Доля «2»", "12,5 %")],
        [("Дорожная карта", bars), ("Результат", line)],
        [("Школы, которым нужно внимание", table)],
    )


def test_html_holds_the_charts_and_works_offline():
    text = sample()
    assert text.count("Plotly.newPlot") == 2  # both charts are interactive
    assert "<script src=" not in text  # nothing loaded from the network: the library is inline
    assert len(re.findall(r"plotly\.js v\d", text)) >= 1
    assert "МБОУ «СОШ № 1» &lt;тест&gt;" in text  # text is escaped, not markup
    assert "12,5 %" in text and "lang='ru'" in text


def test_pdf_has_pages_when_chromium_is_installed():
    if chromium_path() is None:
        if os.environ.get("RADAR_REQUIRE_BROWSER"):
            pytest.fail("Chromium не найден: установите Debian chromium (make browser)")
        pytest.skip("Chromium не установлен")
    pdf = pdf_from_html(sample())
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 1
