"""Searching contacts: the start of the email, of its domain, of a name or of any word in them,
served by the search index (`contact_search`)."""

import asyncio

import pytest

from api.db import contact_search
from api.db.contact_search import ContactSearch, search_text
from api.domain.access import Role
from api.domain.contacts import ContactDetails
from tests.gql_ops import UPSERT, make_contact

SEARCH = """
query($search: String, $first: Int, $after: String, $country: String) {
  contacts(first: $first, after: $after, filter: {search: $search, country: $country}) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { email score } }
  }
}"""
SCORE_SET = """
mutation($input: ContactScoreSetInput!) { contactScoreSet(input: $input) { errors { code } } }"""


async def emails(api, search: str, **variables) -> list[str]:
    data = await api.data(SEARCH, {"search": search, **variables})
    found = [edge["node"]["email"] for edge in data["contacts"]["edges"]]
    assert data["contacts"]["totalCount"] == len(found)
    return sorted(found)


@pytest.fixture
async def people(api):
    await make_contact(api, "ada@example.com", firstName="Ada", lastName="Lovelace")
    await make_contact(api, "grace.hopper@navy.mil", firstName="Grace", lastName="Hopper")
    await make_contact(api, "alan@turing.org.uk", firstName="Alan", lastName="Turing")
    await make_contact(api, "o'brien+news@x.io", firstName="Seán", lastName="O'Brien")
    return api


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("ada", ["ada@example.com"]),  # email and first name
        ("ADA@EX", ["ada@example.com"]),  # the start of the email, any case
        ("lovelace", ["ada@example.com"]),  # the last name
        ("ada lov", ["ada@example.com"]),  # the start of the full name
        ("example.com", ["ada@example.com"]),  # the domain
        ("@example.com", ["ada@example.com"]),  # from its first letter or digit
        ("grace.h", ["grace.hopper@navy.mil"]),  # the local part
        ("hopper@navy", ["grace.hopper@navy.mil"]),  # a word of the email, to its end
        ("navy", ["grace.hopper@navy.mil"]),
        ("  Grace   HOPPER ", ["grace.hopper@navy.mil"]),  # the full name, spaces collapsed
        ("uk", ["alan@turing.org.uk"]),
        ("a", ["ada@example.com", "alan@turing.org.uk"]),
        ("seán", ["o'brien+news@x.io"]),
        ("o'brien+", ["o'brien+news@x.io"]),
        ("brien", ["o'brien+news@x.io"]),
        ("news@x", ["o'brien+news@x.io"]),
        ("velace", []),  # the middle of a word does not match
        ("hopper grace", []),  # words in another order do not
        ("a.*", []),  # no pattern: these are characters like any other
        ("(", []),
        ("[a-z]", []),
        ("\\", []),
        ("$where", []),
        ("--", []),
    ],
)
async def test_a_search_matches_the_start_of_the_email_its_words_and_names(
    people, search, expected
):
    assert await emails(people, search) == expected


async def test_a_blank_search_is_no_condition(people):
    assert len(await emails(people, "   ")) == 4


async def test_search_results_page_in_score_order_with_the_other_filters(api):
    ids = {}
    for i, score in enumerate([30, 10, 50, 20, 40]):
        ids[i] = await make_contact(api, f"p{i}@team.io", country="Peru" if i else "Chile")
        await api.data(
            SCORE_SET,
            {"input": {"contactId": ids[i], "score": score, "reason": "import"}},
            role=Role.EDITOR,
        )
    await make_contact(api, "other@else.io")
    page = (await api.data(SEARCH, {"search": "team", "first": 2}))["contacts"]
    assert [e["node"]["score"] for e in page["edges"]] == [50, 40]
    assert page["totalCount"] == 5 and page["pageInfo"]["hasNextPage"]
    cursor = page["pageInfo"]["endCursor"]
    rest = (await api.data(SEARCH, {"search": "team", "first": 5, "after": cursor}))["contacts"]
    assert [e["node"]["score"] for e in rest["edges"]] == [30, 20, 10]
    assert not rest["pageInfo"]["hasNextPage"]
    assert await emails(api, "team", country="Chile") == ["p0@team.io"]


