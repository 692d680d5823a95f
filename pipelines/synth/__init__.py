"""The project's independent test-data factory: synthetic village workbooks plus the truth.

It writes tracking workbooks as ../shared/spec/tracking-workbook.md describes them (clean
at mess 0, every listed real-world variant by mess 3) and, under out/_truth/, what ingest
must load back. It shares no parsing code with the rest of `pipelines`: it is the other
side of the round-trip tests.
"""

from pipelines.synth.province import generate
from pipelines.synth.register import write_register

__all__ = ["generate", "write_register"]
