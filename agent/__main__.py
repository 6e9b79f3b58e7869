"""Allow ``python -m agent``."""

from agent.main import main

raise SystemExit(main())
