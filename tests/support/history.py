"""A seeded support history: pt-BR and English tickets and chats about known topics, plus unrelated noise.

Each record's planted topic (``NOISE`` for the unrelated ones) and language are returned beside it, so
tests can score the grouping and check figures. Wording varies inside a topic on purpose: several sentence
shapes, synonyms, greetings and sign-offs, typos, texts typed without accents, numbers, e-mails, links and
ticket references — never one template per topic.
"""

from __future__ import annotations

import itertools
import random
import re
import string
import unicodedata
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from insights.domain.records import ChatRecord, StatusSpan, TicketRecord

T = TypeVar("T")
NOISE = "noise"
DEPARTMENTS = ("Comercial", "Financeiro", "Suporte", "Websites")
START = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday
AGENTS = tuple(f"agent-{name}" for name in ("ana", "bruno", "carla", "diego", "elis", "fabio"))


@dataclass(frozen=True)
class Wording:
    """How customers write about a topic in one language: subjects, opening messages and slot fillers."""

    subjects: tuple[str, ...]
    bodies: tuple[str, ...]
    slots: Mapping[str, tuple[str, ...]]


def _w(subjects: str, bodies: str, **slots: str) -> Wording:
    """A wording from "|"-separated alternatives (a slot without "|" is a list of single words)."""

    def split(text: str) -> tuple[str, ...]:
        return tuple(part.strip() for part in text.split("|")) if "|" in text else tuple(text.split())

    return Wording(split(subjects), split(bodies), {name: split(text) for name, text in slots.items()})


@dataclass(frozen=True)
class Topic:
    """A planted recurring demand: its usual department, weight, and wording per language."""

    name: str
    department: str
    weight: float
    pt: Wording | None
    en: Wording | None = None
    english: float = 0.0  # the share written in English


