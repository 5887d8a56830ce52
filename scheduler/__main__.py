"""``python -m scheduler`` is the ``veilleur`` command."""

if __name__ == "__main__":  # not when a worker process imports this module again
    from scheduler.cli import main

    main()
