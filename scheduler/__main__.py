"""``python -m scheduler`` is the ``veilleur`` command."""

from scheduler.cli import main

main()
