"""roret's command line takes ordinary memory pages for numpy's large arrays unless the user
chose otherwise (numpy reads NUMPY_MADVISE_HUGEPAGE when it is imported)."""
import os
import subprocess
import sys

import pytest

ASK = "import analysis, numpy; print(numpy._core.multiarray._get_madvise_hugepage())"


@pytest.mark.parametrize("chosen, expected", [(None, "False"), ("1", "True")])
def test_huge_pages_off_unless_the_user_asks(chosen, expected):
    environment = {k: v for k, v in os.environ.items() if k != "NUMPY_MADVISE_HUGEPAGE"}
    if chosen is not None:
        environment["NUMPY_MADVISE_HUGEPAGE"] = chosen
    answer = subprocess.run([sys.executable, "-c", ASK], env=environment, capture_output=True, text=True, check=True)
    assert answer.stdout.strip() == expected
