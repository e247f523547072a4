"""Built-in plugins; each is registered through the cms.plugins entry-point group."""
