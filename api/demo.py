"""Demo data for a first start: contacts with a few weeks of campaign activity, all scored live."""

import random
from datetime import UTC, datetime, timedelta

from api.db.client import Store
from api.db.contact_docs import ContactQuery
from api.domain.activities import ActivityType
from api.domain.contacts import ContactDetails
from api.services.activities import ActivityInput, record_activities
from api.services.contacts import set_score, upsert_contact

FIRST = [
    "Ada",
    "Grace",
    "Alan",
    "Linus",
    "Margaret",
    "Ken",
    "Barbara",
    "Dennis",
    "Frances",
    "Tim",
    "Radia",
    "Edsger",
    "Hedy",
    "John",
    "Katherine",
    "Niklaus",
    "Sophie",
    "Yukihiro",
]
LAST = [
    "Lovelace",
    "Hopper",
    "Turing",
    "Torvalds",
    "Hamilton",
    "Thompson",
    "Liskov",
    "Ritchie",
    "Allen",
    "Berners-Lee",
    "Perlman",
    "Dijkstra",
    "Lamarr",
    "McCarthy",
    "Johnson",
    "Wirth",
]
COUNTRIES = ["India", "United States", "Germany", "France", "Brazil", "Japan", "Kenya"]
LISTS = ["Newsletter", "Product updates", "Webinar attendees", "Trial users"]
CAMPAIGNS = ["spring-launch", "webinar-june", "newsletter-07", "product-tour", "pricing-update"]


async def seed_demo(store: Store, contacts: int = 120, seed: int = 7) -> int:
    """Seed once: does nothing when contacts exist. Returns the number of activities recorded."""
    if await store.contacts.count(ContactQuery()) > 0:
        return 0
    rng = random.Random(seed)
    emails = []
    for i in range(contacts):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{first}.{last}.{i}@example.com".lower()
        await upsert_contact(
            store,
            email,
            ContactDetails(
                first_name=first,
                last_name=last,
                country=rng.choice(COUNTRIES),
                mailing_lists=rng.sample(LISTS, rng.randint(1, 2)),
                fields={"company": rng.choice(["Acme", "Globex", "Initech", "Umbrella"])},
            ),
        )
        emails.append(email)
    now = datetime.now(UTC)
    activities = []
    for n, email in enumerate(emails):
        engagement = rng.random() ** 2
        for campaign in rng.sample(CAMPAIGNS, rng.randint(1, len(CAMPAIGNS))):
            at = now - timedelta(days=rng.uniform(0, 45))
            opens = int(engagement * 5 * rng.random()) + 1
            clicks = int(engagement * 4 * rng.random())
            for k in range(opens):
                activities.append(
                    _act(email, ActivityType.OPEN, campaign, at, f"d{n}{campaign}o{k}")
                )
            for k in range(clicks):
                activities.append(
                    _act(
                        email,
                        ActivityType.CLICK,
                        campaign,
                        at,
                        f"d{n}{campaign}c{k}",
                        url=f"https://example.com/{campaign}",
                    )
                )
            if engagement > 0.6 and rng.random() < 0.5:
                activities.append(
                    _act(email, ActivityType.POSITIVE_REPLY, campaign, at, f"d{n}{campaign}p")
                )
        if rng.random() < 0.3:
            activities.append(_act(email, ActivityType.WEBSITE_SUBSCRIBE, None, now, f"d{n}ws"))
        if engagement > 0.5 and rng.random() < 0.4:
            activities.append(_act(email, ActivityType.REFER_FRIEND, None, now, f"d{n}rf"))
    activities.sort(key=lambda a: a.occurred_at or now)
    for start in range(0, len(activities), 500):
        await record_activities(store, activities[start : start + 500])
    vip = await store.contacts.by_email(emails[0])
    if vip is not None:
        await set_score(store, vip.id, 150, "Met at the trade fair, asked for a demo", "demo")
    return len(activities)


def _act(
    email: str,
    kind: ActivityType,
    campaign: str | None,
    at: datetime,
    key: str,
    url: str | None = None,
) -> ActivityInput:
    return ActivityInput(
        contact_email=email,
        type=kind,
        campaign_id=campaign,
        url=url,
        occurred_at=at,
        idempotency_key=f"demo-{key}",
    )
