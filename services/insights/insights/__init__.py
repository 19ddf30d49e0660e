"""Atende's insights service: recurring demands, service figures and customer satisfaction."""

VERSION = "0.1.0"
