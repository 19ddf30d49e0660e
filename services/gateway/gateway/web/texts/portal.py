"""Texts of the portal pages: key → (pt-BR, en). ``{name}`` marks a value the script fills in."""

TEXTS: dict[str, tuple[str, str]] = {
    # Sign up
    "portal_signup_title": ("Criar conta", "Create your account"),
    "portal_signup_lead": (
        "Com sua conta você abre solicitações e acompanha cada resposta.",
        "With an account you open requests and follow every answer.",
    ),
    "portal_password_hint": (
        "Pelo menos 10 caracteres; não use só números, uma senha comum ou o seu e-mail.",
        "At least 10 characters; not only digits, not a common password, not your email.",
    ),
    "portal_signup_submit": ("Criar conta", "Create account"),
    "portal_have_account": ("Já tem cadastro?", "Already have an account?"),
    "portal_check_email_title": ("Confira seu e-mail", "Check your email"),
    "portal_check_email_text": (
        "Enviamos um link de confirmação para {email}. Abra-o para confirmar o endereço (vale 48 horas).",
        "We sent a confirmation link to {email}. Open it to confirm the address (valid for 48 hours).",
    ),
    "portal_check_email_next": (
        "Você já pode entrar e abrir solicitações enquanto isso.",
        "You can already log in and open requests meanwhile.",
    ),
    "portal_dev_aid": (
        "Ajuda de desenvolvimento (só aparece no modo de desenvolvimento):",
        "Development aid (shown in development mode only):",
    ),
    "portal_dev_verify_link": ("abrir o link de confirmação enviado", "open the confirmation link sent"),
    "portal_dev_reset_link": ("abrir o link de redefinição enviado", "open the reset link sent"),
    # Verify the address
    "portal_verify_title": ("Confirmação de e-mail", "Email confirmation"),
    "portal_verify_working": ("Confirmando seu e-mail…", "Confirming your email…"),
    "portal_verify_done": ("E-mail confirmado!", "Email confirmed!"),
    "portal_verify_done_text": (
        "Pronto: agora todas as suas solicitações, inclusive as enviadas por e-mail, aparecem no portal.",
        "Done: all your requests, those sent by email included, now show in the portal.",
    ),
    "portal_verify_failed": ("Link inválido", "Invalid link"),
    "portal_verify_failed_text": (
        "Este link de confirmação é inválido, já foi usado ou expirou (vale 48 horas).",
        "This confirmation link is invalid, was already used or has expired (it is valid for 48 hours).",
    ),
    "portal_verify_failed_hint": (
        "Se você já confirmou, é só entrar. Para receber um novo link, cadastre-se de novo com o mesmo e-mail.",
        "If you already confirmed, just log in. To get a new link, sign up again with the same email.",
    ),
    "portal_see_my_tickets": ("Ver minhas solicitações", "See my requests"),
    # Password reset
    "portal_reset_title": ("Redefinir senha", "Reset your password"),
    "portal_reset_lead": (
        "Informe o e-mail do seu cadastro: enviaremos um link para criar uma nova senha.",
        "Enter your account's email: we will send a link to choose a new password.",
    ),
    "portal_reset_send": ("Enviar link", "Send link"),
    "portal_reset_sent": (
        "Se houver uma conta com o e-mail {email}, enviamos um link para redefinir a senha (vale 1 hora).",
        "If an account uses {email}, we sent it a link to reset the password (valid for 1 hour).",
    ),
    "portal_reset_again": ("Pedir um novo link", "Ask for a new link"),
    "portal_new_password_lead": ("Escolha sua nova senha.", "Choose your new password."),
    "portal_new_password": ("Nova senha", "New password"),
    "portal_repeat_password": ("Repita a nova senha", "Repeat the new password"),
    "portal_passwords_differ": ("As senhas não são iguais.", "The passwords do not match."),
    "portal_save_password": ("Salvar nova senha", "Save new password"),
    "portal_password_saved": (
        "Senha alterada. Por segurança, você saiu de todos os dispositivos: entre com a nova senha.",
        "Password changed. For your safety you were logged out everywhere: log in with the new one.",
    ),
    # The list of requests
    "portal_tickets_title": ("Solicitações", "Requests"),
    "portal_tickets_lead": (
        "Suas solicitações, da atividade mais recente para a mais antiga.",
        "Your requests, latest activity first.",
    ),
    "portal_unverified_note": (
        "Confirme seu e-mail pelo link que enviamos: as solicitações abertas por e-mail ou chat "
        "só aparecem aqui depois da confirmação.",
        "Confirm your email with the link we sent: requests opened by email or chat only show "
        "here once it is confirmed.",
    ),
    "portal_col_number": ("Número", "Number"),
    "portal_col_subject": ("Assunto", "Subject"),
    "portal_col_status": ("Status", "Status"),
    "portal_col_opened": ("Aberta em", "Opened"),
    "portal_col_activity": ("Última atividade", "Last activity"),
    "portal_no_tickets": ("Você ainda não tem solicitações.", "You have no requests yet."),
    "portal_no_tickets_hint": (
        "Conte para a gente o que está acontecendo: respondemos por aqui e por e-mail.",
        "Tell us what is happening: we answer here and by email.",
    ),
    "portal_page_of": ("Página {page} de {pages}", "Page {page} of {pages}"),
    "portal_previous": ("Anterior", "Previous"),
    "portal_next": ("Próxima", "Next"),
    "portal_pages": ("Páginas", "Pages"),
    "portal_count": ("{count} solicitações", "{count} requests"),
    "portal_count_one": ("1 solicitação", "1 request"),
    "portal_load_failed": ("Não foi possível carregar.", "Could not load."),
    "portal_retry": ("Tentar de novo", "Try again"),
    # Past chats
    "portal_chats_title": ("Conversas anteriores", "Past chats"),
    "portal_no_chats": ("Nenhuma conversa de chat ainda.", "No chats yet."),
    "portal_chats_unverified": (
        "Suas conversas aparecem aqui depois que você confirmar o e-mail.",
        "Your chats show here once you confirm your email.",
    ),
    "portal_chat_status_queued": ("Na fila", "Queued"),
    "portal_chat_status_active": ("Em conversa", "In progress"),
    "portal_chat_status_closed": ("Encerrada", "Closed"),
    "portal_chat_status_abandoned": ("Interrompida", "Interrupted"),
    "portal_chat_status_offline": ("Mensagem deixada", "Message left"),
    # New request
    "portal_new_title": ("Nova solicitação", "New request"),
    "portal_new_lead": (
        "Preencha os campos e envie: você será avisado por e-mail a cada resposta e mudança de status.",
        "Fill in the fields and send: you will be emailed on every answer and status change.",
    ),
    "portal_subject": ("Assunto", "Subject"),
    "portal_subject_hint": ("Um resumo em poucas palavras.", "A summary in a few words."),
    "portal_description": ("Descrição", "Description"),
    "portal_description_hint": (
        "O que aconteceu, o que você esperava e, se houver, a mensagem de erro.",
        "What happened, what you expected and any error message.",
    ),
    "portal_department": ("Departamento", "Department"),
    "portal_department_unsure": ("Não tenho certeza", "I am not sure"),
    "portal_send_request": ("Enviar solicitação", "Send request"),
    "portal_uploading": ("Enviando arquivos…", "Uploading files…"),
    "portal_sent_title": ("Solicitação {reference} enviada", "Request {reference} sent"),
    "portal_sent_text": (
        "Recebemos sua solicitação. Ela está Em espera: avisaremos por e-mail quando for respondida.",
        "We received your request. It is waiting for support: we will email you when it is answered.",
    ),
    "portal_see_ticket": ("Ver a solicitação {reference}", "See request {reference}"),
    "portal_back_to_list": ("Voltar para Solicitações", "Back to Requests"),
    "portal_another": ("Abrir outra solicitação", "Open another request"),
    # One request
    "portal_ticket_title": ("Solicitação", "Request"),
    "portal_current_status": ("Status atual", "Current status"),
    "portal_opened_at": ("Aberta em {when}", "Opened {when}"),
    "portal_department_is": ("Departamento: {department}", "Department: {department}"),
    "portal_history": ("Histórico", "History"),
    "portal_you": ("Você", "You"),
    "portal_support_team": ("Equipe de suporte", "Support team"),
    "portal_system": ("Central de atendimento", "Support center"),
    "portal_by_email": ("por e-mail", "by email"),
    "portal_by_chat": ("pelo chat", "from the chat"),
    "portal_files": ("Arquivos", "Files"),
    "portal_file_refused": ("Arquivo recusado: {name} — {reason}", "File refused: {name} — {reason}"),
    "portal_status_set": ("Status alterado para {status}", "Status changed to {status}"),
    "portal_status_closed": ("Solicitação finalizada", "Request finished"),
    "portal_status_reopened": ("Solicitação reaberta", "Request reopened"),
    # Guide 000's table "O que significa cada um dos status", shown under the current status.
    "portal_status_meaning_waiting": (
        "Sua solicitação foi aberta e aguarda atendimento.",
        "Your request was opened and awaits support.",
    ),
    "portal_status_meaning_in_progress": (
        "Sua solicitação já foi vista e está sendo analisada.",
        "Your request has been seen and is being worked on.",
    ),
    "portal_status_meaning_awaiting_customer": (
        "O suporte comentou sua solicitação e aguarda sua resposta.",
        "Support commented on your request and is waiting for your reply.",
    ),
    "portal_status_meaning_finished": ("Sua solicitação foi atendida.", "Your request was resolved."),
    "portal_reply_title": ("Responder", "Reply"),
    "portal_reply_label": ("Sua resposta", "Your reply"),
    "portal_send_reply": ("Enviar resposta", "Send reply"),
    "portal_reply_reopens": (
        "Esta solicitação foi finalizada. Se você responder, ela será reaberta.",
        "This request is finished. If you reply, it will be reopened.",
    ),
    "portal_reply_sent": ("Resposta enviada.", "Reply sent."),
    "portal_solved": ("Meu problema foi resolvido", "My problem is solved"),
    "portal_solved_done": (
        "Obrigado! A solicitação foi finalizada. Se precisar, responda para reabri-la.",
        "Thank you! The request is finished. If needed, reply to reopen it.",
    ),
    "portal_continued": (
        "Esta solicitação foi finalizada há muito tempo: sua resposta abriu a solicitação {reference}.",
        "This request was finished long ago: your reply opened request {reference}.",
    ),
    "portal_continues": ("Continuação da solicitação #{number}", "Continues request #{number}"),
    "portal_not_found_text": (
        "Esta página não existe, ou não é uma das suas solicitações ou conversas.",
        "This page does not exist, or it is not one of your requests or chats.",
    ),
    # Rating a finished request (the mailed link's page, and the request's own page)
    "portal_rate_page_title": ("Avaliar atendimento", "Rate our support"),
    "portal_rate_title": (
        "Como foi o atendimento da sua solicitação?",
        "How was the support on your request?",
    ),
    "portal_rate_heading": ("Avaliação do atendimento", "Rating of the support"),
    "portal_rate_ask": ("Como foi o atendimento?", "How was our support?"),
    "portal_rate_legend": ("Sua nota, de 1 a 5", "Your score, 1 to 5"),
    "portal_rate_1": ("Muito ruim", "Very bad"),
    "portal_rate_2": ("Ruim", "Bad"),
    "portal_rate_3": ("Regular", "Fair"),
    "portal_rate_4": ("Bom", "Good"),
    "portal_rate_5": ("Excelente", "Excellent"),
    "portal_rate_comment": ("Comentário (opcional)", "Comment (optional)"),
    "portal_rate_send": ("Enviar avaliação", "Send rating"),
    "portal_rate_pick": ("Escolha uma nota de 1 a 5.", "Choose a score from 1 to 5."),
    "portal_rate_recorded": (
        "Sua nota foi registrada. Se quiser, conte mais em um comentário e envie.",
        "Your score was recorded. If you like, tell us more in a comment and send it.",
    ),
    "portal_rate_thanks": ("Obrigado pela sua avaliação!", "Thank you for your rating!"),
    "portal_rate_thanks_text": ("Ela ajuda nossa equipe a melhorar.", "It helps our team get better."),
    "portal_rate_yours": ("Sua avaliação: {score}/5 ({word})", "Your rating: {score}/5 ({word})"),
    "portal_rate_change": ("Alterar avaliação", "Change rating"),
    "portal_rate_invalid": ("Link inválido", "Invalid link"),
    "portal_rate_invalid_text": (
        "Este link de avaliação não vale: confira se o endereço do e-mail veio inteiro, "
        "ou entre no portal e avalie pela página da solicitação.",
        "This rating link is not valid: check that the whole address from the email came along, "
        "or log in and rate from the request's page.",
    ),
    "portal_rate_not_finished": (
        "Esta solicitação foi reaberta: você poderá avaliá-la quando for finalizada.",
        "This request was reopened: you can rate it once it is finished.",
    ),
    # A past chat
    "portal_chat_title": ("Conversa", "Chat"),
    "portal_chat_heading": ("Conversa de {when}", "Chat of {when}"),
    "portal_chat_with": ("Atendido por {name}", "Answered by {name}"),
    "portal_chat_file": ("Arquivo enviado", "File sent"),
    "portal_chat_accepted": ("{name} entrou na conversa", "{name} joined the chat"),
    "portal_chat_transferred": ("Conversa transferida para {name}", "Chat transferred to {name}"),
    "portal_chat_closed": ("Conversa encerrada", "Chat closed"),
    "portal_chat_abandoned": ("Conversa interrompida", "Chat interrupted"),
    "portal_chat_offline": (
        "Ninguém pôde atender: a mensagem virou uma solicitação, respondida por e-mail.",
        "Nobody could answer: the message became a request, answered by email.",
    ),
    "portal_back_to_chats": ("Voltar para Solicitações", "Back to Requests"),
}
