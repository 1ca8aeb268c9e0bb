"""Background work in an API process: its task set, and the heartbeat that lets jobs over every
contact survive the process."""
