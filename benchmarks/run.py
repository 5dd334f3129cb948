"""Run the whole benchmark suite and rewrite benchmarks/RESULTS.md: ``python benchmarks/run.py``."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks import fusion, overhead, training  # noqa: E402

if __name__ == "__main__":
    overhead.main()
    training.main()
    fusion.main()
