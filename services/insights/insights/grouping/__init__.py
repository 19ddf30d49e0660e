"""Recurring demands: tickets and chats grouped by what they are about (pt-BR and English).

``fit`` (or ``group``) finds the groups in a period's documents; ``trend`` counts them in the previous
period; ``match`` carries the stored groups' ids over to a recomputation. Pure: no I/O, seeded.
"""

from insights.grouping.clustering import Grouping, fit, group
from insights.grouping.describe import OTHER, Group
from insights.grouping.documents import Document, documents, from_chat, from_ticket
from insights.grouping.matching import Known, Matching, match
from insights.grouping.trends import Trend, trend

__all__ = [
    "OTHER",
    "Document",
    "Group",
    "Grouping",
    "Known",
    "Matching",
    "Trend",
    "documents",
    "fit",
    "from_chat",
    "from_ticket",
    "group",
    "match",
    "trend",
]
