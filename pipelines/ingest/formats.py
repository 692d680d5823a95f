"""What a file is, from its content, whatever its name (tracking-workbook.md, "Files").

`sniff` looks at the first bytes: a zip (xlsx, xlsm, ods … or a Word document), an OLE2
container (xls, a password-protected OOXML workbook … or a Word 97 document), an HTML page,
an Excel 2003 XML Spreadsheet, text (CSV, Excel's UTF-16 "Unicode Text"), or something else
(PDF, image). `inspect_zip` and `inspect_ole2` look inside a container, reading only its
directory: which office document it holds, and whether it has a password. Text is decoded
here too (`decode_text`, `decode_markup`).
"""

from __future__ import annotations

import codecs
import io
import re
import struct
import zipfile
from pathlib import Path
from typing import BinaryIO

from pipelines.ingest.grid import FileRefused

HEAD_BYTES = 8192  # what `sniff` needs of a file

MAX_UNZIPPED_BYTES = 300 * 1024 * 1024
MAX_ZIP_RATIO = 200  # xlsx compresses ~10x; a zip bomb compresses thousands of times

PASSWORD = "ไฟล์มีรหัสผ่าน: ลบรหัสผ่านแล้วส่งใหม่ (the workbook is password-protected: remove the password and send it again)"

# What sniff() says a file is.
EMPTY = "empty"
ZIP = "zip"  # inspect_zip says which
OLE2 = "ole2"  # inspect_ole2 says which
HTML = "html"
XML_SPREADSHEET = "xml-spreadsheet"
TEXT = "text"  # CSV, or UTF-16 "Unicode Text"
OTHER = "other"  # not a format we read; sniff's reason says what it is

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a zip with entries, an empty zip
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OTHER_MAGIC = [
    (b"%PDF", "ไฟล์ PDF ไม่ใช่สมุดงาน (a PDF document, not a workbook)"),
    (b"\x89PNG", "ไฟล์รูปภาพ ไม่ใช่สมุดงาน (an image, not a workbook)"),
    (b"\xff\xd8\xff", "ไฟล์รูปภาพ ไม่ใช่สมุดงาน (an image, not a workbook)"),
    (b"GIF8", "ไฟล์รูปภาพ ไม่ใช่สมุดงาน (an image, not a workbook)"),
    (b"BM", None),  # a bitmap, when the rest is binary too (text may start with "BM")
    (b"{\\rtf", "เอกสาร RTF ไม่ใช่สมุดงาน (an RTF document, not a workbook)"),
    (b"Rar!", "ไฟล์บีบอัด RAR ไม่ใช่สมุดงาน (a RAR archive, not a workbook)"),
    (b"7z\xbc\xaf", "ไฟล์บีบอัด 7z ไม่ใช่สมุดงาน (a 7z archive, not a workbook)"),
    (b"\x1f\x8b", "ไฟล์บีบอัด gzip ไม่ใช่สมุดงาน (a gzip archive, not a workbook)"),
]
BINARY = "ไฟล์ไม่ใช่สมุดงานหรือข้อความ (neither a workbook nor text)"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_XMLSS_NS = "urn:schemas-microsoft-com:office:spreadsheet"
_XMLSS_ROOT = re.compile(r"<(?:[\w.-]+:)?Workbook[\s>]")
_HTML_START = re.compile(r"<\s*(?:!doctype\s+html|html|head|body|meta|title|table|style)[\s>/]", re.IGNORECASE)
_HTML_ANYWHERE = re.compile(r"<\s*(?:html|table)[\s>]", re.IGNORECASE)


def sniff(head: bytes) -> tuple[str, str | None]:
    """(kind, reason) from a file's first bytes (HEAD_BYTES of them); reason: what an OTHER is."""
    if not head:
        return EMPTY, "ไฟล์ว่างเปล่า (the file is empty)"
    if head.startswith(_ZIP_MAGIC):
        return ZIP, None
    if head.startswith(_OLE2_MAGIC):
        return OLE2, None
    for magic, reason in _OTHER_MAGIC:
        if head.startswith(magic) and (reason or b"\x00" in head[:64]):
            return OTHER, reason or "ไฟล์รูปภาพ ไม่ใช่สมุดงาน (an image, not a workbook)"
    utf16 = head.startswith(_UTF16_BOMS)
    if not utf16 and b"\x00" in head:
        return OTHER, BINARY
    text = (head.decode("utf-16", errors="ignore") if utf16 else head.decode("latin-1")).lstrip("\ufeff").lstrip()
    if text.startswith("ï»¿"):  # a UTF-8 BOM read as Latin-1
        text = text[3:].lstrip()
    if text.startswith("<"):
        if text.startswith("<?xml") or text.startswith("<?mso"):
            if _XMLSS_NS in text and _XMLSS_ROOT.search(text):
                return XML_SPREADSHEET, None
            if _HTML_ANYWHERE.search(text):  # XHTML
                return HTML, None
            return OTHER, "ไฟล์ XML ที่ไม่ใช่ XML Spreadsheet ของ Excel (XML, but not an Excel XML Spreadsheet)"
        if _HTML_START.match(text) or _HTML_ANYWHERE.search(text):
            return HTML, None
    return TEXT, None


