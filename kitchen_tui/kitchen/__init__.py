"""The kitchen process: real anyio tasks serving order tickets. Loads only the protocol."""
