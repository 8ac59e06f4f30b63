import sys

from fs.cli import main

sys.exit(main())
