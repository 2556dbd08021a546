"""pytest setup: import the sinter package from this checkout (its
extension from the build tree, $SINTER_BUILD_DIR or <source>/build)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
