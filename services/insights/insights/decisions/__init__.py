"""Agents' decisions on recurring demands: an event-sourced application and the page's read model."""
