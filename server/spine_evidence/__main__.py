"""``python -m spine_evidence``: the ``spine-evidence`` command, for a Python with no script on its PATH."""

from spine_evidence.cli import run_main

if __name__ == "__main__":
    run_main()
