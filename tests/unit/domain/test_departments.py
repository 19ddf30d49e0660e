"""Guide 003's chat departments."""

from chat.domain.departments import Department


def test_the_four_departments_of_the_guide() -> None:
    assert [d.label() for d in Department] == ["Comercial", "Financeiro", "Suporte", "Websites"]
    assert Department("suporte").label("en") == "Support"
