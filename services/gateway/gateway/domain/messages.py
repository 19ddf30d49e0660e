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
}


def text(reason: str, language: str) -> str:
    """The sentence for ``reason``; the code itself when no sentence is known yet."""
    texts = _TEXTS.get(reason)
    if texts is None:
        return reason
    return texts[0] if language == PORTUGUESE else texts[1]
