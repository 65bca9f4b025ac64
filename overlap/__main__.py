"""``python -m overlap``: the same command line as the ``overlap`` script."""

from .cli import main

if __name__ == "__main__":
    main(prog_name="overlap")
