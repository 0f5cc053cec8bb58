"""``python -m skmedtext`` runs the command line."""

from skmedtext.cli import main

raise SystemExit(main())
