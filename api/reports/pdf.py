"""A view's summary as a PDF (fpdf2, pure Python): definition, totals, tables and top contacts."""

from collections.abc import Sequence

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from api.reports.summary import ViewSummary, definition, table

FONT = "Helvetica"


# The built-in PDF fonts cover Latin-1 only: typographic marks become their plain forms, and
# any other character outside Latin-1 prints as '?'.
PLAIN = str.maketrans(
    {
        "\u2013": "-",
        "\u2014": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2026": "...",
    }
)


def _latin1(text: str) -> str:
    return text.translate(PLAIN).encode("latin-1", "replace").decode("latin-1")


class _Document:
    def __init__(self) -> None:
        self.pdf = FPDF(format="A4")
        self.pdf.set_auto_page_break(auto=True, margin=15)
        self.pdf.add_page()

    def line(self, text: str, size: int = 10, bold: bool = False, height: float = 6) -> None:
        self.pdf.set_font(FONT, "B" if bold else "", size)
        self.pdf.multi_cell(0, height, _latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def gap(self, height: float = 3) -> None:
        self.pdf.ln(height)

    def table(self, heading: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        self.pdf.set_font(FONT, "", 10)
        widths = (3, 1) if len(heading) == 2 else (1, 5, 4, 2)
        with self.pdf.table(col_widths=widths, line_height=6, first_row_as_headings=True) as grid:
            for values in [heading, *rows]:
                row = grid.row()
                for value in values:
                    row.cell(_latin1(value))

    def bytes(self) -> bytes:
        return bytes(self.pdf.output())


def _counts(doc: _Document, title: str, counts: Sequence[tuple[str, int]], noun: str) -> None:
    doc.line(title, 12, bold=True, height=8)
    rows, left_out = table(counts)
    if rows:
        doc.table((noun, "Contacts"), [(name, str(count)) for name, count in rows])
    else:
        doc.line("(none)")
    if left_out:
        doc.line(f"... and {left_out} more")
    doc.gap()


def summary_pdf(summary: ViewSummary) -> bytes:
    doc = _Document()
    doc.pdf.set_title(_latin1(summary.title))
    doc.line(summary.title, 16, bold=True, height=9)
    doc.line(summary.as_of)
    doc.gap()
    for label, words in definition(summary.view):
        doc.line(f"{label}: {words}")
    doc.gap()
    doc.line(f"Total contacts: {summary.report.total}", 13, bold=True, height=8)
    doc.gap()
    _counts(doc, "Per mailing list", summary.report.by_mailing_list, "Mailing list")
    _counts(doc, "Per country", summary.report.by_country, "Country")
    doc.line("Top contacts by score", 12, bold=True, height=8)
    if summary.top_contacts:
        rows = [
            (str(rank), c.email, c.name, str(c.score))
            for rank, c in enumerate(summary.top_contacts, 1)
        ]
        doc.table(("#", "Email", "Name", "Score"), rows)
    else:
        doc.line("(none)")
    return doc.bytes()
