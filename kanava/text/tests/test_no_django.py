"""kanava.text stays free of Django, so it can be used and benchmarked alone."""

import subprocess
import sys

MODULES = ["classify", "evaluate", "language", "readability", "similarity", "stems", "tfidf", "tone"]


def test_the_text_tools_import_without_django():
    imports = "; ".join(f"import kanava.text.{name}" for name in MODULES)
    check = f"import sys; {imports}; print('django' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
