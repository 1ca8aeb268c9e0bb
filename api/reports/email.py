"""A view's summary as an email: a plain-text body, a simple HTML alternative, maybe the PDF."""

from collections.abc import Sequence
from email.message import EmailMessage
from html import escape

from api.reports.summary import ViewSummary, definition, table, top_contact_line


def summary_email(
    summary: ViewSummary,
    heading: str,
    sender: str,
    recipients: Sequence[str],
    pdf: bytes | None = None,
) -> EmailMessage:
    """`heading` names the kind of summary ("Daily summary", "Summary")."""
    message = EmailMessage()
    message["Subject"] = f"{heading}: {summary.title}, {summary.report.total} contacts"
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message.set_content(text_body(summary, heading))
    message.add_alternative(html_body(summary, heading), subtype="html")
    if pdf is not None:
        message.add_attachment(
            pdf, maintype="application", subtype="pdf", filename=summary.pdf_filename
        )
    return message


def _counts_text(title: str, counts: Sequence[tuple[str, int]]) -> list[str]:
    rows, left_out = table(counts)
    lines = [f"{title}:"] + [f"  {name}: {count}" for name, count in rows]
    if not rows:
        lines.append("  (none)")
    if left_out:
        lines.append(f"  ... and {left_out} more")
    return [*lines, ""]


def text_body(summary: ViewSummary, heading: str) -> str:
    report = summary.report
    lines = [f"{heading}: {summary.title}", summary.as_of, ""]
    lines += [f"{label}: {words}" for label, words in definition(summary.view)]
    lines += ["", f"Total contacts: {report.total}", ""]
    lines += _counts_text("Per mailing list", report.by_mailing_list)
    lines += _counts_text("Per country", report.by_country)
    lines.append(f"Top {len(summary.top_contacts)} contacts by score:")
    lines += [f"  {top_contact_line(i, c)}" for i, c in enumerate(summary.top_contacts, 1)]
    return "\n".join(lines) + "\n"


def _counts_html(title: str, counts: Sequence[tuple[str, int]]) -> str:
    rows, left_out = table(counts)
    cells = "".join(f"<tr><td>{escape(name)}</td><td>{count}</td></tr>" for name, count in rows)
    more = f"<p>... and {left_out} more</p>" if left_out else ""
    return f"<h3>{escape(title)}</h3><table>{cells}</table>{more}"


def html_body(summary: ViewSummary, heading: str) -> str:
    report = summary.report
    items = "".join(
        f"<li><b>{escape(label)}:</b> {escape(words)}</li>"
        for label, words in definition(summary.view)
    )
    top = "".join(
        f"<tr><td>{i}</td><td>{escape(c.email)}</td><td>{escape(c.name)}</td>"
        f"<td>{c.score}</td></tr>"
        for i, c in enumerate(summary.top_contacts, 1)
    )
    return (
        f"<html><body><h2>{escape(heading)}: {escape(summary.title)}</h2>"
        f"<p>{escape(summary.as_of)}</p><ul>{items}</ul>"
        f"<p><b>Total contacts: {report.total}</b></p>"
        + _counts_html("Per mailing list", report.by_mailing_list)
        + _counts_html("Per country", report.by_country)
        + f"<h3>Top contacts by score</h3><table>{top}</table></body></html>"
    )
