"""Custom Scrapy signals of this project."""

# Sent by spiders for a page-level outcome worth keeping (HTTP error, redirect, network error).
# Arguments: url (str), kind (str), reason (str).
page_outcome = object()
