"""`python -m attribution` is the `attribution` command."""

from .cli import main

if __name__ == "__main__":
    main()
