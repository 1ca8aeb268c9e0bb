"""`python -m api token NAME ROLE`: create an API token and print it once."""

import asyncio

from api.cli.database import database
from api.config import Settings
from api.db.client import Store
from api.domain.access import Role
from api.services.access import create_token


async def _token(uri: str, database_name: str, name: str, role: Role) -> None:
    store = Store(uri, database_name)
    try:
        await store.ensure_indexes()
        secret, _ = await create_token(store, name, role)
        print(secret)
    finally:
        store.close()


def run_token(settings: Settings, name: str, role: Role) -> None:
    with database(settings) as uri:
        asyncio.run(_token(uri, settings.database, name, role))
