"""The broken stores beside these tests are imported by name, by them and by the kit runs they
start."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
