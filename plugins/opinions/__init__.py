"""Public consultation on drafts with feedback on adoption."""
