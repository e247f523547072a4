"""The supported surface for plugins: everything a plugin may use from core, and nothing else.

A plugin imports `from core.plugin_api import ...` only (a test fails on any other import of core,
tests/core/test_plugin_api.py); core is free to reorganise behind this module. docs/plugins.md
describes each group and walks through a complete small plugin.
"""
from __future__ import annotations

# Registering: the hook marker and what hooks return.
from core.plugins import (AssessmentComponent, DashboardWidget, HomeEntry, HomeSection, PolicyDocument, SupervisionNotice, MenuEntry, NavItem, PluginInfo, PluginRoutes, SearchDocument, SearchFollow,
                          SearchSource, SharedDocument, Widget, collect, hookimpl)

# Data: the session, column types, tenant-owned models and the tenant scope.
from core.db import TimestampMixin, UTCDateTime, db
from core.tenants import Tenant, TenantScoped, across_subtree, across_tenants, get_or_404, tenant_by_slug, tenant_scope
from core.security.rls import disable_in_migration as disable_rls_in_migration
from core.security.rls import enable_in_migration as enable_rls_in_migration

# People and permissions, named policies.
from core.accounts import (SYSTEM, Permission, has_permission, may_see_personal_data, require_permission,
                           user_by_username)

# Errors a service raises; views show them on the form, the API answers them as JSON.
from core.errors import AccessDenied, Conflict, DomainError, NotFound

# Audit log (audit.record, audit.history), tracking codes (codes.new_code, codes.normalise_code),
# notifications.
from core import audit, codes
from core.notify import notify

# Attachments.
from core.attachments import (Attachment, AttachmentLink, duplicate, mark_private, mark_public, save_upload,
                              storage_path, sync_attachments)

# Admin views, forms, pagination and URLs; the one way to run an action from a form or a button.
from core.actions import run_button, run_form, show_error
from core.web.admin import requires, save_uploads
from core.forms import REQUIRED, ActionForm, choices, import_word, RichTextField, WordImportField
from core.pagination import Page, page_args, paginate
from core.web import int_arg, url_path_for

# The JSON API.
from core.api import ApiError, Id, api_user, operation

# Site search beyond the plugin's own sources.
from core.search import match as search_match
from core.search import prefer_index as prefer_search_index

# Uploaded and imported files, parsed within stated limits.
from core.bounded import LimitExceeded, check_size, check_xlsx, open_zip, read_text_file

# 文号 in its canonical form (GB/T 9704).
from core.docno import canonical_doc_no, looks_like_doc_no

# Text, personal data, exports, rate limits.
from core.sanitize import clean_html, plain_text, text_to_html
from core.masking import mask_contact, mask_id_number, mask_name, mask_phone
from core.contacts import ascii_text, normalise_email, normalise_id_number, normalise_mobile, normalise_phone
from core.exports import (append_rows, attachment_headers, csv_download, export_cell, new_workbook, workbook_bytes,
                          xlsx_download)
from core.security.ratelimit import client_address, limiter, lookup_limit

# PDFs in Chinese: the fonts (parsed once per process), Chinese line breaking, a plain report document.
from core.pdf import (NO_LINE_END, NO_LINE_START, PdfUnavailable, ReportDocument, add_cjk_fonts, break_lines,
                      break_text, pdf_download)
from core.pdf import fonts as pdf_fonts

# China's date and time, and its working-day calendar.
from core.clock import CHINA_TZ, china_date, china_moment, china_today, utcnow
from core.workdays import Calendar

# Command line.
from core.cli import tenant_or_exit

__all__ = [
    "AssessmentComponent", "DashboardWidget", "HomeEntry", "HomeSection", "PolicyDocument", "SupervisionNotice", "MenuEntry", "NavItem", "PluginInfo", "PluginRoutes", "SearchDocument", "SearchFollow",
    "SearchSource", "SharedDocument",
    "Widget", "collect", "hookimpl",
    "TimestampMixin", "UTCDateTime", "db", "Tenant", "TenantScoped", "across_subtree", "across_tenants",
    "get_or_404", "tenant_by_slug", "tenant_scope", "disable_rls_in_migration", "enable_rls_in_migration",
    "SYSTEM", "Permission", "has_permission", "may_see_personal_data", "require_permission", "user_by_username",
    "AccessDenied", "Conflict", "DomainError", "NotFound",
    "audit", "codes", "notify",
    "Attachment", "AttachmentLink", "sync_attachments", "duplicate", "mark_private", "mark_public", "save_upload",
    "storage_path",
    "requires", "save_uploads", "show_error", "run_form", "run_button", "REQUIRED", "ActionForm", "choices", "RichTextField", "WordImportField", "import_word", "Page", "page_args", "paginate",
    "int_arg", "url_path_for",
    "ApiError", "Id", "api_user", "operation",
    "search_match", "prefer_search_index",
    "LimitExceeded", "check_size", "check_xlsx", "open_zip", "read_text_file",
    "canonical_doc_no", "looks_like_doc_no",
    "clean_html", "plain_text", "text_to_html", "mask_contact", "mask_id_number", "mask_name", "mask_phone",
    "ascii_text", "normalise_email", "normalise_id_number", "normalise_mobile", "normalise_phone",
    "append_rows", "csv_download", "export_cell", "new_workbook", "workbook_bytes",
    "xlsx_download", "client_address", "limiter", "lookup_limit",
    "NO_LINE_END", "NO_LINE_START", "PdfUnavailable", "ReportDocument", "add_cjk_fonts", "break_lines", "break_text",
    "pdf_download", "pdf_fonts", "attachment_headers",
    "CHINA_TZ", "china_date", "china_moment", "china_today", "utcnow", "Calendar",
    "tenant_or_exit",
]
