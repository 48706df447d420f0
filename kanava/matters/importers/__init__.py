"""Importers of matters: CSV with a column mapping, Helsinki's Ahjo API, meeting-system feeds."""

from kanava.matters.importers.ahjo import ahjo_import
from kanava.matters.importers.base import ImportResult
from kanava.matters.importers.csvfile import FIELDS, MappingError, csv_import
from kanava.matters.importers.feeds import PARSERS, feed_import, register

__all__ = ["FIELDS", "PARSERS", "ImportResult", "MappingError", "ahjo_import", "csv_import", "feed_import",
           "register"]
