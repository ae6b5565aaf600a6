"""Every user-facing string is extracted and translated into Simplified Chinese."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "portal" / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "_l": None}
METHODS = [
    ("portal/**.py", "python"),
    ("templates/**.html", "jinja2"),
    ("templates/**.txt", "jinja2"),
]


def extracted_messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), METHODS, keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_message_is_translated_into_chinese():
    with CATALOG.open("rb") as file:
        catalog = read_po(file)
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(extracted_messages() - translated)
    assert missing == [], "Run `make messages` and translate: " + "; ".join(missing[:20])


def test_pages_follow_the_browser_language(client):
    assert "登录" in client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(
        as_text=True
    )
    assert "Sign in" in client.get("/", headers={"Accept-Language": "en-US,en"}).get_data(
        as_text=True
    )
