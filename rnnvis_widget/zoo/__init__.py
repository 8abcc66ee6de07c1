"""Corpora from registry packages, and the demo model (the model manager grows here)."""
