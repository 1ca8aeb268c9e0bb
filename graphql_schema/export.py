"""Write the SDL of the schema to graphql_schema/schema.graphql (a test checks it is current)."""

from pathlib import Path

from strawberry.printer import print_schema

from graphql_schema.schema import schema

SDL_PATH = Path(__file__).with_name("schema.graphql")


def sdl() -> str:
    return print_schema(schema) + "\n"


def main() -> None:
    SDL_PATH.write_text(sdl())
    print(f"wrote {SDL_PATH}")


if __name__ == "__main__":
    main()
