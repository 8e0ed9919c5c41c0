"""Ledgers (台账): a list page's records, with the page's own filters and scope, as the .xlsx
offices file: title, area, period and 填报单位/填报人/制表日期 (office.py, shared with the
statistics tables), rows streamed into a write-only workbook; large areas as a background job
with a download link when done (base.py). Apps register their ledgers in ``<app>/ledgers.py``."""
