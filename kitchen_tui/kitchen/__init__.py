"""The kitchen engine: real anyio tasks serving order tickets. Imports nothing from Textual."""
