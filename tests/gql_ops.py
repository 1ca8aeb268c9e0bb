"""GraphQL documents and small helpers shared by the tests."""

import asyncio

from api.domain.access import Role

UPSERT = """
mutation($input: ContactUpsertInput!) {
  contactUpsert(input: $input) {
    created contact { id email score classification } errors { field message code }
  }
}"""
RECORD = """
mutation($input: ActivityInput!) {
  activityRecord(input: $input) {
    duplicate entry { id points totalAfter reason kind } contact { score }
    errors { field message code }
  }
}"""
RECORD_MANY = """
mutation($input: [ActivityInput!]!) {
  activitiesRecord(input: $input) {
    recordedCount duplicateCount results { duplicate entry { points totalAfter } }
    errors { field message code index }
  }
}"""
SHEET_UPDATE = """
mutation($input: ScoreSheetUpdateInput!) {
  scoreSheetUpdate(input: $input) {
    scoreSheet { enabled negativeScoringEnabled entries { activity points } }
    errors { field message code }
  }
}"""
CONTACT = """
query($email: String!) {
  contact(email: $email) {
    id score classification
    timeline(first: 100) { totalCount entries { points totalAfter reason kind actor } }
  }
}"""

FIELD_CREATE = """
mutation($input: FieldRuleInput!) {
  fieldRuleCreate(input: $input) {
    fieldRule { id name points conditions { field operator value } } sync { id status }
    errors { field message code }
  }
}"""
FIELD_UPDATE = """
mutation($input: FieldRuleUpdateInput!) {
  fieldRuleUpdate(input: $input) {
    fieldRule { points } sync { id status } errors { field code }
  }
}"""
FIELD_DELETE = """
mutation($input: RuleDeleteInput!) {
  fieldRuleDelete(input: $input) { deletedId sync { id status } errors { field code } }
}"""
CUSTOM_CREATE = """
mutation($input: CustomRuleInput!) {
  customRuleCreate(input: $input) {
    customRule { id name points urlContains excludedCampaigns enabled }
    errors { field code message }
  }
}"""
CUSTOM_UPDATE = """
mutation($input: CustomRuleUpdateInput!) {
  customRuleUpdate(input: $input) { customRule { enabled } errors { field code } }
}"""


async def make_contact(api, email: str, **extra) -> str:
    data = await api.data(UPSERT, {"input": {"email": email, **extra}})
    assert data["contactUpsert"]["errors"] == []
    return data["contactUpsert"]["contact"]["id"]


async def record(
    api, email: str, type_: str, campaign: str | None = "c1", role: Role = Role.EDITOR, **extra
) -> dict:
    item = {"contactEmail": email, "type": type_, **extra}
    if campaign is not None:
        item["campaignId"] = campaign
    data = await api.data(RECORD, {"input": item}, role=role)
    return data["activityRecord"]


async def contact(api, email: str) -> dict:
    return (await api.data(CONTACT, {"email": email}))["contact"]


async def update_sheet(api, **input_) -> dict:
    return (await api.data(SHEET_UPDATE, {"input": input_}))["scoreSheetUpdate"]


async def wait_job(api, field: str, job_id: str) -> dict:
    """The job (a root field reading one BackgroundJob: scoreReset, rescoreJob, fieldRuleSync)
    once it is DONE."""
    query = f"query($id: ID!) {{ {field}(id: $id) {{ status done total affected progress }} }}"
    for _ in range(600):
        job = (await api.data(query, {"id": job_id}))[field]
        if job["status"] == "DONE":
            return job
        await asyncio.sleep(0.05)
    raise AssertionError(f"{field} {job_id} did not finish")


async def wait_sync(api, payload: dict) -> dict:
    """The field-rule sync a fieldRuleCreate/Update/Delete payload answered with, once DONE."""
    return await wait_job(api, "fieldRuleSync", payload["sync"]["id"])
