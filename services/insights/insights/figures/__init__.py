"""Service figures: volumes, response and resolution times, time in status, chat waits, satisfaction."""

from insights.figures.breakdown import By, owner
from insights.figures.chats import ChatFigures, chat_figures
from insights.figures.satisfaction import (
    RatingsBy,
    Satisfaction,
    SatisfactionRow,
    comments,
    satisfaction,
    satisfaction_rows,
)
from insights.figures.stats import Durations
from insights.figures.tables import Cell, csv_rows
from insights.figures.tickets import StatusTime, TicketFigures, status_times, ticket_figures

__all__ = [
    "By",
    "Cell",
    "ChatFigures",
    "Durations",
    "RatingsBy",
    "Satisfaction",
    "SatisfactionRow",
    "StatusTime",
    "TicketFigures",
    "chat_figures",
    "comments",
    "csv_rows",
    "owner",
    "satisfaction",
    "satisfaction_rows",
    "status_times",
    "ticket_figures",
]
