"""Minimal text PDFs for tests, written by hand: Chinese text set in the
standard Adobe font STSong-Light (no embedding) with the UniGB-UTF16-H
encoding, the way PDF writers put Chinese text on a page."""

from __future__ import annotations


def text_pdf(lines_per_page: list[list[str]]) -> bytes:
    """A PDF with one page per list of lines; an empty list makes a page with no
    text at all, as a scanned page is to a text extractor."""
    objects: dict[int, bytes] = {}
    page_count = len(lines_per_page)
    first_page = 6
    kids = " ".join(f"{first_page + 2 * i} 0 R" for i in range(page_count))
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[2] = f"<< /Type /Pages /Kids [{kids}] /Count {page_count} >>".encode()
    objects[3] = (b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UTF16-H "
                  b"/DescendantFonts [4 0 R] >>")
    objects[4] = (b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
                  b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /FontDescriptor 5 0 R >>")
    objects[5] = (b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] "
                  b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>")
    for index, lines in enumerate(lines_per_page):
        page, content = first_page + 2 * index, first_page + 2 * index + 1
        ops = []
        if lines:
            ops.append("BT /F1 12 Tf 14 TL 50 800 Td")
            for line in lines:
                ops.append(f"<{line.encode('utf-16-be').hex().upper()}> Tj T*")
            ops.append("ET")
        stream = "\n".join(ops).encode()
        objects[page] = (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                         f"/Resources << /Font << /F1 3 0 R >> >> /Contents {content} 0 R >>").encode()
        objects[content] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets[number]
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)