# ----------------------------------------------------------------------------- zip


def inspect_zip(source: Path | BinaryIO) -> str | None:
    """None for a workbook calamine reads (xlsx, xlsm, xlsb, ods); else FileRefused, or the
    reason it is no workbook (a Word document, another zip). Refuses zip bombs and, with
    the password reason, an ODS saved with a password."""
    try:
        with zipfile.ZipFile(source) as zf:
            infos = zf.infolist()
            total = sum(i.file_size for i in infos)
            packed = max(1, sum(i.compress_size for i in infos))
            if total > MAX_UNZIPPED_BYTES or total / packed > MAX_ZIP_RATIO:
                raise FileRefused(
                    "ไฟล์ขยายตัวผิดปกติ อาจเป็นไฟล์อันตราย (the file unpacks to an implausible size: refused as a zip bomb)"
                )
            names = {i.filename for i in infos}
            if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
                return None
            mimetype = _small_member(zf, "mimetype")
            if mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
                if b"encryption-data" in _small_member(zf, "META-INF/manifest.xml", 1 << 20):
                    raise FileRefused(PASSWORD)
                return None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, NotImplementedError):
        raise FileRefused("ไฟล์เสียหายหรือไม่สมบูรณ์ (the file is damaged or truncated)") from None
    if "word/document.xml" in names or mimetype.startswith(b"application/vnd.oasis.opendocument.text"):
        return "เอกสาร Word ไม่ใช่สมุดงาน (a word-processor document, not a workbook)"
    if any(n.startswith("ppt/") for n in names) or mimetype.startswith(b"application/vnd.oasis.opendocument.pres"):
        return "งานนำเสนอ ไม่ใช่สมุดงาน (a presentation, not a workbook)"
    return "ไฟล์ zip ที่ไม่ใช่สมุดงาน (a zip archive that is not a workbook)"


def _small_member(zf: zipfile.ZipFile, name: str, limit: int = 256) -> bytes:
    try:
        info = zf.getinfo(name)
    except KeyError:
        return b""
    if info.file_size > limit:
        return b""
    with zf.open(info) as fh:
        return fh.read(limit)


# ----------------------------------------------------------------------------- OLE2 (compound file)

_FREE, _END = 0xFFFFFFFF, 0xFFFFFFFE
_FILEPASS = 0x002F  # BIFF record: the workbook stream is encrypted
_BOF = 0x0809


def inspect_ole2(source: Path | BinaryIO) -> str | None:
    """None for an .xls calamine reads; FileRefused with the password reason for an OOXML
    workbook saved with a password (streams EncryptionInfo + EncryptedPackage) or an .xls with
    a FILEPASS record; else the reason it is no workbook (a Word 97 document …)."""
    try:
        if isinstance(source, Path):
            with open(source, "rb") as fh:
                streams = _ole2_streams(fh)
                workbook = streams.get("workbook") or streams.get("book")
                first = _first_sector(fh, workbook) if workbook else b""
        else:
            streams = _ole2_streams(source)
            workbook = streams.get("workbook") or streams.get("book")
            first = _first_sector(source, workbook) if workbook else b""
    except (OSError, struct.error, ValueError):
        raise FileRefused("ไฟล์เสียหายหรือไม่สมบูรณ์ (the file is damaged or truncated)") from None
    if "encryptedpackage" in streams or "encryptioninfo" in streams:
        raise FileRefused(PASSWORD)
    if workbook:
        if _has_filepass(first):
            raise FileRefused(PASSWORD)
        return None
    if "worddocument" in streams:
        return "เอกสาร Word ไม่ใช่สมุดงาน (a Word document, not a workbook)"
    if "powerpoint document" in streams:
        return "งานนำเสนอ ไม่ใช่สมุดงาน (a PowerPoint presentation, not a workbook)"
    return "ไฟล์ Office ที่ไม่ใช่สมุดงาน (an Office file that is not a workbook)"