async def test_a_contact_whose_names_change_is_found_by_the_new_ones_only(api, store):
    contact_id = await make_contact(api, "al@x.io", firstName="Ada", lastName="Byron")
    assert await emails(api, "byron") == ["al@x.io"]
    changed = await api.data(UPSERT, {"input": {"email": "al@x.io", "lastName": "Lovelace"}})
    assert changed["contactUpsert"]["errors"] == []
    assert await emails(api, "byron") == []
    assert await emails(api, "ada lovelace") == ["al@x.io"]  # the first name is kept
    terms = await store.contacts.search.collection.find({"contactId": contact_id}).to_list(None)
    assert sorted(doc["term"] for doc in terms) == [
        "ada lovelace",
        "al@x.io",
        "io",
        "lovelace",
        "x.io",
    ]
    # A change of anything else leaves the index as it was.
    await api.data(UPSERT, {"input": {"email": "al@x.io", "country": "Peru"}})
    again = await store.contacts.search.collection.find({"contactId": contact_id}).to_list(None)
    assert again == terms


async def test_a_failed_search_write_leaves_the_contact_unwritten(api, store, monkeypatch):
    async def broken(*args, **kwargs):
        raise RuntimeError("lost")

    monkeypatch.setattr(ContactSearch, "reindex", broken)
    with pytest.raises(RuntimeError):
        await store.contacts.upsert("lost@x.io", ContactDetails(first_name="Lost"))
    monkeypatch.undo()
    assert await store.contacts.collection.find_one({"email": "lost@x.io"}) is None
    await store.contacts.upsert("lost@x.io", ContactDetails(first_name="Lost"))
    assert await emails(api, "lost") == ["lost@x.io"]


async def test_a_search_matching_too_many_contacts_is_refused(api, monkeypatch):
    monkeypatch.setattr(contact_search, "MAX_MATCHES", 5)
    monkeypatch.setattr(contact_search, "BUCKETS", 1)  # the sample is the whole range
    for i in range(4):
        await make_contact(api, f"w{i}@wide.io")
    assert len(await emails(api, "wide")) == 4
    for i in range(4, 6):  # 6 matches: the sample lets it through, the count refuses
        await make_contact(api, f"w{i}@wide.io")
    refused = await api.call(SEARCH, {"search": "Wide"})
    [error] = refused["errors"]
    assert error["extensions"] == {"code": "TOO_MANY", "field": "filter.search"}
    assert error["message"] == (
        "'wide' matches more than 5 contacts: search with more of the email address or name"
    )
    for i in range(6, 11):  # 11 matches: refused by the sample, over twice the limit
        await make_contact(api, f"w{i}@wide.io")
    assert (await api.call(SEARCH, {"search": "wide"}))["errors"][0]["extensions"]["code"] == (
        "TOO_MANY"
    )
    assert await emails(api, "w1") == ["w10@wide.io", "w1@wide.io"]


async def test_concurrent_upserts_of_one_new_contact_make_one_contact_and_its_terms(store):
    details = [ContactDetails(first_name=f"Name{i}") for i in range(8)]
    results = await asyncio.gather(*(store.contacts.upsert("race@x.io", d) for d in details))
    assert len({contact.id for contact, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    contact = await store.contacts.by_email("race@x.io")
    assert await store.contacts.search.matching(search_text(contact.first_name or "")) == {
        contact.id
    }
    assert await store.contacts.search.matching("name") == {contact.id}
    terms = await store.contacts.search.collection.find({"contactId": contact.id}).to_list(None)
    assert sorted(doc["term"] for doc in terms) == sorted(
        ["race@x.io", "x.io", "io", (contact.first_name or "").lower()]
    )
