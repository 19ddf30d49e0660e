"""The pure account rules: addresses, names, the password policy, staff departments, principals."""

import pytest

from gateway.domain.accounts import (
    Problem,
    email_problems,
    name_problems,
    normalise_email,
    normalise_name,
    password_problems,
    sign_up_problems,
    staff_departments,
)
from gateway.domain.language import ENGLISH, PORTUGUESE
from gateway.domain.messages import text
from gateway.domain.principal import principal

CONFIGURED = ("Comercial", "Financeiro", "Suporte", "Websites")


def test_addresses_are_stored_trimmed_and_lower_case() -> None:
    assert normalise_email("  Maria.Silva@Example.COM ") == "maria.silva@example.com"


@pytest.mark.parametrize(
    "email",
    ["maria@example.com", "a.b+tag@sub.example.com.br", "joao@exemplo.com.br", "jose@açaí.com.br"],
)
def test_plain_addresses_pass(email: str) -> None:
    assert email_problems(email) == []


@pytest.mark.parametrize(
    "email",
    [
        "",
        "maria",
        "maria@",
        "@example.com",
        "maria@localhost",
        "maria@@example.com",
        "ma ria@example.com",
        ".maria@example.com",
        "ma..ria@example.com",
        "maria@-example.com",
        "maria@example..com",
        "maria@exa_mple.com",
        "m" * 65 + "@example.com",
        "maria@" + "a" * 250 + ".com",
    ],
)
def test_malformed_addresses_are_refused(email: str) -> None:
    assert email_problems(email) == [Problem("email", "email_invalid")]


def test_names_are_collapsed_and_checked() -> None:
    assert normalise_name("  Maria \t da  Silva ") == "Maria da Silva"
    assert name_problems("") == [Problem("name", "name_blank")]
    assert name_problems("x" * 121) == [Problem("name", "name_too_long")]
    assert name_problems("Maria\x00") == [Problem("name", "name_invalid")]
    assert name_problems("Conceição") == []


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("curta", "password_too_short"),
        ("123456789", "password_too_short"),
        ("x" * 257, "password_too_long"),
        ("12345678901", "password_only_digits"),
        ("Senha12345", "password_too_common"),
        ("qwerty 1234", "password_too_common"),
        ("aaaaaaaaaaaa", "password_too_common"),
        ("abababababab", "password_too_common"),
        ("mariasilva2024", "password_like_email"),
    ],
)
def test_the_password_policy_names_its_reason(password: str, reason: str) -> None:
    assert password_problems(password, "mariasilva@example.com") == [Problem("password", reason)]


def test_good_passwords_pass_and_the_field_name_is_the_callers() -> None:
    assert password_problems("correct horse battery", "maria@example.com") == []
    assert password_problems("1234567890x") == []
    assert password_problems("short", field="new_password") == [Problem("new_password", "password_too_short")]


def test_sign_up_reports_every_field_at_once() -> None:
    assert sign_up_problems("", "nope", "123") == [
        Problem("name", "name_blank"),
        Problem("email", "email_invalid"),
        Problem("password", "password_too_short"),
    ]


def test_agents_need_known_departments_given_in_any_case() -> None:
    assert staff_departments("agent", ["suporte", " FINANCEIRO", "Suporte"], CONFIGURED) == (
        ("Suporte", "Financeiro"),
        [],
    )
    assert staff_departments("agent", [], CONFIGURED) == ((), [Problem("departments", "department_required")])
    assert staff_departments("agent", ["Suporte", "Vendas"], CONFIGURED) == (
        (),
        [Problem("departments", "department_unknown")],
    )
    assert staff_departments("admin", [], CONFIGURED) == ((), [])


def test_admins_see_every_department_and_customers_none() -> None:
    admin = principal("1", "admin", "a@x.com", "A", True, (), CONFIGURED)
    agent = principal("2", "agent", "b@x.com", "B", True, ("Suporte",), CONFIGURED)
    customer = principal("3", "customer", "c@x.com", "C", False, ("Suporte",), CONFIGURED)
    assert (admin.departments, agent.departments, customer.departments) == (CONFIGURED, ("Suporte",), ())
    assert (admin.is_staff, agent.is_staff, customer.is_staff) == (True, True, False)


@pytest.mark.parametrize(
    "reason",
    [
        "email_invalid",
        "name_blank",
        "name_too_long",
        "name_invalid",
        "password_too_short",
        "password_too_long",
        "password_only_digits",
        "password_too_common",
        "password_like_email",
        "department_required",
        "department_unknown",
        "role_unknown",
        "email_in_use",
        "invalid_credentials",
        "token_invalid_or_expired",
        "token_not_found",
        "csrf_failed",
        "unauthorized",
        "forbidden",
    ],
)
def test_every_account_reason_reads_in_both_languages(reason: str) -> None:
    portuguese, english = text(reason, PORTUGUESE), text(reason, ENGLISH)
    assert reason not in (portuguese, english)
    assert portuguese != english
