"""The Textual front end: the kitchen drawn live from its event stream."""
