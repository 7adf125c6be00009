"""One widget per module; each draws a part of the kitchen from the shared board."""
