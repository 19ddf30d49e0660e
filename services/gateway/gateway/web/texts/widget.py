"""Texts of the chat widget, the support button and its demo: key → (pt-BR, en)."""

TEXTS: dict[str, tuple[str, str]] = {
    # The widget's frame
    "widget_title": ("Chat de atendimento", "Support chat"),
    "widget_subtitle": ("Fale em tempo real com a nossa equipe.", "Talk to our team in real time."),
    "widget_close_chat": ("Encerrar a conversa", "End the chat"),
    "widget_to_portal": ("Minhas solicitações", "My requests"),
    # Start form (guide 003)
    "widget_start_title": ("Como podemos ajudar?", "How can we help?"),
    "widget_start_lead": (
        "Preencha os campos e clique em Iniciar conversa: um atendente aceita o seu pedido em seguida.",
        "Fill in the fields and click Start a chat: an agent takes your request next.",
    ),
    "widget_question": ("Sua pergunta", "Your question"),
    "widget_question_hint": (
        "A primeira informação para o atendente começar.",
        "The first thing the agent reads before starting.",
    ),
    "widget_department": ("Departamento", "Department"),
    "widget_checking": ("Vendo quem está online…", "Checking who is online…"),
    "widget_no_wait": ("atendimento imediato", "answered right away"),
    "widget_wait_about": ("espera de cerca de {wait}", "wait of about {wait}"),
    "widget_online_one": ("1 atendente online", "1 agent online"),
    "widget_online_many": ("{count} atendentes online", "{count} agents online"),
    "widget_offline_short": ("ninguém online", "nobody online"),
    "widget_offline_hint": (
        "Ninguém online em {department} agora: deixe uma mensagem e responderemos por e-mail.",
        "Nobody is online in {department} right now: leave a message and we will answer by email.",
    ),
    "widget_availability_failed": (
        "Não foi possível ver quem está online agora.",
        "Could not check who is online right now.",
    ),
    "widget_expired": (
        "Sua conversa anterior não está mais disponível. Inicie uma nova quando quiser.",
        "Your previous chat is no longer available. Start a new one whenever you like.",
    ),
    # Leave a message (H3)
    "widget_offline_title": ("Deixe uma mensagem", "Leave a message"),
    "widget_offline_lead": (
        "Nenhum atendente pode conversar agora. Sua mensagem vira uma solicitação e a resposta chega por e-mail.",
        "No agent can chat right now. Your message becomes a request and the answer comes by email.",
    ),
    "widget_offline_waited_lead": (
        "Não quer esperar? Sua pergunta vira uma solicitação e a resposta chega por e-mail.",
        "Rather not wait? Your question becomes a request and the answer comes by email.",
    ),
    "widget_message": ("Mensagem", "Message"),
    "widget_send_message": ("Enviar mensagem", "Send message"),
    "widget_back": ("Voltar", "Back"),
    "widget_left_title": ("Mensagem recebida", "Message received"),
    "widget_left_text": (
        "Obrigado! Sua mensagem virou uma solicitação. Responderemos por e-mail para {email}.",
        "Thank you! Your message became a request. We will answer by email at {email}.",
    ),
    "widget_left_timeout": (
        "Ninguém pôde atender a tempo, então sua pergunta virou uma solicitação. Responderemos por e-mail.",
        "Nobody could answer in time, so your question became a request. We will answer by email.",
    ),
    "widget_new_chat": ("Nova conversa", "New chat"),
    # Waiting in the queue (H2)
    "widget_waiting_title": ("Aguardando um atendente", "Waiting for an agent"),
    "widget_waiting_next": ("Você é o próximo da fila.", "You are next in the queue."),
    "widget_waiting_position": ("Você é o {position}º da fila.", "You are number {position} in the queue."),
    "widget_waiting_wait": ("Espera estimada: {wait}.", "Estimated wait: {wait}."),
    "widget_waiting_soon": ("Um atendente aceita em instantes.", "An agent will take it any moment."),
    "widget_waiting_tip": (
        "Pode deixar esta página: se recarregar ou voltar em até 30 minutos, a conversa continua.",
        "You may leave this page: reload or come back within 30 minutes and the chat goes on.",
    ),
    "widget_waiting_leave": ("Prefiro deixar uma mensagem", "I'd rather leave a message"),
    # The conversation (H4, H5)
    "widget_log_label": ("Mensagens da conversa", "Chat messages"),
    "widget_you": ("Você", "You"),
    "widget_agent": ("Atendente", "Agent"),
    "widget_with": ("{agent} · {department}", "{agent} · {department}"),
    "widget_your_message": ("Sua mensagem", "Your message"),
    "widget_composer_hint": (
        "Enter envia; Shift+Enter quebra a linha.",
        "Enter sends; Shift+Enter starts a new line.",
    ),
    "widget_attach": ("Anexar arquivo", "Attach a file"),
    "widget_send": ("Enviar", "Send"),
    "widget_sending": ("Enviando…", "Sending…"),
    "widget_sent": ("Enviada", "Sent"),
    "widget_read": ("Lida", "Read"),
    "widget_failed": ("Não enviada", "Not sent"),
    "widget_retry": ("Tentar de novo", "Try again"),
    "widget_too_long": (
        "A mensagem passou do tamanho máximo; divida-a em partes.",
        "The message is too long; please split it.",
    ),
    "widget_typing": ("{name} está digitando…", "{name} is typing…"),
    "widget_entry_accepted": ("{name} entrou na conversa.", "{name} joined the chat."),
    "widget_entry_transferred_agent": ("Conversa transferida para {name}.", "Chat handed over to {name}."),
    "widget_entry_transferred_department": (
        "Conversa transferida para {department}: aguarde um atendente.",
        "Chat handed over to {department}: please wait for an agent.",
    ),
    "widget_entry_closed": ("Atendimento encerrado.", "Chat ended."),
    "widget_entry_abandoned": ("Conversa encerrada por inatividade.", "Chat ended for inactivity."),
    "widget_entry_offline": (
        "A conversa virou uma mensagem; a resposta chega por e-mail.",
        "The chat became a message; the answer comes by email.",
    ),
    "widget_file": ("arquivo", "file"),
    "widget_file_download": ("Baixar {name}", "Download {name}"),
    "widget_image_alt": ("Imagem {name}", "Image {name}"),
    "widget_image_open": ("Ver {name} em tamanho real", "View {name} full size"),
    "widget_upload_done": ("Enviado: 100%", "Uploaded: 100%"),
    "widget_new_messages": ("({count}) ", "({count}) "),
    # Ending (H6)
    "widget_end_title": ("Encerrar a conversa?", "End the chat?"),
    "widget_end_text": (
        "O atendente verá que você saiu. Você pode receber toda a conversa por e-mail.",
        "The agent will see that you left. You may get the whole chat by email.",
    ),
    "widget_end_transcript": ("Enviar a transcrição para o meu e-mail", "Email me the transcript"),
    "widget_end_confirm": ("Encerrar", "End chat"),
    "widget_end_keep": ("Continuar conversando", "Keep chatting"),
    "widget_closed_title": ("Atendimento encerrado", "Chat ended"),
    "widget_closed_text": (
        "Obrigado pelo contato! Clique em Fechar para começar uma nova conversa quando quiser.",
        "Thank you for reaching out! Click Close to start a new chat whenever you like.",
    ),
    "widget_abandoned_text": (
        "A conversa foi encerrada por falta de atividade. Clique em Fechar para começar outra.",
        "The chat ended for lack of activity. Click Close to start another.",
    ),
    "widget_transcript": ("Receber a transcrição por e-mail", "Email me the transcript"),
    "widget_transcript_sent": (
        "A transcrição vai chegar em {email}.",
        "The transcript is on its way to {email}.",
    ),
    "widget_not_connected": (
        "Sem conexão no momento; tente de novo em instantes.",
        "Not connected right now; please try again in a moment.",
    ),
    # The rating of an ended chat (CSAT), on the ended screen (templates/chat_rating.html)
    "widget_rate_ask": ("Como foi o atendimento?", "How was our support?"),
    "widget_rate_1": ("Muito ruim", "Very bad"),
    "widget_rate_2": ("Ruim", "Bad"),
    "widget_rate_3": ("Regular", "Fair"),
    "widget_rate_4": ("Bom", "Good"),
    "widget_rate_5": ("Excelente", "Excellent"),
    "widget_rate_comment": ("Comentário (opcional)", "Comment (optional)"),
    "widget_rate_send": ("Enviar avaliação", "Send rating"),
    "widget_rate_pick": ("Escolha uma nota de 1 a 5.", "Choose a score from 1 to 5."),
    "widget_rate_thanks": ("Obrigado pela sua avaliação!", "Thank you for your rating!"),
    # The support button (W3) — support.js shows these on the company's own pages
    "widget_button_label": ("Suporte", "Support"),
    "widget_button_open": ("Abrir o atendimento", "Open support"),
    "widget_button_minimize": ("Minimizar o atendimento", "Minimise support"),
    "widget_button_panel": ("Atendimento", "Support"),
    "widget_button_portal": ("Minhas solicitações", "My requests"),
    "widget_button_frame": ("Chat de atendimento", "Support chat"),
    "widget_button_unread": ("mensagens novas", "new messages"),
    # The support button's documentation page
    "widget_install_title": ("Botão de suporte", "Support button"),
    "widget_install_lead": (
        "Coloque o atendimento dentro do seu produto: um botão no canto da tela abre o chat e o "
        "portal de solicitações.",
        "Put support inside your product: a button in the corner of the screen opens the chat and "
        "the requests portal.",
    ),
    "widget_install_step": (
        "Cole esta linha no HTML das páginas do seu produto, antes de </body>:",
        "Paste this line into your product's pages, before </body>:",
    ),
    "widget_install_what": (
        "O botão fica no canto inferior direito, acessível pelo teclado; abre um painel com o chat "
        "e um link para as solicitações do cliente. Ele não altera o visual da sua página.",
        "The button sits in the bottom right corner, reachable by keyboard; it opens a panel with "
        "the chat and a link to the customer's requests. It does not change your page's look.",
    ),
    "widget_install_options": ("Opções (atributos da tag):", "Options (attributes of the tag):"),
    "widget_install_lang": (
        'data-lang="en" — idioma do botão e do painel (padrão: o idioma da página).',
        'data-lang="en" — language of the button and the panel (default: the page\'s language).',
    ),
    "widget_install_department": (
        'data-department="Financeiro" — departamento já escolhido no chat.',
        'data-department="Financeiro" — department already chosen in the chat.',
    ),
    "widget_install_origins": (
        "O seu site precisa estar em CHAT_ORIGINS (configuração do gateway) para exibir o chat.",
        "Your site must be listed in CHAT_ORIGINS (a gateway setting) to show the chat.",
    ),
    "widget_install_demo": ("Ver a demonstração", "See the demo"),
    # The demo: a made-up company product embedding the button (guide 000's "Botão de Suporte no SECT")
    "widget_demo_title": ("SECT — painel", "SECT — dashboard"),
    "widget_demo_menu": ("Menu do SECT", "SECT menu"),
    "widget_demo_nav_panel": ("Painel", "Dashboard"),
    "widget_demo_nav_orders": ("Encomendas", "Parcels"),
    "widget_demo_nav_tracking": ("Rastreamento", "Tracking"),
    "widget_demo_nav_reports": ("Relatórios", "Reports"),
    "widget_demo_greeting": ("Bom dia, Loja Exemplo", "Good morning, Example Store"),
    "widget_demo_today": ("Encomendas hoje", "Parcels today"),
    "widget_demo_transit": ("Em trânsito", "In transit"),
    "widget_demo_delivered": ("Entregues no mês", "Delivered this month"),
    "widget_demo_issues": ("Ocorrências", "Issues"),
    "widget_demo_recent": ("Últimas encomendas", "Latest parcels"),
    "widget_demo_code": ("Código", "Code"),
    "widget_demo_recipient": ("Destinatário", "Recipient"),
    "widget_demo_status": ("Situação", "Status"),
    "widget_demo_posted": ("Postado", "Posted"),
    "widget_demo_on_way": ("Saiu para entrega", "Out for delivery"),
    "widget_demo_done": ("Entregue", "Delivered"),
    "widget_demo_note": (
        "Demonstração: uma página de produto fictícia que embute o botão de suporte com uma linha, "
        "como um cliente faria. Use o botão no canto inferior direito.",
        "Demo: a made-up product page embedding the support button with one line, as a customer "
        "would. Use the button in the bottom right corner.",
    ),
}
