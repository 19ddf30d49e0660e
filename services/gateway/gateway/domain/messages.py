"""What an error means, in the reader's language. Keys are the stable reason codes of the API."""

from gateway.domain.language import PORTUGUESE

_TEXTS: dict[str, tuple[str, str]] = {
    "not_found": ("Não encontrado.", "Not found."),
    "method_not_allowed": ("Método não permitido aqui.", "Method not allowed here."),
    "unauthorized": ("É preciso entrar para continuar.", "Please log in to continue."),
    "forbidden": ("Você não tem permissão para isso.", "You are not allowed to do that."),
    "http_error": ("A requisição não pôde ser atendida.", "The request could not be served."),
    "conflict": (
        "A solicitação conflita com o estado atual.",
        "The request conflicts with the current state.",
    ),
    "invalid": ("Dados inválidos.", "Invalid data."),
    "invalid_message": ("Dados inválidos.", "Invalid data."),
    "malformed_envelope": ("Mensagem malformada.", "Malformed message."),
    "unavailable": (
        "Serviço temporariamente indisponível. Tente novamente em instantes.",
        "Service temporarily unavailable. Please try again shortly.",
    ),
    "timeout": (
        "O serviço demorou demais para responder. Tente novamente.",
        "The service took too long to answer. Please try again.",
    ),
    "internal_error": ("Erro interno. Já fomos avisados.", "Internal error. We have been notified."),
    "missing": ("Campo obrigatório.", "This field is required."),
    "string_too_short": ("Texto curto demais.", "Text too short."),
    "string_too_long": ("Texto longo demais.", "Text too long."),
    "string_pattern_mismatch": ("Formato inválido.", "Invalid format."),
    "json_invalid": ("JSON inválido.", "Invalid JSON."),
    "string_type": ("Esperava-se um texto.", "A text was expected."),
    "model_attributes_type": ("Esperava-se um objeto JSON.", "A JSON object was expected."),
    "uuid_parsing": ("Identificador inválido.", "Invalid identifier."),
    # Accounts: sign-up, log-in, one-time links, sessions.
    "email_invalid": ("Endereço de email inválido.", "Invalid email address."),
    "name_blank": ("Informe seu nome.", "Please enter your name."),
    "name_too_long": ("Nome longo demais.", "Name too long."),
    "name_invalid": ("O nome contém caracteres não permitidos.", "The name has characters not allowed."),
    "password_too_short": (
        "A senha precisa ter pelo menos 10 caracteres.",
        "The password needs at least 10 characters.",
    ),
    "password_too_long": (
        "A senha pode ter no máximo 256 caracteres.",
        "The password may have at most 256 characters.",
    ),
    "password_only_digits": (
        "A senha não pode ter só números.",
        "The password cannot be only digits.",
    ),
    "password_too_common": ("Essa senha é comum demais.", "That password is too common."),
    "password_like_email": (
        "A senha não pode conter seu endereço de email.",
        "The password cannot contain your email address.",
    ),
    "department_required": ("Informe pelo menos um departamento.", "Give at least one department."),
    "department_unknown": ("Departamento desconhecido.", "Unknown department."),
    "role_unknown": ("Papel desconhecido: use agent ou admin.", "Unknown role: use agent or admin."),
    "email_in_use": ("Já existe uma conta com esse email.", "An account with that email already exists."),
    "invalid_credentials": ("Email ou senha incorretos.", "Wrong email or password."),
    "token_invalid_or_expired": (
        "Este link é inválido, já foi usado ou expirou.",
        "This link is invalid, was already used or has expired.",
    ),
    "token_not_found": ("Token não encontrado.", "Token not found."),
    "csrf_failed": (
        "Verificação de segurança falhou. Recarregue a página e tente novamente.",
        "Security check failed. Reload the page and try again.",
    ),
    "ticket_not_found": ("Solicitação não encontrada.", "Request not found."),
    "ticket_not_finished": (
        "Só é possível avaliar uma solicitação finalizada.",
        "Only a finished request can be rated.",
    ),
    "score_invalid": ("Escolha uma nota de 1 a 5.", "Choose a score from 1 to 5."),
    "stale_version": (
        "Outra pessoa alterou esta solicitação enquanto você a via. Confira o estado atual e tente de novo.",
        "Someone else changed this request while you were viewing it. Check its current state and retry.",
    ),
    "illegal_transition": (
        "Esta mudança não é possível no status atual da solicitação.",
        "This change is not possible in the request's current status.",
    ),
    "status_not_settable": (
        "Este status não pode ser escolhido: ele vem de uma resposta pública.",
        "This status cannot be chosen: a public reply sets it.",
    ),
    "agent_unknown": (
        "Agente desconhecido ou fora do departamento desta solicitação.",
        "Unknown agent, or not in this request's department.",
    ),
    # Attachments (guide 003: up to 10 MB; gif, jpeg, jpg, png, zip, rar, xls, xlsx, doc, docx, sql, pdf).
    # The limits are settings of the files service: the field's "limit" carries the one in force.
    "too_large": ("O arquivo passa do tamanho máximo permitido.", "The file is over the size limit."),
    "extension_not_allowed": ("Tipo de arquivo não permitido.", "File type not allowed."),
    "files_unavailable": (
        "O arquivo não pôde ser guardado naquele momento.",
        "The file could not be stored at the time.",
    ),
    "empty": ("O arquivo está vazio.", "The file is empty."),
    "content_mismatch": (
        "O conteúdo do arquivo não corresponde à extensão do nome.",
        "The file's content does not match its name's extension.",
    ),
    "archive_too_large": (
        "O arquivo compactado ficaria grande demais ao ser extraído.",
        "The archive would be too large once extracted.",
    ),
    "archive_ratio": (
        "O arquivo compactado tem uma taxa de compressão suspeita.",
        "The archive has a suspicious compression ratio.",
    ),
    "archive_too_many_entries": (
        "O arquivo compactado tem itens demais.",
        "The archive holds too many files.",
    ),
    "archive_broken": ("O arquivo compactado está corrompido.", "The archive is damaged."),
    "image_too_large": ("A imagem tem dimensões grandes demais.", "The image's dimensions are too large."),
    "image_broken": ("A imagem está corrompida.", "The image is damaged."),
    "office_broken": (
        "O documento está corrompido ou não é do tipo indicado.",
        "The document is damaged or not of its type.",
    ),
    "not_text": (
        "Um script de banco de dados (.sql) precisa ser texto.",
        "A database script (.sql) must be text.",
    ),
    "pdf_broken": ("O PDF está incompleto ou corrompido.", "The PDF is incomplete or damaged."),
    "infected": ("O antivírus encontrou uma ameaça no arquivo.", "The antivirus found a threat in the file."),
    "upload_in_progress": ("Este arquivo ainda está sendo enviado.", "This file is still being uploaded."),
    "attachment_unknown": (
        "Anexo desconhecido: envie o arquivo para esta solicitação antes de citá-lo.",
        "Unknown attachment: upload the file for this request before referring to it.",
    ),
    "attachment_not_found": ("Anexo não encontrado.", "Attachment not found."),
    # Live chat (start form, sockets).
    "no_agent_available": (
        "Nenhum atendente disponível agora. Deixe sua mensagem e responderemos por email.",
        "No agent is available now. Leave a message and we will answer by email.",
    ),
    "already_accepted": (
        "Outro atendente já aceitou este chat.",
        "Another agent already accepted this chat.",
    ),
    "period_invalid": (
        "Período inválido: use 2026-03-05, 2026-W10, 2026-03 ou 2026-03-01..2026-03-15.",
        "Invalid period: use 2026-03-05, 2026-W10, 2026-03 or 2026-03-01..2026-03-15.",
    ),
    "table_unknown": (
        "Tabela desconhecida: tickets, status_times, chats ou satisfaction.",
        "Unknown table: tickets, status_times, chats or satisfaction.",
    ),
    "department_not_yours": (
        "Você só vê os números dos seus departamentos.",
        "You only see the figures of your own departments.",
    ),
    "admins_only": ("Somente administradores podem ver isto.", "Only admins can see this."),
    # Agents' decisions on recurring demands.
    "demand_unknown": (
        "Demanda desconhecida: ela não está entre as demandas agrupadas agora.",
        "Unknown demand: it is not among the demands grouped now.",
    ),
    "demand_merge_itself": (
        "Uma demanda não pode ser unida a ela mesma.",
        "A demand cannot be merged into itself.",
    ),
    "demand_already_merged": (
        "Uma das demandas já está unida a outra: separe-a antes (não há uniões em cadeia).",
        "One of the demands is already merged with another: split it first (no chains of merges).",
    ),
    "demand_not_merged": ("Esta demanda não está unida a outra.", "This demand is not merged into another."),
    "demand_not_sent": (
        "Esta demanda não foi enviada ao desenvolvimento.",
        "This demand was not sent to development.",
    ),
    "demand_name_too_long": (
        "Nome longo demais (até 120 caracteres).",
        "Name too long (up to 120 characters).",
    ),
    "demand_note_blank": ("Escreva uma nota para o desenvolvimento.", "Write a note for development."),
    "demand_note_too_long": (
        "Nota longa demais (até 2000 caracteres).",
        "Note too long (up to 2000 characters).",
    ),
    "at_capacity": (
        "Você já está no seu limite de chats ao mesmo tempo.",
        "You are already at your limit of chats at once.",
    ),
    "conversation_not_found": ("Conversa não encontrada.", "Conversation not found."),
    "conversation_closed": ("Esta conversa foi encerrada.", "This conversation has ended."),
    "chat_not_ended": (
        "Só é possível avaliar uma conversa depois que ela for encerrada.",
        "A chat can be rated only after it has ended.",
    ),
    "not_active": (
        "A conversa ainda não foi aceita por um atendente.",
        "No agent has accepted the conversation yet.",
    ),
    "not_a_participant": ("Você não participa desta conversa.", "You are not part of this conversation."),
    "not_your_chat": ("Este chat não está com você.", "This chat is not yours."),
    "rate_limited": (
        "Muitas mensagens seguidas. Aguarde um instante.",
        "Too many messages at once. Wait a moment.",
    ),
    "too_many_requests": (
        "Muitas tentativas em pouco tempo. Aguarde um pouco e tente de novo.",
        "Too many attempts in a short time. Wait a little and try again.",
    ),
    "message_too_long": ("Mensagem longa demais.", "Message too long."),
    "empty_message": ("Escreva uma mensagem ou envie um arquivo.", "Write a message or send a file."),
    "unknown_frame": ("Tipo de mensagem desconhecido.", "Unknown frame type."),
    "invalid_frame": ("Mensagem malformada.", "Malformed frame."),
    # The mail mail-ingest held back (admins).
    "mail_not_found": ("Email não encontrado.", "Mail not found."),
    "mail_not_retryable": (
        "Este email já abriu ou respondeu uma solicitação; não há o que tentar de novo.",
        "This mail already opened or answered a request; there is nothing to retry.",
    ),
    "mail_gone": ("Este email não está mais na caixa de entrada.", "This mail is no longer in the mailbox."),
    "uidvalidity_changed": (
        "A caixa de entrada foi recriada desde então; o email não pode ser localizado.",
        "The mailbox was recreated since; the mail cannot be found.",
    ),
    "greater_than_equal": ("Valor pequeno demais.", "Value too small."),
    "less_than_equal": ("Valor grande demais.", "Value too large."),
    "enum": ("Valor não permitido.", "Value not allowed."),
    "extra_forbidden": ("Campo desconhecido.", "Unknown field."),
    "int_parsing": ("Informe um número inteiro.", "Give a whole number."),
}


def text(reason: str, language: str) -> str:
    """The sentence for ``reason``; the code itself when no sentence is known yet."""
    texts = _TEXTS.get(reason)
    if texts is None:
        return reason
    return texts[0] if language == PORTUGUESE else texts[1]
