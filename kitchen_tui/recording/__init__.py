"""Talk mode's plumbing without Textual: replaying kitchen traces and recording asciicasts."""
