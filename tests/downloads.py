"""Reading a download back in tests: the bytes of a (streaming) response, its CSV rows, its workbook."""

import csv
import io

from openpyxl import load_workbook


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response_or_bytes) -> list[list[str]]:
    """A streaming response can be read once: pass its `body` to read it again."""
    data = response_or_bytes if isinstance(response_or_bytes, bytes) else body(response_or_bytes)
    text = data.decode("utf-8")
    assert text.startswith("\ufeff"), "a CSV download starts with a byte-order mark"
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))


def xlsx_sheets(response) -> dict[str, list[tuple]]:
    """Each sheet's rows as tuples of cell values (numbers, dates and texts as stored)."""
    workbook = load_workbook(io.BytesIO(body(response)), read_only=True)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in workbook.worksheets}
