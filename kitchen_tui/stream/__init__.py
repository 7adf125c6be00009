"""The parent's side of the event stream: the kitchen it spawns, the ledger, headless runs,
the model.

Never imports Textual.
"""
