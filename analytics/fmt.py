"""Numbers as Russian readers expect them: decimal comma, thin space between thousands."""

from __future__ import annotations

import math

import pandas as pd

DASH = "—"
THOUSANDS = "\u202f"  # narrow no-break space
MINUS = "\u2212"  # the typographic minus sign


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def num(value: object, digits: int = 1) -> str:
    """1234.5 → «1 234,5»; missing → «—».

    >>> num(1234.56)
    '1\u202f234,6'
    """
    if _missing(value):
        return DASH
    rounded = round(float(value), digits) + 0.0  # «0,00», never «−0,00»
    text = f"{rounded:,.{digits}f}"
    return text.replace(",", THOUSANDS).replace(".", ",").replace("-", MINUS)


def integer(value: object) -> str:
    return num(value, 0)


def pct(share: object, digits: int = 1) -> str:
    """A share 0..1 as percent: 0.123 → «12,3 %»."""
    if _missing(share):
        return DASH
    return f"{num(float(share) * 100, digits)}\u00a0%"


def signed(value: object, digits: int = 1) -> str:
    """A change with its sign: «+1,5», «−0,3»; one too small to show has none.

    >>> signed(-0.001, 2), signed(0.26)
    ('0,00', '+0,3')
    """
    if _missing(value):
        return DASH
    rounded = round(float(value), digits)
    text = num(abs(rounded), digits)
    return ("+" if rounded > 0 else "−" if rounded < 0 else "") + text


def each(how, values, digits: int = 1) -> list[str]:
    """`how(value, digits)` (num, signed, pct) for a whole column at once: each distinct
    rounded value is written once, so a table of a million rows costs what its few thousand
    distinct figures do. (The rounding is numpy's, which may differ from Python's in the last
    digit at an exact half.)

    >>> each(signed, [0.5, -0.25, None, 0.5], 1)
    ['+0,5', '−0,2', '—', '+0,5']
    """
    column = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").astype(float)
    scale = digits + 2 if how is pct else digits
    rounded = column.round(scale)
    written = {value: how(value, digits) for value in rounded.dropna().unique()}
    return [written[value] if value == value else DASH for value in rounded]


class Memo:
    """A writing function (num, pct, signed, …) that writes each distinct value once: for
    loops over many rows whose figures repeat. The texts are the function's own.

    >>> written = Memo(num)
    >>> written(1234.56), written(1234.56, 0), len(written.texts)
    ('1\u202f234,6', '1\u202f235', 2)
    """

    def __init__(self, how) -> None:
        self.how = how
        self.texts: dict = {}

    def __call__(self, value: object, digits: int = 1) -> str:
        key = (value, digits)
        try:
            return self.texts[key]
        except KeyError:
            text = self.texts[key] = self.how(value, digits)
            return text
        except TypeError:  # an unhashable value
            return self.how(value, digits)


def in_sentence(text: str) -> str:
    """A label inside a sentence: its first letter small, unless its first word is an
    abbreviation, and abbreviations further on kept as they are.

    >>> in_sentence("На учёте (ВШУ, ПДН)"), in_sentence("ОВЗ у обучающихся")
    ('на учёте (ВШУ, ПДН)', 'ОВЗ у обучающихся')
    """
    first = text.split(" ", 1)[0]
    if sum(ch.isupper() for ch in first) >= 2:
        return text
    return text[:1].lower() + text[1:]


def capital(text: str) -> str:
    """The text with its first letter capital and the rest as it is (str.capitalize would
    write «Исбш»).

    >>> capital("ИСБШ в нижнем квартиле")
    'ИСБШ в нижнем квартиле'
    >>> capital("результат выше")
    'Результат выше'
    """
    return text[:1].upper() + text[1:]


def plural(n: int, forms: tuple[str, str, str]) -> str:
    """The Russian form for a count: (1 школа, 2 школы, 5 школ).

    >>> plural(21, ("школа", "школы", "школ")), plural(12, ("школа", "школы", "школ"))
    ('школа', 'школ')
    """
    n = abs(int(n))
    if n % 10 == 1 and n % 100 != 11:
        return forms[0]
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return forms[1]
    return forms[2]


SCHOOLS = ("школа", "школы", "школ")


def value_of_kind(value: object, kind: str, change: bool = False) -> str:
    """A figure of a column whose rows hold different things (a share, a count, a mark), as
    text in the row's own kind: «share» in per cent (a change in percentage points), «count»
    whole, anything else with two decimals; `change` puts the sign.

    >>> value_of_kind(0.1683, "share"), value_of_kind(-0.021, "share", change=True)
    ('16,8\\xa0%', '−2,1\\xa0п.\\xa0п.')
    >>> value_of_kind(3.0, "count"), value_of_kind(1.0, "count", change=True)
    ('3', '+1')
    >>> value_of_kind(4.256, "mark"), value_of_kind(None, "mark")
    ('4,26', '—')
    """
    if _missing(value):
        return DASH
    if kind == "share":
        return signed(float(value) * 100, 1) + "\u00a0п.\u00a0п." if change else pct(value)
    if kind == "count":
        return signed(value, 0) if change else integer(value)
    return signed(value, 2) if change else num(value, 2)
