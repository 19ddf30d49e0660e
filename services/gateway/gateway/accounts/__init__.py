"""Customer and staff accounts: sign-up, email verification, sessions, API tokens, password resets."""
