"""The bilingual (pt-BR / English) summary `devstack up` prints once Atende is ready."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from devstack.console_login import ConsoleLogin
from devstack.imap import DEV_USERS
from devstack.infra import Endpoints
from devstack.procs import Server

READY_BANNER = "Atende está no ar / Atende is up"


def summary(
    var: Path,
    ends: Endpoints,
    health: Mapping[str, str],
    started: Sequence[tuple[str, Server]],
    portal: str | None,
    login: ConsoleLogin | None = None,
) -> str:
    """Render the URLs, credentials and folders a developer needs.

    portal is the gateway's public HTTP URL; health holds each service's readiness URL (ops port).
    """
    local = {name for name, _ in started}

    def origin(kind: str) -> str:
        return "local" if kind in local else "externo/external"

    lines = ["", f"=== {READY_BANNER} ==="]
    if portal is None:
        lines.append("  (sem gateway / no gateway)")
    else:
        lines += [
            f"  Central de atendimento / support center:  {portal}/",
            f"  Console dos atendentes / agents' console: {portal}/console",
            f"  Botão de suporte (demo) / support button (demo): {portal}/demo",
            f"  API: {portal}/api/docs",
        ]
    if login is not None:
        password = login.password or "(definida antes / set earlier)"
        lines.append(f"    entrar no console / console log-in: {login.email} / {password}")
    lines += [
        "",
        "  Saúde dos serviços (portas de operação) / service health (ops ports):",
        *(f"    {name:<12} {url}" for name, url in health.items()),
        "",
        "  Infraestrutura / infrastructure:",
        f"    NATS        {ends.nats_url}  ({origin('nats')})",
        f"    PostgreSQL  {ends.postgres_url}  ({origin('postgres')})",
        f"    S3          http://{ends.s3_endpoint}  access key {ends.s3_access_key}"
        f"  secret key {ends.s3_secret_key}  ({origin('s3')})",
        f"    SMTP        {ends.smtp_host}:{ends.smtp_port}  ({origin('smtp')})",
        f"    IMAP        {ends.imap_host}:{ends.imap_port}  ({origin('imap')})",
    ]
    if "imap" in local:
        users = "  ".join(f"{user} / {password}" for user, password in DEV_USERS.items())
        lines.append(f"                usuários / users: {users}")
        lines.append(
            "                support = caixa do suporte / support inbox; outbox = todo e-mail enviado / all mail"
        )
    lines += [
        "",
        f"  Dados / data:  {var}",
        f"  Logs:          {var / 'logs'}",
        "",
        "  Ctrl-C para parar / to stop.",
        "",
    ]
    return "\n".join(lines)
