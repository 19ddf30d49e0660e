"""Text normalisation for the grouping: pt-BR and English words, stems and pairs, without the noise."""

from __future__ import annotations

import pytest

from insights.grouping.stopwords import ONLY_ENGLISH, ONLY_PORTUGUESE, STOP_WORDS
from insights.grouping.text import Analyzer, language, plain


def terms(text: str) -> list[str]:
    return Analyzer().terms(text)


def test_greetings_numbers_addresses_links_and_ticket_references_leave_only_the_subject() -> None:
    text = (
        "Olá, bom dia! Não consigo emitir a nota fiscal #1042 de R$ 150,00, meu email: ana.3@gmail.com, "
        "veja https://app.example.com.br/nf/77 ou www.loja.com.br. Obrigado, att"
    )
    assert terms(text) == ["emit", "not", "emit not", "fiscal", "not fiscal", "email", "vej"]


def test_a_text_of_greetings_and_thanks_has_no_terms() -> None:
    assert terms("Oi, tudo bem? Bom dia! Obrigada, abraços") == []
    assert terms("Hello team, good morning. Thanks in advance, kind regards") == []


def test_accents_case_and_hyphens_do_not_change_a_term() -> None:
    assert terms("EMISSÃO da NF-e rejeitada") == terms("emissao da nfe rejeitada") != []
    assert terms("não recebo e-mails") == terms("nao recebo emails")


def test_each_language_is_stemmed_by_its_own_rules() -> None:
    assert terms("boletos vencidos") == terms("boleto vencido") == ["bolet", "venc", "bolet venc"]
    assert (
        terms("the invoices were refunded")
        == terms("the invoice was refunded")
        == ["invoic", "refund", "invoic refund"]
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Não consigo entrar no sistema", "pt"),
        ("I cannot log in to my account", "en"),
        ("O site está fora do ar desde ontem", "pt"),
        ("Our website has been down since this morning", "en"),
        ("boleto", "pt"),  # no function word at all: the product speaks pt-BR first
    ],
)
def test_the_language_is_guessed_from_function_words(text: str, expected: str) -> None:
    assert language(set(text.lower().split())) == expected


def test_pairs_join_neighbours_across_stop_words_but_never_across_clauses() -> None:
    assert terms("Segunda via do boleto") == ["segund", "via", "segund via", "bolet", "via bolet"]
    assert terms("Boleto vencido. Senha errada") == [
        "bolet",
        "venc",
        "bolet venc",
        "senh",
        "errad",
        "senh errad",
    ]


def test_stems_are_spelt_back_as_the_texts_write_them_most() -> None:
    analyzer = Analyzer()
    texts = ["Boletos vencidos", "o boleto venceu", "boleto vencido", "BOLETO"]
    for text in texts:
        analyzer.terms(text)
    assert analyzer.spelling(texts, "pt") == {"bolet": "boleto", "venc": "vencidos"}  # a tie: the first


def test_the_analyser_records_each_texts_language_in_order() -> None:
    analyzer = Analyzer()
    analyzer.terms("Não consigo entrar")
    analyzer.terms("I can't log in")
    assert analyzer.languages == ["pt", "en"]


def test_stop_word_lists_hold_both_spellings_and_tell_the_languages_apart() -> None:
    assert {"não", "nao", "você", "voce", "obrigado", "thanks", "the"} <= STOP_WORDS
    assert "boleto" not in STOP_WORDS and "senha" not in STOP_WORDS and "password" not in STOP_WORDS
    assert not ONLY_ENGLISH & ONLY_PORTUGUESE
    assert "the" in ONLY_ENGLISH and "você" in ONLY_PORTUGUESE and "voce" in ONLY_PORTUGUESE


def test_plain_strips_accents_only() -> None:
    assert plain("Emissão, ações, você, é, ü, ç") == "Emissao, acoes, voce, e, u, c"
