"""The gateway's pure rules: language choice and the words people read. No I/O."""
