"""API tokens: admins create them; the secret is shown once and works at once."""

from api.domain.access import Role

CREATE = """
mutation($input: ApiTokenCreateInput!) {
  apiTokenCreate(input: $input) { token apiToken { name role } errors { field code message } }
}"""


async def test_admin_creates_a_token_that_works(api):
    created = await api.data(CREATE, {"input": {"name": "crm-sync", "role": "EDITOR"}})
    payload = created["apiTokenCreate"]
    assert payload["errors"] == [] and payload["apiToken"] == {"name": "crm-sync", "role": "EDITOR"}
    me = await api.call("{ me { name role } }", token=payload["token"])
    assert me["data"]["me"] == {"name": "crm-sync", "role": "EDITOR"}
    names = {t["name"] for t in (await api.data("{ apiTokens { name } }"))["apiTokens"]}
    assert "crm-sync" in names


async def test_token_bad_input_and_roles(api):
    await api.data(CREATE, {"input": {"name": "twice", "role": "VIEWER"}})
    again = await api.data(CREATE, {"input": {"name": "twice", "role": "ADMIN"}})
    assert again["apiTokenCreate"]["errors"][0]["code"] == "CONFLICT"
    assert again["apiTokenCreate"]["token"] is None
    blank = await api.data(CREATE, {"input": {"name": " ", "role": "ADMIN"}})
    assert blank["apiTokenCreate"]["errors"][0]["code"] == "REQUIRED"
    editor = await api.call(
        CREATE, {"input": {"name": "sneaky", "role": "ADMIN"}}, role=Role.EDITOR
    )
    assert editor["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    listing = await api.call("{ apiTokens { name } }", role=Role.VIEWER)
    assert listing["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    names = {t["name"] for t in (await api.data("{ apiTokens { name } }"))["apiTokens"]}
    assert "sneaky" not in names and "twice" in names
