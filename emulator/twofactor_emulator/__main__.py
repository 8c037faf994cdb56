"""`python -m twofactor_emulator` is the `twofactor-emulator` command."""

from .cli import main

raise SystemExit(main())
