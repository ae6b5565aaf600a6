"""Text out of a file, one maintained library per method (issue 15).

QR codes: zxing-cpp. PDF text layers and the images inside a PDF: pypdf. Optical
character recognition: RapidOCR's PP-OCRv4 models, shipped inside the
`rapidocr-onnxruntime` wheel and run on the CPU by onnxruntime; nothing is downloaded at
run time. The OCR engine is loaded once per process (the job consumer), not once per
paper. Everything works on bytes in memory: no file is written.
"""

import io
import logging
import os
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import zxingcpp
from PIL import Image, ImageOps
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from portal.uploads import MAX_IMAGE_PIXELS

# A phone photo is read at this size: enough for 3 mm characters on an A4 invoice, and
# under the 5 s a photo may take on two cores (bench/reading.py).
OCR_LONG_SIDE = 1600
PDF_PAGES = 2  # an invoice or a licence has one page; a second is read in case
# Variance of the Laplacian below which a photo is too blurred to read (bench/reading.py).
BLUR_LIMIT = 60.0
EDGE_PIXELS = 3  # text this close to the border was probably cut off by the camera


class Unreadable(Exception):
    """The bytes are not a PDF or an image that opens."""


@dataclass(frozen=True)
class Line:
    """A line of text the OCR found: its text, its score, its box (left, top, right, bottom)."""

    text: str
    score: float
    box: tuple[float, float, float, float]


def open_image(content: bytes) -> Image.Image:
    """The image upright (EXIF), in RGB; Unreadable when it does not open or is a bomb."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content))
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise Unreadable("too many pixels")
            return ImageOps.exif_transpose(image).convert("RGB")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombWarning) as error:
        raise Unreadable(type(error).__name__) from error


def qr_payloads(image: Image.Image) -> list[str]:
    """The text of every QR code zxing-cpp finds in the image."""
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return [code.text for code in found if code.valid]


def pdf_reader(content: bytes) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(content))
        _ = reader.pages[0]
    except (PyPdfError, OSError, ValueError, IndexError, KeyError) as error:
        raise Unreadable(type(error).__name__) from error
    return reader


def pdf_text(reader: PdfReader) -> str:
    """The text layer of the first pages ("" for a scan without one)."""
    try:
        return "\n".join(page.extract_text() or "" for page in reader.pages[:PDF_PAGES])
    except (PyPdfError, ValueError, KeyError) as error:
        raise Unreadable(type(error).__name__) from error


def pdf_images(reader: PdfReader) -> list[Image.Image]:
    """The pictures inside the first pages: the QR code, or the scan of a paper invoice."""
    images = []
    for page in reader.pages[:PDF_PAGES]:
        try:
            pictures = list(page.images)
        # pypdf raises NotImplementedError for image filters it does not decode (JBIG2, some
        # CCITT): an unreadable picture, not unfinished code here.
        except (PyPdfError, OSError, ValueError, KeyError, NotImplementedError):
            continue  # a picture pypdf cannot decode; the text layer may still do
        for picture in pictures:
            try:
                images.append(open_image(picture.data))
            except Unreadable:
                continue
    return images


# onnxruntime's threads per model: the machine's two cores at most, one pool per model,
# and no spinning: a waiting thread that spins takes the core from the other consumers of a
# shared machine, which made a photo take 9 s at load 27 (bench/reading.py, docs/benchmarks.md).
OCR_THREADS = 2


@cache
def ocr_engine():
    """The RapidOCR engine, loaded once per process (a fraction of a second)."""
    from rapidocr_onnxruntime import RapidOCR

    # RapidOCR logs each step at INFO; the text it reads must never reach a log (DOMAIN §6).
    logging.getLogger("RapidOCR").setLevel(logging.WARNING)
    # Detection on the long side at 960 px, without the upside-down classifier (papers are
    # photographed upright; EXIF turns them): measured the fastest that keeps the fields.
    engine = RapidOCR(det_limit_type="max", det_limit_side_len=960, use_cls=False)
    _quiet_threads(engine)
    return engine


def _quiet_threads(engine) -> None:
    """Give the detector and the recogniser sessions that do not spin (OCR_THREADS).

    RapidOCR 1.4 sets the thread counts but not spinning, so its two sessions are made
    again here from the models inside its wheel, with the options it uses plus ours.
    """
    import onnxruntime
    import rapidocr_onnxruntime

    models = Path(rapidocr_onnxruntime.__file__).parent / "models"
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 4
    options.enable_cpu_mem_arena = False
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = min(OCR_THREADS, os.cpu_count() or 1)
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    for holder, model in (
        (engine.text_det.infer, "ch_PP-OCRv4_det_infer.onnx"),
        (engine.text_rec.session, "ch_PP-OCRv4_rec_infer.onnx"),
    ):
        holder.session = onnxruntime.InferenceSession(
            str(models / model), sess_options=options, providers=["CPUExecutionProvider"]
        )


def ocr_lines(image: Image.Image) -> list[Line]:
    """The lines of text in the image, top to bottom, at OCR_LONG_SIDE at most."""
    scale = min(1.0, OCR_LONG_SIDE / max(image.size))
    if scale < 1.0:
        image = image.resize((round(image.width * scale), round(image.height * scale)))
    result, _ = ocr_engine()(
        np.asarray(image)[:, :, ::-1], use_cls=False
    )  # RGB → BGR, as OpenCV reads
    lines = []
    for box, text, score in result or []:
        xs, ys = [point[0] for point in box], [point[1] for point in box]
        lines.append(
            Line(
                text,
                float(score),
                (min(xs) / scale, min(ys) / scale, max(xs) / scale, max(ys) / scale),
            )
        )
    return sorted(lines, key=lambda line: (line.box[1] + line.box[3]) / 2)


def sharpness(image: Image.Image) -> float:
    """Variance of the Laplacian of the grey image: low for a blurred photo."""
    import cv2

    grey = np.asarray(image.convert("L").resize(_fit(image.size, 1000)))
    return float(cv2.Laplacian(grey, cv2.CV_64F).var())


def touches_edge(lines: list[Line], size: tuple[int, int]) -> bool:
    """Does any text run into the border (a paper cut off by the camera)?"""
    width, height = size
    return any(
        left <= EDGE_PIXELS
        or top <= EDGE_PIXELS
        or right >= width - EDGE_PIXELS
        or bottom >= height - EDGE_PIXELS
        for left, top, right, bottom in (line.box for line in lines)
    )


def _fit(size: tuple[int, int], long_side: int) -> tuple[int, int]:
    scale = min(1.0, long_side / max(size))
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))
