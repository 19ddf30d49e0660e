"""The departments a customer can ask for in the chat start form (guide 003)."""

from enum import StrEnum


class Department(StrEnum):
    """A queue of the live chat; values are stable codes, labels are what people read."""

    SALES = "comercial"
    FINANCE = "financeiro"
    SUPPORT = "suporte"
    WEBSITES = "websites"

    def label(self, language: str = "pt-BR") -> str:
        """The department's name, pt-BR first, English otherwise."""
        names = _LABELS[self]
        return names[0] if language.lower().startswith("pt") else names[1]


_LABELS = {
    Department.SALES: ("Comercial", "Sales"),
    Department.FINANCE: ("Financeiro", "Finance"),
    Department.SUPPORT: ("Suporte", "Support"),
    Department.WEBSITES: ("Websites", "Websites"),
}
