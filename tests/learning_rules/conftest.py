import os
import sys

# the shared test helpers (gradcheck.py) import from every folder below this one
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
