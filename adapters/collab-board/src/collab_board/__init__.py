"""collab-board: a collab_core publisher writing the board pack: an Excel workbook for each
publication, laid out as trust boards read it, and a CSV file for every table beside it."""

from collab_board.publisher import BoardPublisher
from collab_board.tables import Column, Table, cell_value, tables_of

__all__ = ["BoardPublisher", "Column", "Table", "cell_value", "tables_of"]
