from asc_tui.cli import main

raise SystemExit(main())
