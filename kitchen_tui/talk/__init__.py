"""What a user writes and a talk plays: scenario and scene files, the built-in ones, the player.

Never imports Textual.
"""
