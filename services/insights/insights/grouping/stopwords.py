"""Words that say nothing about what a demand is about: pt-BR and English function words, greetings, filler.

Compact lists written here (no download): the function words of both languages, plus the politeness and
request filler every support message carries ("bom dia", "obrigado", "preciso", "thanks", "please").
Accented forms are listed as written; the accent-free spelling of each is added, since many customers type
without accents.
"""

from __future__ import annotations

import unicodedata


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


PORTUGUESE = _words(
    """
    a à ao aos aquela aquelas aquele aqueles aquilo as às até com como da das de dela delas dele deles depois
    do dos e é ela elas ele eles em entre era eram essa essas esse esses esta está estão estas estava estavam
    este estes estou eu foi fomos for foram fosse há isso isto já la lá lhe lhes mais mas me mesmo meu meus
    minha minhas muito na não nas nem no nos nós nossa nossas nosso nossos num numa o os ou para pela pelas
    pelo pelos por qual quando que quem se sem ser será seu seus só sua suas são também te tem têm tenho ter
    teu tua um uma umas uns você vocês vos pra pro tá né ja nao voce voces aqui ali agora ainda sempre
    vai vou fica ficou fazer faz feito pode podem poderia posso consigo tudo todo todos toda todas cada
    outro outra outros outras algum alguma alguns algumas nada nenhum nenhuma ele ela sim então entao porque
    pois assim sobre desde durante após antes hoje ontem amanhã dia
    """
)
ENGLISH = _words(
    """
    a about above after again against all am an and any are aren as at be because been before being below
    between both but by can cannot could couldn did didn do does doesn doing don down during each few for
    from further had hadn has hasn have haven having he her here hers herself him himself his how i if in
    into is isn it its itself just let me more most my myself no nor not now of off on once only or other
    our ours ourselves out over own same she should shouldn so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was wasn we were weren
    what when where which while who whom why will with won would wouldn you your yours yourself yourselves
    s t ll ve re m d also still already since get got getting any anyone anything every everything
    """
)
# Greetings, thanks and request filler of both languages: in every topic, so they only blur the groups.
FILLER = _words(
    """
    ola oi olá bom boa dia tarde noite obrigado obrigada obrigados grato grata agradeço agradeco att atenciosamente
    abraço abraços abraco abracos prezado prezados prezada prezadas caro cara tudo bem favor ajuda ajudar
    preciso precisamos gostaria queria quero saber dúvida duvida dúvidas duvidas pessoal equipe aguardo
    retorno urgente valeu beleza segue anexo print vezes já tentei ok okay certo verificar testar
    hello hi hey dear thanks thank thx cheers regards kind best good morning afternoon evening please pls
    help need needed want would like team support hope hoping urgent asap attached screenshot tried times
    question wondering quick sure yes yeah check try let works advance
    """
)


def _plain(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


STOP_WORDS = frozenset(w for word in PORTUGUESE | ENGLISH | FILLER for w in (word, _plain(word)))
# For guessing a text's language: the function words only one of the two languages has.
ONLY_PORTUGUESE = frozenset(w for word in PORTUGUESE - ENGLISH for w in (word, _plain(word))) - ENGLISH
ONLY_ENGLISH = ENGLISH - PORTUGUESE - ONLY_PORTUGUESE
