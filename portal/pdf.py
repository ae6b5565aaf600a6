"""What every PDF of the portal shares: the shipped CJK font, so Chinese prints anywhere.

The Noto Sans SC subsets under ``portal/data/fonts`` hold every character of the
通用规范汉字表 (8,105) and GB 2312's two levels (6,763), plus the data and the
translations (their README says which, and how to cut them again). A rarer character
falls back to the machine's full CJK font when it has one; when no font holds it, the
document is refused with the characters named, rather than printed without them.
No Flask request, no database.
"""

from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF

from portal.errors import DomainError
from portal.messages import N_

FONT_DIR = Path(__file__).resolve().parent / "data" / "fonts"
FONT_FILES = {"": "NotoSansSC-Regular.subset.otf", "B": "NotoSansSC-Bold.subset.otf"}
FONT = "NotoSansSC"
# The papers people hand to the authorities (a transfer's forms, a subsidy receipt) are in
# Chinese whatever language the portal is read in.
PAPER_LOCALE = "zh_CN"
FALLBACK = "CJKFallback"
# Full CJK fonts as distributions install them (Debian and Ubuntu: fonts-noto-cjk), with
# the index of the Simplified Chinese face in the collection.
SYSTEM_FONTS = (({"": "NotoSansCJK-Regular.ttc", "B": "NotoSansCJK-Bold.ttc"}, 2),)
SYSTEM_FONT_DIRS = (Path("/usr/share/fonts/opentype/noto"), Path("/usr/share/fonts/noto-cjk"))


class MissingCharacters(DomainError):
    """A name or text holds a character that no font on this machine can print."""

    status = 422
    title = N_("The document cannot be printed")


@cache
def code_points(path: Path, number: int = 0) -> frozenset[int]:
    """The characters a font file holds (read once per process)."""
    with TTFont(path, fontNumber=number, lazy=True) as font:
        return frozenset(font.getBestCmap())


@cache
def _system_font() -> tuple[dict[str, Path], int] | None:
    """The machine's full CJK font (regular and bold files, face index), if installed."""
    for names, number in SYSTEM_FONTS:
        for folder in SYSTEM_FONT_DIRS:
            files = {style: folder / name for style, name in names.items()}
            if all(path.is_file() for path in files.values()):
                return files, number
    return None


def uncovered(text: str, code_points: frozenset[int]) -> str:
    """The printable characters of text that the font does not hold, each once."""
    missing = dict.fromkeys(c for c in text if ord(c) >= 0x20 and ord(c) not in code_points)
    return "".join(missing)


class CjkPDF(FPDF):
    """An FPDF that sets text in the shipped subsets as family ``FONT``.

    Every text passes ``normalize_text`` before fpdf2 sets it; a character the subsets
    lack loads the machine's full font as a fallback there, once per document.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for style, name in FONT_FILES.items():
            self.add_font(FONT, style=style, fname=str(FONT_DIR / name))

    def normalize_text(self, text: str) -> str:
        text = super().normalize_text(text)
        missing = uncovered(text, code_points(FONT_DIR / FONT_FILES[""]))
        if missing:
            self._fall_back_for(missing)
        return text

    def _fall_back_for(self, missing: str) -> None:
        system = _system_font()
        if system is not None:
            files, number = system
            missing = uncovered(missing, code_points(files[""], number))
        if missing:
            for font in self.fonts.values():
                font.close()  # the document is abandoned: fpdf2 closes the files only on output
            raise MissingCharacters(
                N_(
                    "No font on the server can print %(chars)s. Ask the administrator to "
                    "install a full Chinese font (Debian: fonts-noto-cjk)."
                ),
                chars=missing,
            )
        if FALLBACK.lower() not in self.fonts:
            for style, path in files.items():
                self.add_font(FALLBACK, style=style, fname=str(path), collection_font_number=number)
            self.set_fallback_fonts([FALLBACK])
