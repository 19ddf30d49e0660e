"""Brazilian Portuguese first, English second: pick the language from Accept-Language."""

PORTUGUESE = "pt-BR"
ENGLISH = "en"


def negotiate(accept_language: str | None) -> str:
    """The best of pt-BR and en for an Accept-Language header; pt-BR when nothing matches."""
    best, best_q = PORTUGUESE, -1.0
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip().lower()
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        # Earlier entries win ties, as browsers list preferences in order.
        quality -= position * 1e-6
        language = PORTUGUESE if tag.startswith("pt") else ENGLISH if tag.startswith("en") else None
        if language and quality > best_q and quality > 0:
            best, best_q = language, quality
    return best
