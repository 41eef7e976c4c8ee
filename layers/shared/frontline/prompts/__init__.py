"""The analysis prompt templates (Jinja2, plain text): package data loaded by llm_provider."""
