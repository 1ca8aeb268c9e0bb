"""Contact scoring states recently committed by this process.

Only a hint: every commit claims the next sequence numbers of the contact's ledger, so a stale
state (another process wrote since) collides, is dropped and re-read.
"""

from collections import OrderedDict
from collections.abc import Sequence

from api.domain.contacts import ContactState

CACHE_SIZE = 50_000


class StateCache:
    """Recently committed contact states of this process, least recently used dropped first."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self.states: OrderedDict[str, ContactState] = OrderedDict()

    def get(self, contact_id: str) -> ContactState | None:
        state = self.states.get(contact_id)
        if state is not None:
            self.states.move_to_end(contact_id)
        return state

    def put(self, state: ContactState) -> None:
        self.states[state.contact_id] = state
        self.states.move_to_end(state.contact_id)
        while len(self.states) > self.size:
            self.states.popitem(last=False)

    def forget(self, contact_ids: Sequence[str]) -> None:
        for contact_id in contact_ids:
            self.states.pop(contact_id, None)
