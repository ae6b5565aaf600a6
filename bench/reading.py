"""Benchmark: how many fields the reader gets exactly right, per method, and how fast.

Usage: .venv/bin/python bench/reading.py [--papers 100] [--photos 100]

Reads generated papers (tests/papers.py: the demo registry's people and cars, no real
person's papers) in this process, as the job consumer does: --papers e-invoice PDFs
(QR code + text layer), and --photos photos, taken in turn as each way of tests/papers.py
PHOTOS says (clean, low resolution, turned 3°, noisy, JPEG 35, "phone": all at once),
half invoices and half vehicle licences. Prints, per method and per kind of photo, the
share of fields read exactly (a field not read counts as wrong; one read wrongly is
listed), how many papers were read whole, and the time per paper (median, p90, max),
with the load average, since the machine is shared. Goal (issue 15): 100 % for QR and
text, ≥ 95 % of fields for clean photos, under 5 s per photo on two cores.
"""

import argparse
import os
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal.reading import reader, sources  # noqa: E402
from portal.reading.terms import PaperKind  # noqa: E402
from tests import papers  # noqa: E402


class Tally:
    """Fields right and wrong, papers whole, and times, for one group of papers."""

    def __init__(self):
        self.right, self.total, self.whole, self.papers = 0, 0, 0, 0
        self.times: list[float] = []
        self.wrong: Counter[str] = Counter()

    def add(self, expected: dict, reading: reader.Reading, seconds: float) -> None:
        got = {name: read.value for name, read in reading.fields.items()}
        misses = [name for name, value in expected.items() if got.get(name) != value]
        self.right += len(expected) - len(misses)
        self.total += len(expected)
        self.whole += not misses
        self.papers += 1
        self.times.append(seconds)
        self.wrong.update(misses)

    def line(self, name: str) -> str:
        times = sorted(self.times)
        p90 = times[min(len(times) - 1, int(len(times) * 0.9))]
        return (
            f"{name:<22} {self.papers:>4} papers  fields {100 * self.right / self.total:6.2f} %"
            f"  whole {self.whole:>4}  time median {statistics.median(times):5.2f} s"
            f"  p90 {p90:5.2f} s  max {times[-1]:5.2f} s"
            + (f"  missed: {dict(self.wrong.most_common(4))}" if self.wrong else "")
        )


def timed(content: bytes, kind: PaperKind) -> tuple[reader.Reading, float]:
    start = time.perf_counter()
    reading = reader.read(content, kind)
    return reading, time.perf_counter() - start


def bench_pdfs(count: int) -> dict[str, Tally]:
    tallies: dict[str, Tally] = defaultdict(Tally)
    for invoice in papers.invoices(count):
        reading, seconds = timed(papers.invoice_pdf(invoice), PaperKind.INVOICE)
        expected = invoice.expected()
        for method in ("qr", "text"):
            mine = {
                n: v for n, v in expected.items() if reading.fields.get(n, _NONE).method == method
            }
            if mine:
                tallies[f"pdf: {method} fields"].add(mine, reading, seconds)
        tallies["pdf: whole paper"].add(expected, reading, seconds)
    return tallies


class _None:
    method = None


_NONE = _None()


def bench_photos(count: int) -> dict[str, Tally]:
    tallies: dict[str, Tally] = defaultdict(Tally)
    half = (count + 1) // 2
    kinds = [(p, PaperKind.INVOICE) for p in papers.invoices(half, seed=7)]
    kinds += [(p, PaperKind.VEHICLE_LICENCE) for p in papers.licences(count - half)]
    ways = list(papers.PHOTOS.items())
    for index, (paper, kind) in enumerate(kinds):
        way, how = ways[index % len(ways)]
        reading, seconds = timed(papers.paper_photo(paper, how, seed=index), kind)
        tallies[f"photo {kind.value[:7]}: {way}"].add(paper.expected(), reading, seconds)
        tallies["photo: all"].add(paper.expected(), reading, seconds)
    return tallies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100)
    parser.add_argument("--photos", type=int, default=100)
    args = parser.parse_args()
    start = time.perf_counter()
    sources.ocr_engine()
    print(f"OCR engine loaded in {time.perf_counter() - start:.2f} s (once per consumer)")
    print(f"load average before: {os.getloadavg()}")
    for name, tally in sorted({**bench_pdfs(args.papers), **bench_photos(args.photos)}.items()):
        print(tally.line(name))
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
