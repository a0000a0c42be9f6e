"""HTML pages, one module per resource: entries, sources, collections, communities, people, jobs,
proposals, feeds, coverage, OAI-PMH and the language chooser (languages)."""
