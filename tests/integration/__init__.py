"""Core features over the built-in plugins' content (site search across sources, the page cache, query
counts, a crash mid-write): each module names the plugins it needs in REQUIRES_PLUGINS and is not
collected without them (tests/conftest.py). Core's own tests (tests/core) use only the test plugin."""
