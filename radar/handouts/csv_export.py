"""The base tables as CSV files a spreadsheet opens safely (`radar export`); `radar load` reads
them back."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from radar.handouts.excel import neutralise


def write_folder(frames: dict[str, pd.DataFrame], folder: Path) -> None:
    """Write tables as Excel-friendly CSV (semicolon, decimal comma, UTF-8 with BOM). Text that
    a spreadsheet would take for a formula gets a leading «'»; the loader takes it off again."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        frame = frame.copy()
        for column in frame.select_dtypes(include=["object", "string"]).columns:
            frame[column] = frame[column].map(neutralise)
        frame.to_csv(
            folder / f"{name}.csv", sep=";", decimal=",", index=False, encoding="utf-8-sig"
        )