TOPICS: tuple[Topic, ...] = (
    Topic("boleto", "Financeiro", 12, _w(
        "{boleto} {falha} | {via} do {boleto} | Preciso da {via} do {boleto} | Problema com o {boleto} | {boleto} vencido",
        "Tentei {gerar} o {boleto} pelo sistema mas {falha}. O vencimento é dia {n}, como faço? | O {boleto} deste mês venceu e preciso da {via} com a data atualizada. | Quando clico para {gerar} o {boleto} {falha}, já tentei em outro navegador. | Vocês podem me mandar a {via} do {boleto}? Não veio junto com a cobrança. | O código de barras do {boleto} está inválido, o banco recusa o pagamento.",
        boleto="boleto | boleto bancário | bloqueto | boleto de pagamento | boleto da mensalidade",
        gerar="gerar | emitir | imprimir | baixar | tirar", falha="não gera | não está gerando | dá erro | não abre | sai em branco",
        via="segunda via | 2ª via | 2a via | nova via | segunda via atualizada")),
    Topic("nota_fiscal", "Financeiro", 9, _w(
        "Erro ao {emitir} {nota} | {nota} {rejeitada} | Não consigo {emitir} {nota} | {nota} com erro | Problema na {nota}",
        "Ao {emitir} a {nota} o sistema mostra {erro}. | A {nota} do pedido {ref} foi {rejeitada} pela Sefaz com {erro}. | Desde ontem não consigo {emitir} {nota}, aparece {erro}. | Preciso {emitir} a {nota} de um cliente e ela volta {rejeitada}. | O XML da {nota} não é gerado e o DANFE sai sem o número.",
        nota="nota fiscal | NF-e | nota fiscal eletrônica | NFe | nota", emitir="emitir | gerar | transmitir | autorizar",
        rejeitada="rejeitada | recusada | denegada", erro="rejeição 539 | erro de schema | erro no certificado digital | erro de CFOP | uma rejeição")),
    Topic("site_fora", "Websites", 8, _w(
        "Site {fora} | Meu site {fora} | Loja virtual {fora} | {urgente} site {fora} | Página {fora}",
        "O site {site} {fora} desde {quando}, os clientes não conseguem acessar. | Ao abrir o site aparece {pagina} e ninguém consegue entrar. | Nosso site {fora} {quando}, perdemos vendas, por favor verifiquem a hospedagem. | A loja virtual {fora}, dá {pagina} em todas as páginas. | Tento acessar a página inicial e {pagina}.",
        fora="está fora do ar | caiu | não abre | fora do ar | está offline", site="da empresa | institucional | | www.minhaloja.com.br",
        pagina="erro 500 | página em branco | erro 503 | tela branca | servidor não encontrado", quando="hoje cedo | ontem à noite | as 10h | o fim de semana",
        urgente="URGENTE | Urgente: | | Socorro,"),
        _w("Website {down} | Our site is {down} | Store {down} | {urgent} website {down}",
           "Our website has been {down} since {when} and customers cannot reach it. | When we open the site we get {page}. | The online store is {down}, every page shows {page}. | Is there an outage? The website is {down} {when}.",
           down="down | offline | not loading | unreachable", page="a 500 error | a blank page | a 503 error | server not found",
           when="this morning | last night | 9am | the weekend", urgent="URGENT | Urgent: | | Help,"),
        english=0.2),
    Topic("senha", "Suporte", 12, _w(
        "{naoconsigo} {entrar} | {esqueci} | Senha {invalida} | Problema de login | {naoconsigo} {entrar} no sistema",
        "Digito meu usuário e senha e aparece senha {invalida}. | {esqueci} e o link de redefinição de senha não funciona. | Desde a atualização {naoconsigo} {entrar} no painel, diz login {invalida}. | Troquei a senha ontem e hoje {naoconsigo} {entrar}. | Meu usuário foi bloqueado depois de errar a senha, como {redefinir}?",
        naoconsigo="não consigo | nao consigo | impossível | não dá para", entrar="entrar | acessar | logar | fazer login",
        esqueci="Esqueci minha senha | Esqueci a senha | Perdi a senha de acesso", invalida="inválida | incorreta | errada",
        redefinir="redefinir a senha | desbloquear o usuário | trocar a senha"),
        _w("Can't {login} | Password {reset} | Login {problem} | Forgot my password",
           "I {cannot} {login} to the dashboard, it says invalid password. | The password {reset} link does not work and I {cannot} {login}. | My account got locked after a few wrong passwords, how do I {reset} it? | Since yesterday I {cannot} {login}, the password is rejected.",
           login="log in | sign in | login | access my account", reset="reset | recovery | change", problem="problem | issue | error",
           cannot="can't | cannot | am unable to"),
        english=0.2),
    Topic("ssl", "Websites", 6, _w(
        "Certificado {ssl} {expirado} | Site aparece {inseguro} | Problema com {ssl} | Cadeado do site sumiu",
        "O certificado {ssl} do site {expirado} e o navegador mostra {inseguro}. | Os clientes reclamam que o site aparece como {inseguro}, acho que o certificado {expirado}. | Precisamos renovar o certificado {ssl}, o https parou de funcionar. | O cadeado sumiu e o Chrome avisa que a conexão não é segura, o certificado {expirado}.",
        ssl="SSL | SSL/TLS | digital do site | https", expirado="expirou | está vencido | venceu | expirado",
        inseguro="não seguro | inseguro | conexão não segura | site perigoso"),
        _w("SSL certificate {expired} | Site shows {insecure} | {ssl} problem",
           "Our SSL certificate {expired} and browsers show {insecure}. | Customers say the site is marked {insecure}, I think the certificate {expired}. | We need to renew the {ssl} certificate, https stopped working.",
           expired="expired | has expired | is out of date", insecure="not secure | an insecure connection warning | a security warning",
           ssl="SSL | TLS | https"),
        english=0.25),
    Topic("cancelar", "Comercial", 7, _w(
        "{cancelar} {plano} | Quero {cancelar} | {cancelamento} | Pedido de {cancelamento} do {plano}",
        "Gostaria de {cancelar} o meu {plano} a partir do mês que vem. | Como faço o {cancelamento} do {plano}? Não vou mais usar o serviço. | Quero {cancelar} o {plano} e não ser mais cobrado. | Solicito o {cancelamento} do {plano}, a empresa vai encerrar as atividades.",
        cancelar="cancelar | encerrar | cancelar de vez", plano="plano | contrato | assinatura | plano mensal",
        cancelamento="cancelamento | encerramento | rescisão"),
        _w("{cancel} my {plan} | {cancel} {plan} | Cancellation request",
           "I would like to {cancel} my {plan} from next month. | How do I {cancel} the {plan}? We no longer use it. | Please {cancel} our {plan} and stop charging the card.",
           cancel="Cancel | Terminate | End", plan="subscription | plan | contract | account"),
        english=0.2),
    Topic("backup", "Suporte", 6, _w(
        "{backup} do {banco} | {backup} {falhou} | Restaurar {backup} | Preciso de um {backup}",
        "O {backup} automático do {banco} {falhou} esta noite. | Preciso restaurar o {backup} do {banco} de ontem, apagamos registros sem querer. | Como faço um {backup} do {banco} antes da atualização? | O arquivo de {backup} do {banco} está corrompido e não restaura.",
        backup="backup | cópia de segurança | bkp | dump", banco="banco de dados | banco | base de dados | MySQL | PostgreSQL",
        falhou="falhou | não rodou | deu erro | parou"),
        _w("Database {backup} | {backup} {failed} | Restore a {backup}",
           "The nightly database {backup} {failed}. | We need to restore yesterday's database {backup}, some records were deleted. | How can I take a {backup} of the database before the upgrade?",
           backup="backup | dump | snapshot", failed="failed | did not run | stopped"),
        english=0.15),
    Topic("email", "Suporte", 8, _w(
        "E-mail {naochega} | Não recebo {emails} | {emails} caindo no spam | Problema com {emails}",
        "Os {emails} {naochega} na caixa de entrada desde {quando}. | Enviamos {emails} para os clientes mas eles {naochega}, alguns caem no spam. | Não recebo mais {emails} no Outlook, a caixa de entrada está vazia. | Meus {emails} voltam com erro de entrega.",
        naochega="não chegam | não estão chegando | sumiram | demoram horas", emails="e-mails | emails | mensagens | email",
        quando="ontem | segunda-feira | a mudança de servidor | hoje de manhã"),
        _w("Emails {notarriving} | Not receiving {emails} | {emails} going to spam",
           "Our {emails} are {notarriving} in the inbox since {when}. | Customers are {notarriving} our {emails}, some land in spam. | I stopped receiving {emails} in Outlook, the inbox is empty.",
           notarriving="not arriving | not delivered | missing | delayed", emails="emails | e-mails | messages",
           when="yesterday | Monday | the server move"),
        english=0.2),
    Topic("invoice", "Financeiro", 4, None, _w(
        "Refund request | {charged} twice | Wrong {invoice} | {invoice} question | Refund for {invoice}",
        "I was {charged} twice this month, please issue a refund. | The {invoice} amount is wrong, we should get a refund for the difference. | Where can I download the {invoice} for last month? | We cancelled but were still {charged}, when will the refund arrive?",
        charged="charged | billed | debited", invoice="invoice | bill | receipt | billing statement"), english=1.0),
    Topic("plano", "Comercial", 6, _w(
        "{mudar} de plano | {proposta} | Preço do plano {maior} | Quero um plano {maior}",
        "Quero {mudar} para o plano {maior}, quanto custa? | Gostaria de uma {proposta} para o plano {maior} com mais usuários. | Qual a diferença de preço entre os planos? Pensamos em {mudar}. | Podem enviar uma {proposta} com valores para {n} usuários?",
        mudar="mudar | migrar | fazer upgrade | trocar", proposta="proposta comercial | orçamento | cotação",
        maior="empresarial | premium | maior | profissional"),
        _w("{upgrade} our plan | Pricing for {bigger} plan | Quote request",
           "We want to {upgrade} to the {bigger} plan, how much is it? | Could you send a quote for the {bigger} plan with more users? | What is the price difference between the plans?",
           upgrade="upgrade | move | switch", bigger="business | premium | enterprise | pro"),
        english=0.15),
    Topic("relatorio", "Suporte", 5, _w(
        "{relatorio} não exporta | Erro ao exportar {relatorio} | {relatorio} em {formato} | Exportação de {relatorio}",
        "Quando exporto o {relatorio} para {formato} o arquivo vem vazio. | O {relatorio} de vendas não exporta para {formato}, fica carregando. | Preciso exportar o {relatorio} em {formato} mas o botão dá erro. | A planilha do {relatorio} sai com as colunas trocadas.",
        relatorio="relatório | relatorio | relatório mensal | relatório de vendas", formato="Excel | planilha | PDF | CSV | xlsx")),
    Topic("integracao", "Suporte", 5, _w(
        "Integração com o {erp} {falhando} | {api} retornando erro | Sincronização {falhando}",
        "A integração com o {erp} {falhando} desde {quando}, os pedidos não sincronizam. | A {api} retorna erro 401 na sincronização com o {erp}. | Os pedidos não sincronizam com o {erp}, a integração {falhando}. | O webhook da {api} parou de enviar os pedidos ao {erp}.",
        erp="ERP | Bling | Tiny | SAP | sistema de estoque", falhando="está falhando | parou | não funciona | falhou",
        api="API | integração | API REST", quando="ontem | a atualização | às 3h")),
    Topic("dominio", "Websites", 4, _w(
        "Apontar {dominio} | {dominio} não propaga | Configurar {dns} | Transferir {dominio}",
        "Registrei o {dominio} no Registro.br e preciso apontar para a hospedagem. | Alterei o {dns} do {dominio} há dois dias e ainda não propagou. | Como configuro os registros {dns} do {dominio}? | Quero transferir o {dominio} para vocês, quais servidores {dns} uso?",
        dominio="domínio | dominio | domínio próprio | endereço do site", dns="DNS | servidores DNS | registro MX | CNAME")),
    Topic("lentidao", "Suporte", 5, _w(
        "Sistema {lento} | {lentidao} no sistema | Sistema {travando}",
        "O sistema está {lento} desde {quando}, cada tela demora minutos. | Há muita {lentidao} para carregar os pedidos, o sistema fica {travando}. | O sistema fica {travando} ao salvar e depois volta {lento}. | Está impossível trabalhar com essa {lentidao}.",
        lento="lento | muito lento | lerdo | pesado", lentidao="lentidão | demora | travamento", travando="travando | congelando | carregando sem parar",
        quando="a atualização | ontem | hoje cedo")),
)  # fmt: skip

