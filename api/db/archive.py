"""Backups of the embedded database (SecantusDB): a consistent snapshot written by the server.

`secantusAdmin.backupArchive` checkpoints the storage and tars the files of that checkpoint into a
.tar.gz on the server's host, holding writes back meanwhile. MongoDB has no such command: back it
up with mongodump --oplog or your replica set's snapshots.
"""

from api.db.client import Store


async def write_archive(store: Store, path: str) -> int:
    """Write the snapshot to `path` (absolute, on the database's host); its size in bytes."""
    answer = await store.client.admin.command("secantusAdmin.backupArchive", outputPath=path)
    return int(answer["sizeBytes"])
