"""The write path: how a change to a contact's score becomes ledger entries and a contact state.

    service -> planner (`planner_for`: the sheet and rules read once per request)
            -> commit (`commit.commit`: plan from the cached or stored state, store, retry)
            -> one transaction (`api.db.transactions`): ledger entries + contact state

The planner (api.scoring.planner) is pure: given a contact's state and changes it answers the new
entries and the state after them. The commit reads the states (from this process's cache,
`state_cache`, else from the contacts and their ledger-only tails), plans, and stores everything in
one transaction. The ledger's unique (contact, sequence number) is the optimistic lock: a writer
that planned from a stale state collides, re-reads and plans again; a keyed entry (an activity's
idempotency key, an expiry's) that collides was recorded before and is answered with the stored
entry. After too many rounds `CommitContention` tells the client to try again.
"""
