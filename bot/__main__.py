"""`python -m bot ARGS` is the same as `filmclub ARGS`."""

from bot.cli import main

raise SystemExit(main())
