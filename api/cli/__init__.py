"""The commands of `python -m api`, one module each; api/__main__.py parses the arguments."""
