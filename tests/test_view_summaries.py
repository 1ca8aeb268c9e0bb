"""Summaries of fixed-range views (any view, in fact): a one-time email with the PDF attached, and
the PDF download beside GraphQL, read back with pypdf."""

from io import BytesIO

from pypdf import PdfReader

from api.domain.access import Role
from tests.test_notifications import create_fixed_range_view, fixed_range, local_smtp, set_smtp
from tests.test_views import HOT, create, people


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


EMAIL_SEND = """
mutation($input: ScoreViewEmailSendInput!) {
  scoreViewEmailSend(input: $input) { sentTo errors { field message code } }
}"""


async def send_once(api, role: Role = Role.EDITOR, **input_) -> dict:
    return (await api.data(EMAIL_SEND, {"input": input_}, role=role))["scoreViewEmailSend"]


async def test_a_one_time_email_arrives_with_the_pdf(api, store, mailbox):
    await people(api)
    view_id = await create_fixed_range_view(api)
    no_smtp = await send_once(api, viewId=view_id, recipients=["a@x.io"])
    assert [e["code"] for e in no_smtp["errors"]] == ["DELIVERY_FAILED"]

    await set_smtp(api, **local_smtp(mailbox.port))
    for input_, field, code in [
        ({"viewId": "nope", "recipients": ["a@x.io"]}, "viewId", "NOT_FOUND"),
        ({"viewId": view_id, "recipients": []}, "recipients", "REQUIRED"),
        ({"viewId": view_id, "recipients": ["a@x.io", "b"]}, "recipients.1", "INVALID"),
    ]:
        result = await send_once(api, **input_)
        assert result["sentTo"] == []
        assert [(e["field"], e["code"]) for e in result["errors"]] == [(field, code)]
    assert mailbox.received == []

    sent = await send_once(api, viewId=view_id, recipients=["Boss@Example.com"])
    assert sent == {"sentTo": ["boss@example.com"], "errors": []}
    [mail] = mailbox.received
    assert mail.rcpt_tos == ["boss@example.com"]
    assert mail.message["Subject"] == "Summary: Score view 'This month', 3 contacts"
    period = fixed_range()
    period_words = f"Period: points earned from {period['start']} to {period['end']} (UTC)"
    assert period_words in mail.text().splitlines()
    [attachment] = mail.attachments()
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "this-month-summary.pdf"
    text = pdf_text(attachment.get_content())
    for words in ["This month", period_words, "Total contacts: 3", "newsletter", "cy@x.io"]:
        assert words in text, (words, text)


async def test_viewers_cannot_send_summaries(api, mailbox):
    await set_smtp(api, **local_smtp(mailbox.port))
    view_id = await create_fixed_range_view(api)
    send = {"input": {"viewId": view_id, "recipients": ["a@x.io"]}}
    body = await api.call(EMAIL_SEND, send, role=Role.VIEWER)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert mailbox.received == []


async def test_the_pdf_summary_is_downloaded_with_a_token(api):
    await people(api)
    found = await create(api, **HOT)
    view_id = found["scoreView"]["id"]
    path = (
        await api.data("query($id: ID!) { scoreView(id: $id) { summaryPdfPath } }", {"id": view_id})
    )["scoreView"]["summaryPdfPath"]
    assert path == f"/views/{view_id}/summary.pdf"
    base = api.url.removesuffix("/graphql")

    response = await api.http.get(
        base + path, headers={"Authorization": f"Bearer {api.tokens[Role.VIEWER]}"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response.content)
    for words in ["Hot leads", "Total contacts: 3", "newsletter", "France", "ana@x.io", "40"]:
        assert words in text, (words, text)

    anonymous = await api.http.get(base + path)
    assert anonymous.status_code == 401 and "Authorization: Bearer" in anonymous.text
    forged = await api.http.get(base + path, headers={"Authorization": "Bearer nope"})
    assert forged.status_code == 401 and "not recognised" in forged.text
    unknown = await api.http.get(
        f"{base}/views/nope/summary.pdf",
        headers={"Authorization": f"Bearer {api.tokens[Role.VIEWER]}"},
    )
    assert unknown.status_code == 404 and unknown.text == "No view with id nope"
