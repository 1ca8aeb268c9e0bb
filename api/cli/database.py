"""The database a command works on: MONGODB_URI, or the embedded one, started once here."""

from collections.abc import Iterator
from contextlib import contextmanager

from api.config import Settings
from api.embedded import EmbeddedMongo


@contextmanager
def database(settings: Settings) -> Iterator[str]:
    """The database's URI. Without MONGODB_URI the embedded server runs meanwhile (one already
    running on the data directory is reused and left running)."""
    if settings.mongodb_uri is not None:
        yield settings.mongodb_uri
        return
    embedded = EmbeddedMongo(settings.data_dir, settings.embedded_port)
    embedded.start()
    try:
        yield embedded.uri
    finally:
        embedded.stop()
