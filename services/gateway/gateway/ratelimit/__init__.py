"""Rate limits on the public endpoints, counted in the gateway's database so every replica agrees."""
