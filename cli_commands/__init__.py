"""Command modules of the ``zkclear`` command line, registered into ``cli.main``."""
