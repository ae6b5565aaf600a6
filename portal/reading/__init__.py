"""Reading the papers people upload: the new car's invoice and the old car's licence.

`parsing.py` turns text (a QR code's payload, a PDF's text layer, the OCR's lines) into
checked fields (pure); `sources.py` gets that text out of a file with a maintained
library for each method; `reader.py` tries the methods cheapest first (DOMAIN §7);
`models.py` and `services.py` keep a reading as a background job with its progress, run
by `portal.tasks.read_document` in the job consumer, never in a request; the subsidy
wizard's pages (subsidy/apply/reading.py) and the API (api/reading.py) start and show it.
"""
