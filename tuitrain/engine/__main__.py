"""``python -m tuitrain.engine RUN_DIR``: the trainer process (started by ``start_run``)."""

import sys

from tuitrain.engine.trainer import main

sys.exit(main(sys.argv[1:]))
