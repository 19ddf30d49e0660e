"""The mixed sustained load (`soak_mixed`): the stack, each flow's load, the samplers and the end checks."""
