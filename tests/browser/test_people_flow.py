"""The whole people flow in real Chromium: register, sign in, submit a project, claim it, a translation
proposed by someone else, reviewed by the maintainer, and shown on the entry page with its origin."""
from __future__ import annotations

import re

import pytest

from tests.helpers import harvest_options, harvest_source

pytestmark = pytest.mark.browser

PASSWORD = "a long sample password"
README = ("# Word Splitter\n\nA sample tool that splits Amharic and Tigrinya text into words, "
          "written for the browser test.\n")


def register(page, name: str) -> None:
    page.goto("/register")
    page.get_by_label("Account name", exact=True).fill(name)
    page.get_by_label("E-mail address", exact=True).fill(f"{name}@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.get_by_text(f"Signed in as {name}").wait_for()


def sign_in(page, name: str) -> None:
    page.goto("/")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Account name or e-mail address").fill(name)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_register_submit_claim_translate_review(new_context, live_server, git_repo):
    repo = git_repo({"README.md": README, "LICENSE": "MIT License\n"}, name="horn-nlp/word-splitter")

    # Amina registers, signs out, and signs in again through the header links.
    amina = new_context().new_page()
    register(amina, "amina")
    amina.get_by_role("button", name="Sign out").click()
    amina.get_by_text("You are signed out.").wait_for()
    sign_in(amina, "amina")
    assert amina.url == live_server.url + "/"  # back where she was
    assert amina.get_by_role("navigation", name="Account").get_by_role("link", name="amina").is_visible()

    # She registers her project: preview first, with where every field came from, then confirm.
    amina.get_by_role("link", name="Register a project").click()
    amina.get_by_label("Repository or page address").fill(str(repo))
    amina.get_by_role("button", name="Preview").click()
    amina.get_by_role("heading", name="What we found").wait_for()
    preview = amina.locator("table.preview")
    assert "Word Splitter" in preview.inner_text() and "README.md" in preview.inner_text()
    amina.get_by_role("button", name="Register it").click()
    amina.wait_for_url(re.compile(r"/entries/horn-nlp/word-splitter$"))
    assert amina.locator(".entry-head h1").inner_text() == "Word Splitter"

    # She claims it: the token goes into .ai-commons-claim and the next harvest verifies it.
    amina.get_by_role("link", name="Claim").click()
    amina.get_by_role("button", name="Get a claim token").click()
    token = amina.get_by_label("Claim token").input_value()
    assert token.startswith("acc-")
    git_repo({".ai-commons-claim": token + "\n"}, name="horn-nlp/word-splitter", message="claim")
    app = live_server.app
    assert harvest_source(app, source=str(repo), options=harvest_options(app, operator=True)).error is None
    amina.get_by_role("link", name="History").click()
    amina.get_by_text("Maintained by amina").wait_for()

    # Kofi, in his own browser, proposes a Swahili translation with the original beside his form.
    kofi = new_context().new_page()
    register(kofi, "kofi")
    kofi.goto("/entries/horn-nlp/word-splitter")
    kofi.get_by_role("link", name="Translate").click()
    assert "splits Amharic and Tigrinya" in kofi.locator("section.original").inner_text()
    kofi.get_by_label("Language", exact=True).fill("sw")
    kofi.get_by_label("Name", exact=True).fill("Kigawanya Maneno")
    kofi.get_by_label("Summary", exact=True).fill("Zana ya mfano inayogawanya maandishi kuwa maneno.")
    kofi.get_by_role("button", name="Send the translation").click()
    kofi.get_by_text("Your translation is waiting for review").wait_for()

    # Amina reviews it as the maintainer: original and proposal side by side, accept with a note.
    amina.get_by_role("link", name="Review").click()
    proposal = amina.locator("article.proposal")
    assert "Translation of Word Splitter into Swahili" in proposal.inner_text()
    assert "Kigawanya Maneno" in proposal.locator("td.proposed").first.inner_text()
    assert "Word Splitter" in proposal.locator("td.original").first.inner_text()
    proposal.get_by_label("Note for the author").fill("Asante sana!")
    proposal.get_by_role("button", name="Accept").click()
    amina.get_by_text("accepted").first.wait_for()
    assert amina.get_by_text("Nothing is waiting for review.").is_visible()

    # Everyone sees the translation on the entry page, with its origin and reviewer.
    reader = new_context().new_page()
    reader.goto("/entries/horn-nlp/word-splitter")
    reader.get_by_role("navigation", name="Read in").get_by_role("link", name="Swahili").click()
    assert reader.locator(".entry-head h1").inner_text() == "Kigawanya Maneno"
    assert "Community translation into Swahili, reviewed by amina" in reader.locator(".translation-origin").inner_text()

    # Kofi's dashboard shows the outcome and the note.
    kofi.goto("/account")
    row = kofi.locator("tr", has_text="Word Splitter")
    assert "accepted" in row.inner_text() and "Asante sana!" in row.inner_text()


def test_forms_work_without_javascript(new_context):
    page = new_context(java_script_enabled=False).new_page()
    register(page, "nojs")
    page.get_by_role("button", name="Sign out").click()
    page.get_by_text("You are signed out.").wait_for()
    page.goto("/login")
    page.get_by_label("Account name or e-mail address").fill("nojs")
    page.get_by_label("Password", exact=True).fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text().strip() == "That account name and password do not match."
    assert page.get_by_label("Account name or e-mail address").input_value() == "nojs"