_PT = _w(
    "Olá | Oi, bom dia | Bom dia | Boa tarde | Prezados, | Olá, tudo bem? | Boa noite",
    "Obrigado. | Obrigada! | Grato. | Att, | Aguardo retorno. | Fico no aguardo, obrigado. | Abraços | Valeu!",
    extra="Meu e-mail é {email}. | Referente ao chamado {ref}. | Segue o print em anexo. | É urgente! | Já tentei {n} vezes. | Link: {url}",
    chat="ok | ainda não funcionou | certo, vou testar | pode verificar por favor? | sim | aguardo | deu certo, obrigado",
)
_EN = _w(
    "Hi | Hello | Hello team, | Good morning | Hi there, | Dear support,",
    "Thanks | Thank you! | Best regards | Cheers | Kind regards | Thanks in advance",
    extra="My email is {email}. | Regarding ticket {ref}. | Screenshot attached. | This is urgent! | Tried {n} times already. | Link: {url}",
    chat="ok | still not working | sure, let me try | can you check please? | yes | thanks, it works now",
)
_NOISE = {
    "pt": _w(
        "{a} | {a} e {b} | Sobre {a} {c}",
        "Vocês têm {a} {c}? | Queria saber sobre {a} e {b}. | {a} {c} com {b}? | Tenho uma dúvida: {a} {c} e {b}. | Como fica {a} para {b}?",
        a="estacionamento bicicleta guarda-chuva piano quadro livro biblioteca museu teatro cinema concerto ingresso sorteio campanha voluntário bolsa curso oficina cardápio currículo estágio palestra brinde feriado entrevista patrocínio doação evento parceria uniforme crachá mudança endereço telefone fachada reunião visita almoço convite calendário manual treinamento vaga mesa cadeira elevador portaria recepção caneca camiseta adesivo catálogo revista jornal rádio podcast vídeo foto logotipo",
        b="sábado segunda terça quarta quinta março abril maio junho julho agosto setembro outubro novembro primavera outono noite madrugada tio avó vizinho amigo clube igreja parque estádio rodoviária porto domingo janeiro dezembro natal carnaval páscoa verão inverno manhã família filho escola faculdade cidade bairro praia shopping aeroporto hotel restaurante academia hospital farmácia mercado padaria",
        c="novo velho colorido vermelho amarelo preto branco barato caro moderno clássico infantil coletivo individual macio antigo grande pequeno azul verde bonito gratuito anual semanal presencial online físico interno externo especial"),
    "en": _w(
        "{a} | {a} and {b} | About {a} {c}",
        "Do you have {a} {c}? | Wondering about {a} and {b}. | {a} {c} for {b}? | Quick question: {a} {c} and {b}.",
        a="parking bicycle umbrella piano painting book library museum theater cinema concert raffle campaign volunteer scholarship course workshop garden fountain statue poster flyer banner kitchen coffee tea cookie cake pizza menu resume internship talk giveaway holiday interview sponsorship donation event partnership uniform badge office phone lunch meeting visit calendar manual training job desk chair elevator lobby mug shirt sticker catalog magazine radio podcast video photo logo",
        b="saturday monday tuesday wednesday thursday friday march april may june july august september october november spring autumn evening night uncle grandma neighbor friend club church park stadium station harbor sunday january december christmas summer winter morning family school college city beach mall airport hotel restaurant gym hospital",
        c="new colorful red yellow black white cheap expensive modern classic kids group solo soft warm cold quiet loud old big small blue green nice free yearly weekly remote physical internal external special"),
}  # fmt: skip
_NAMES = ("ana", "bruno", "carla", "diego", "elisa", "fabio", "gabriela", "henrique", "isabela", "joao", "karen", "lucas", "marina", "nelson", "olivia", "paulo", "rafaela", "sergio", "tania", "vitor")  # fmt: skip
_ACCENTED = "áàâãäéèêëíìîïóòôõöúùûüç"
_PLAIN = str.maketrans(
    _ACCENTED + _ACCENTED.upper(),
    "".join(unicodedata.normalize("NFKD", c)[0] for c in _ACCENTED + _ACCENTED.upper()),
)
_DOMAINS = ("gmail.com", "hotmail.com", "empresa.com.br", "loja.com.br", "example.com", "outlook.com")
_SLOT = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class History:
    """Tickets and chats, and for each record id its planted topic (``NOISE``: unrelated) and language."""

    tickets: list[TicketRecord]
    chats: list[ChatRecord]
    topics: dict[str, str]
    languages: dict[str, str]


