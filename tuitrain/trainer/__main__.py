"""``python -m tuitrain.trainer RUN_DIR``: the trainer process (started by ``start_run``)."""

import sys

from tuitrain.trainer.process import main

sys.exit(main(sys.argv[1:]))
