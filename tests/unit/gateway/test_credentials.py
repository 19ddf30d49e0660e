"""Credentials: digests instead of secrets, argon2id off the event loop, rehash on new parameters."""

import hashlib

from argon2 import PasswordHasher

from gateway.accounts.credentials import API_TOKEN_PREFIX, Passwords, digest, new_secret, same


def test_secrets_are_random_and_stored_as_sha256() -> None:
    first, second = new_secret(), new_secret(API_TOKEN_PREFIX)
    assert first != second and len(first) >= 43
    assert second.startswith("atd_")
    assert digest(first) == hashlib.sha256(first.encode()).digest()
    assert same("abc", "abc") and not same("abc", "abd")


async def test_passwords_hash_with_argon2id_and_verify() -> None:
    passwords = Passwords()
    encoded = await passwords.hash("correct horse battery")
    assert encoded.startswith("$argon2id$")
    assert "correct horse battery" not in encoded
    assert await passwords.verify(encoded, "correct horse battery")
    assert not await passwords.verify(encoded, "wrong horse battery")
    assert not await passwords.verify("not-a-hash", "correct horse battery")
    assert not passwords.needs_rehash(encoded)


async def test_an_unknown_account_is_checked_against_a_dummy_hash() -> None:
    passwords = Passwords()
    assert not await passwords.verify(None, "anything at all")
    assert passwords._dummy.startswith("$argon2id$")


def test_hashes_made_with_other_parameters_need_a_rehash() -> None:
    old = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash("correct horse battery")
    assert Passwords().needs_rehash(old)
