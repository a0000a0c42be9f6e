"""HTML pages, one module per resource: entries, sources, collections, communities, people, jobs,
proposals, feeds, coverage, OAI-PMH, discoveries and the language chooser (languages)."""


def init_app(app) -> None:
    """Register the HTML blueprints."""
    from ..extensions import csrf
    from . import (
        collections,
        communities,
        coverage,
        discoveries,
        entries,
        feeds,
        jobs,
        languages,
        oai,
        people,
        proposals,
        sources,
    )

    for blueprint in (
        entries.bp,
        entries.editing_bp,
        people.auth_bp,
        people.account_bp,
        proposals.bp,
        jobs.bp,
        feeds.bp,
        oai.bp,
        communities.bp,
        collections.bp,
        coverage.bp,
        languages.bp,
        sources.bp,
        discoveries.bp,
    ):
        app.register_blueprint(blueprint)
    csrf.exempt(oai.bp)  # OAI-PMH harvesters POST forms without a session
