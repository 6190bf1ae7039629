"""``python -m billdiff`` runs the command line."""

from billdiff.cli import main

main()