def _ole2_streams(fh: BinaryIO) -> dict[str, tuple[int, int, int]]:
    """Directory of a compound file: lower-case name → (start sector, size, sector size).
    Reads the header, the FAT sectors and the directory chain only; bounded against loops."""
    fh.seek(0)
    header = fh.read(512)
    if len(header) < 512:
        raise ValueError("short header")
    shift = struct.unpack_from("<H", header, 0x1E)[0]
    if shift not in (9, 12):
        raise ValueError("sector size")
    size = 1 << shift
    n_fat, dir_start = struct.unpack_from("<II", header, 0x2C)
    difat_start, n_difat = struct.unpack_from("<II", header, 0x44)
    fh.seek(0, io.SEEK_END)
    n_sectors = max(0, (fh.tell() + size - 1) // size - 1)  # sector i sits at (i + 1) × size

    def sector(i: int) -> bytes:
        if i >= n_sectors:
            raise ValueError("sector out of range")
        fh.seek((i + 1) * size)
        return fh.read(size)

    fat_sectors = [s for s in struct.unpack_from("<109I", header, 0x4C) if s not in (_FREE, _END)]
    nxt, seen = difat_start, 0
    while nxt not in (_FREE, _END) and seen < min(n_difat, n_sectors):
        data = sector(nxt)
        entries = struct.unpack(f"<{size // 4}I", data)
        fat_sectors += [s for s in entries[:-1] if s not in (_FREE, _END)]
        nxt, seen = entries[-1], seen + 1
    fat: list[int] = []
    for s in fat_sectors[: min(n_fat, n_sectors)]:
        fat.extend(struct.unpack(f"<{size // 4}I", sector(s)))
    streams: dict[str, tuple[int, int, int]] = {}
    cur, steps = dir_start, 0
    while cur < len(fat) and steps < n_sectors:
        data = sector(cur)
        for off in range(0, len(data) - 127, 128):
            name_len, kind = struct.unpack_from("<HB", data, off + 0x40)
            if kind not in (1, 2) or not 2 <= name_len <= 64:
                continue
            name = data[off : off + name_len - 2].decode("utf-16-le", errors="replace").lower()
            start, length = struct.unpack_from("<II", data, off + 0x74)
            streams.setdefault(name, (start, length, size))
        cur, steps = fat[cur], steps + 1
    return streams


def _first_sector(fh: BinaryIO, stream: tuple[int, int, int]) -> bytes:
    """The first sector of a stream held in regular sectors (4096 bytes and more); a smaller
    stream lives in the mini stream, which no workbook's is: b''."""
    start, length, size = stream
    if length < 4096 or start >= _END - 16:
        return b""
    fh.seek((start + 1) * size)
    return fh.read(min(size, length))


def _has_filepass(data: bytes) -> bool:
    """A BIFF workbook stream whose first records include FILEPASS (it comes right after BOF)."""
    off, seen = 0, 0
    while off + 4 <= len(data) and seen < 8:
        rec, length = struct.unpack_from("<HH", data, off)
        if rec == _FILEPASS:
            return True
        if seen == 0 and rec not in (_BOF, 0x0209, 0x0409):
            return False
        off, seen = off + 4 + length, seen + 1
    return False


# ----------------------------------------------------------------------------- text

_THAI_LABELS = {"windows-874", "x-windows-874", "dos-874", "cp874", "iso-8859-11", "iso8859-11", "tis-620", "tis620"}
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""", re.IGNORECASE)


def decode_text(data: bytes) -> str:
    """UTF-16 with a BOM (Excel's "Unicode Text"), UTF-8 (with or without BOM), else Thai
    Windows (cp874 / TIS-620)."""
    if data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise FileRefused("อ่านรหัสอักขระไม่ได้ (unreadable UTF-16 text)") from None
    if b"\x00" in data[:4096]:
        raise FileRefused("ไฟล์ไม่ใช่ข้อความ CSV (not a text CSV file)")
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8")
        except UnicodeDecodeError:
            raise FileRefused("อ่านรหัสอักขระไม่ได้ (invalid UTF-8 after a UTF-8 byte-order mark)") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp874")
    except UnicodeDecodeError:
        raise FileRefused("อ่านรหัสอักขระไม่ได้ (unknown text encoding; save as UTF-8 CSV)") from None


def decode_markup(data: bytes) -> str:
    """An HTML page's text: by its byte-order mark, else the charset its <meta> (or XML
    declaration) names, else as decode_text guesses. Thai labels all mean windows-874."""
    if data.startswith(_UTF16_BOMS) or data.startswith(b"\xef\xbb\xbf"):
        return decode_text(data)
    head = data[:4096]
    m = _CHARSET.search(head) or _XML_ENCODING.search(head)
    if m:
        label = m.group(1).decode("ascii", errors="replace").lower()
        codec = "cp874" if label in _THAI_LABELS else label
        try:
            codecs.lookup(codec)
            return data.decode(codec)
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown label: guess, as for a CSV
    return decode_text(data)
