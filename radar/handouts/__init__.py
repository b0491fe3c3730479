"""What leaves the product: Excel workbooks, HTML and PDF reports, Word notes."""

from __future__ import annotations

import re


def file_stem(*parts: object) -> str:
    """A file name from Russian words: spaces and signs a file system dislikes become «_».

    >>> file_stem("Отчёт", "г. Тарумск", 2025)
    'Отчёт_г_Тарумск_2025'
    """
    text = "_".join(str(p) for p in parts if p not in (None, ""))
    return re.sub(r"_+", "_", re.sub(r"[^\w-]+", "_", text)).strip("_")
