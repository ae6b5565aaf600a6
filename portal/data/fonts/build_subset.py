"""Cut the shipped CJK font subsets from Debian's fonts-noto-cjk (see README.md).

Run with fontTools installed (a throwaway venv is enough), from the repository root:

    python portal/data/fonts/build_subset.py

It needs Debian's fonts-noto-cjk and unicode-data. It writes ``charset.txt`` (the
characters kept) beside itself and runs ``pyftsubset`` on the SC face of each
NotoSansCJK-*.ttc, printing each command it runs.
"""

import ast
import bz2
import shlex
import sys
from pathlib import Path

from fontTools import subset

HERE = Path(__file__).resolve().parent
PORTAL = HERE.parents[1]
SOURCE = "/usr/share/fonts/opentype/noto/NotoSansCJK-{weight}.ttc"
SC_FACE = 2  # JP, KR, SC, TC, HK, then the Mono faces
WEIGHTS = ("Regular", "Bold")
TEXT_FILES = (
    PORTAL / "data" / "cities.csv",
    PORTAL / "data" / "provinces.csv",
    PORTAL / "data" / "models.csv",  # the catalog's brands, series and trims (valuation report)
    PORTAL / "registry" / "demo.py",
    PORTAL / "transfer" / "pdf.py",
    # The steps' templates and the refusals print as they are in English.
    PORTAL / "valuation" / "rules" / "engine.py",
    PORTAL / "valuation" / "rules" / "market.py",
    PORTAL / "valuation" / "rules" / "replacement.py",
    PORTAL / "valuation" / "rules" / "facts.py",
    PORTAL / "valuation" / "rules" / "inspection.py",  # the inspection's refusals, in English
    PORTAL / "valuation" / "report" / "pdf.py",
)
# Debian package unicode-data (Unicode 15); the field kTGH came with Unicode 13.
UNIHAN = "/usr/share/unicode/Unihan_OtherMappings.txt.bz2"
PO_FILE = PORTAL / "translations" / "zh" / "LC_MESSAGES" / "messages.po"


def gb2312_hanzi() -> str:
    """The 6,763 hanzi of GB 2312 (rows 16-87: level 1, then level 2), which GB 18030 keeps."""
    chars = []
    for row in range(0xB0, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.append(bytes((row, cell)).decode("gb2312"))
            except UnicodeDecodeError:  # row 55 ends at 0xF9
                continue
    return "".join(chars)


def tongyong_guifan() -> str:
    """The 8,105 characters of the 通用规范汉字表 (2013): Unihan's kTGH field."""
    with bz2.open(UNIHAN, "rt", encoding="utf-8") as lines:
        fields = (line.split("\t") for line in lines if "\tkTGH\t" in line)
        return "".join(chr(int(code.removeprefix("U+"), 16)) for code, _, _ in fields)


def gb2312_symbols() -> str:
    """GB 2312 rows 1-3, 6, 8 and 9: punctuation, numerals, full-width ASCII, Greek, pinyin, box."""
    chars = []
    for row in (0xA1, 0xA2, 0xA3, 0xA6, 0xA8, 0xA9):
        for cell in range(0xA1, 0xFF):
            try:
                chars.append(bytes((row, cell)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(chars)


def msgstrs(path: Path) -> str:
    """The translated strings of a .po file, concatenated."""
    out, in_msgstr = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("msgstr"):
            in_msgstr = True
            line = line.split(None, 1)[1] if " " in line else '""'
        elif line.startswith(("msgid", "msgctxt", "#")) or not line:
            in_msgstr = False
            continue
        if in_msgstr and line.startswith('"'):
            out.append(ast.literal_eval(line))
    return "".join(out)


def charset() -> str:
    """Every character the subsets keep, sorted by code point."""
    chars = set(gb2312_hanzi()) | set(tongyong_guifan()) | set(gb2312_symbols())
    chars |= {chr(c) for c in range(0x20, 0x7F)}  # ASCII
    chars |= {chr(c) for c in range(0xA0, 0x100)}  # Latin-1: ¥ · × é ü ...
    chars |= {chr(c) for c in range(0x2010, 0x2028)}  # dashes, quotes, ellipsis
    chars |= {chr(c) for c in range(0x3000, 0x3040)}  # CJK punctuation
    chars |= {chr(c) for c in range(0xFF01, 0xFF5F)}  # full-width forms
    chars |= {chr(c) for c in range(0xFFE0, 0xFFE7)}  # ￠￡￢￣￤￥￦
    for path in TEXT_FILES:
        chars |= set(path.read_text(encoding="utf-8"))
    chars |= set(msgstrs(PO_FILE))
    return "".join(sorted(c for c in chars if c.isprintable() or c == "\u3000"))


def main() -> None:
    text_file = HERE / "charset.txt"
    text_file.write_text(charset() + "\n", encoding="utf-8")
    for weight in WEIGHTS:
        args = [
            SOURCE.format(weight=weight),
            f"--font-number={SC_FACE}",
            f"--text-file={text_file.relative_to(Path.cwd())}",
            "--layout-features=",
            "--drop-tables+=BASE,VORG,vhea,vmtx",
            "--name-IDs=*",
            f"--output-file={(HERE / f'NotoSansSC-{weight}.subset.otf').relative_to(Path.cwd())}",
        ]
        print("pyftsubset", shlex.join(args), file=sys.stderr)
        subset.main(args)


if __name__ == "__main__":
    main()