def history(
    count: int,
    *,
    seed: int = 7,
    start: datetime = START,
    days: int = 28,
    chats: float = 0.4,
    noise: float = 0.1,
    surge: Mapping[str, float] | None = None,
) -> History:
    """``count`` records opened over ``days`` from ``start``; ``surge`` multiplies topics' weights (trends)."""
    rng = random.Random(seed)
    weights = [topic.weight * (surge or {}).get(topic.name, 1.0) for topic in TOPICS]
    scale = (1 - noise) / sum(weights)
    topics, shares = [*TOPICS, None], list(itertools.accumulate([*(w * scale for w in weights), noise]))
    made = History([], [], {}, {})
    for index in range(count):
        topic = rng.choices(topics, cum_weights=shares)[0]
        _Record(rng, topic, start + _moment(rng, days)).add(made, 1000 + index, chats)
    return made


def _moment(rng: random.Random, days: int) -> timedelta:
    """A time in the window, mostly in business hours (UTC-3) and on weekdays."""
    day = rng.randrange(days)
    if day % 7 >= 5 and rng.random() < 0.7:
        day -= 2
    return timedelta(days=day, hours=rng.triangular(10, 23, 14), seconds=rng.randrange(3600))


class _Record:
    """One record being written: its language, department, text and life."""

    def __init__(self, rng: random.Random, topic: Topic | None, at: datetime) -> None:
        self.rng, self.topic, self.at = rng, topic, at
        english = topic.english if topic else 0.25
        self.language = "en" if rng.random() < english else "pt"
        if topic is None:
            self.wording, self.department = _NOISE[self.language], rng.choice(DEPARTMENTS)
        else:
            wording = topic.en if self.language == "en" else topic.pt
            assert wording is not None
            self.wording = wording
            self.department = topic.department if rng.random() < 0.85 else rng.choice(DEPARTMENTS)
        self.email = f"{_one(rng, _NAMES)}.{int(rng.random() * 99)}@{_one(rng, _DOMAINS)}"
        self.plain, self.shouting = rng.random() < 0.25, rng.random() < 0.03

    def fill(self, template: str) -> str:
        """The template with every slot replaced: the wording's own, then the common ones."""
        common = _common(self.language)

        def pick(match: re.Match[str]) -> str:
            slot = match.group(1)
            choices = self.wording.slots.get(slot) or common.slots.get(slot)
            return _one(self.rng, choices) if choices else self.placeholder(slot)

        return _SLOT.sub(pick, template)

    def placeholder(self, slot: str) -> str:
        """A number, a ticket reference, the customer's e-mail address or a link: noise to ignore."""
        rng = self.rng
        if slot == "n":
            return str(rng.randrange(2, 31))
        if slot == "ref":
            return f"#{rng.randrange(1000, 99999)}"
        if slot == "email":
            return self.email
        return f"https://{rng.choice(('app', 'www', 'painel'))}.example.com.br/{rng.randrange(10**6)}"

    def message(self) -> str:
        """An opening message: maybe a greeting, one or two sentences, maybe an extra line and a sign-off."""
        rng, common = self.rng, _common(self.language)
        parts = [self.fill(body) for body in rng.sample(self.wording.bodies, 1 + (rng.random() < 0.5))]
        if rng.random() < 0.6:
            parts.insert(0, _one(rng, common.subjects))
        if rng.random() < 0.35:
            parts.append(self.fill(_one(rng, common.slots["extra"])))
        if rng.random() < 0.5:
            parts.append(_one(rng, common.bodies))
        return " ".join(parts)

    def roughen(self, text: str, typos: float) -> str:
        """How this customer types: maybe without accents or in capitals, and with ``typos`` typos on average."""
        rng = self.rng
        if self.plain:
            text = text.translate(_PLAIN)
        if self.shouting:
            text = text.upper()
        count = int(typos + rng.random())
        if not count:
            return text
        words = text.split(" ")
        for _ in range(count):
            at = int(rng.random() * len(words))
            word = words[at]
            if len(word) > 3:
                cut = 1 + int(rng.random() * (len(word) - 2))
                typo = _one(rng, (word[:cut] + word[cut + 1 :], word[:cut] + word[cut + 1] + word[cut] + word[cut + 2 :],
                                  word[:cut] + _one(rng, string.ascii_lowercase) + word[cut:]))  # fmt: skip
                words[at] = typo
        return " ".join(words)

    def add(self, made: History, number: int, chats: float) -> None:
        rng = self.rng
        key = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        if self.topic is None and rng.random() < 0.1:
            subject = message = rng.choice(_common(self.language).subjects)  # only a greeting
        else:
            subject = self.roughen(self.fill(_one(rng, self.wording.subjects)), 0.2)
            message = self.roughen(self.message(), 0.7)
        if rng.random() < chats:
            made.chats.append(self.chat(key, subject, message))
        else:
            made.tickets.append(self.ticket(key, number, subject, message))
        made.topics[key] = self.topic.name if self.topic else NOISE
        made.languages[key] = self.language

    def ticket(self, key: str, number: int, subject: str, message: str) -> TicketRecord:
        """A ticket whose spans follow guide 000's statuses; the oldest are finished, some still open."""
        rng, at = self.rng, self.at
        channel = _one(rng, ("portal", "portal", "email", "email", "chat"))
        department = None if channel == "email" and rng.random() < 0.5 else self.department
        agent = _one(rng, AGENTS)
        statuses = [
            "waiting",
            "in_progress",
            *["awaiting_customer", "in_progress"] * int(rng.random() * 3),
            "finished",
        ]
        reached = statuses[: _one(rng, (1, 2, 3, None, None, None, None, None))]  # most are finished
        hours = (
            rng.expovariate(1 / 30 if status == "awaiting_customer" else 1 / 4) for status in reached[:-1]
        )
        starts = list(itertools.accumulate((timedelta(hours=h) for h in hours), initial=at))
        spans = [StatusSpan(*span) for span in zip(reached, starts, [*starts[1:], None], strict=True)]
        answered = [s.start for s in spans if s.status in ("awaiting_customer", "finished")]
        started = len(spans) > 1
        return TicketRecord(
            key, number, department, channel, self.email, subject, f"{subject}\n{message}", at,
            answered[0] if answered else None, agent if answered else None,
            spans[-1].start if spans[-1].status == "finished" else None, agent if started else None, tuple(spans),
        )  # fmt: skip

    def chat(self, key: str, question: str, message: str) -> ChatRecord:
        """A chat accepted after a wait (or abandoned in the queue) with a few customer lines."""
        rng, at = self.rng, self.at
        lines = [
            message,
            *(self.fill(rng.choice(_common(self.language).slots["chat"])) for _ in range(rng.randrange(3))),
        ]
        waited = round(rng.expovariate(1 / 90), 3)  # whole milliseconds: exactly what the times say
        abandoned = rng.random() < 0.08
        accepted = None if abandoned else at + timedelta(seconds=waited)
        ongoing = not abandoned and rng.random() < 0.05
        closed = at + timedelta(seconds=waited + (0 if abandoned else rng.expovariate(1 / 600)))
        return ChatRecord(
            key, self.department, self.email, question, "\n".join([question, *lines]), at,
            accepted, None if abandoned else waited, None if abandoned else rng.choice(AGENTS),
            None if ongoing else closed, None if ongoing else ("abandoned" if abandoned else "closed"),
            len(lines) + (0 if abandoned else len(lines) + rng.randrange(1, 4)),
        )  # fmt: skip


def _common(language: str) -> Wording:
    return _EN if language == "en" else _PT


def _one(rng: random.Random, choices: Sequence[T]) -> T:
    """One of the choices (``rng.choice`` costs three times as much, and 100,000 records make millions)."""
    return choices[int(rng.random() * len(choices))]
