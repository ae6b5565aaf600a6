"""What every PDF of the portal shares: the shipped CJK font, so Chinese prints anywhere.

The Noto Sans SC subsets under ``portal/data/fonts`` hold the characters of the data and
the translations plus the common hanzi (their README says which, and how to cut them
again). Pure: no Flask, no database.
"""

from pathlib import Path

from fpdf import FPDF

FONT_DIR = Path(__file__).resolve().parent / "data" / "fonts"
FONT_FILES = {"": "NotoSansSC-Regular.subset.otf", "B": "NotoSansSC-Bold.subset.otf"}
FONT = "NotoSansSC"


def add_cjk_font(pdf: FPDF) -> None:
    """Register the regular and bold subsets with the document as family ``FONT``."""
    for style, name in FONT_FILES.items():
        pdf.add_font(FONT, style=style, fname=str(FONT_DIR / name))
