"""What the two processes share: the events, the commands, the menu, the settings, the orders.

Imports nothing else of the project, so the kitchen process and the parent can both load it.
"""
