"""Cross-site scripting, tried for real: the whole payload corpus (tests/security/xss_payloads.py) is pushed
through every place the registry shows text that a stranger wrote or a harvest brought in, and every page
is loaded in Chromium twice — as served (with the Content-Security-Policy) and with the CSP bypassed, so
the sanitizer and the escaping are shown to hold on their own.

On each page nothing may happen: no call of the sentinel `xssHit` (defined in every frame by an init
script), no dialog, no uncaught error, no CSP violation other than an image's; and a walk of the DOM finds
no event-handler attribute, no script URL, no element the registry never writes itself (script other than
the JSON-LD block, iframe, object, embed, base, meta refresh, form posting elsewhere, MathML, SVG outside
the coverage charts). A positive control first shows that the detector does see payloads that run.

One registry serves the whole module: the data goes in through the real harvester (a git repository whose
README, translated README and CITATION.cff are made of payloads, and an awesome-list repository), the
harvest apply path, and the same services the pages use (edits, proposals, reviews, translations,
communities, collections, profiles).
"""
from __future__ import annotations

import html
import re
import shutil
import threading
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

import git
import markdown
import pytest
import yaml
from sqlmodel import select
from werkzeug.serving import make_server

from registry import create_app
from registry.db import get_engine, sessions, write_session
from registry.models import Source, User
from registry.rendering import render_markdown
from registry.services import Actor
from registry.services.collection_items import add_item
from registry.services.collection_translations import submit_collection_translation
from registry.services.collections import create_collection
from registry.services.communities import create_community, decide_join, request_join
from registry.services.editing import edit_entry, set_hidden
from registry.services.proposals import decide_proposal, propose_edit, submit_translation
from registry.services.sources import sync_list
from registry.services.tokens import create_token
from registry.services.users import create_user, update_profile
from tests.conftest import SAMPLE_AUTHOR, SAMPLE_DATE
from tests.helpers import add_entry, harvest_options, harvest_source
from tests.security.xss_payloads import PAYLOADS, SENTINEL, pack

pytestmark = pytest.mark.browser

PASSWORD = "xss test password"
TEXTS = [p.text for p in PAYLOADS]
#: The payloads meant for plain-text fields such as names (not the Markdown ones).
PLAIN_TEXTS = [p.text for p in PAYLOADS if not p.family.startswith("md-")]
#: The harvested entry's name (CITATION.cff's title wins over the README's heading).
HARVESTED_TITLE = next(t for t in TEXTS if t.startswith("<svg onload="))
#: Payloads that can name a folder (no slash), for repositories harvested from local paths.
FOLDER_NAMES = [t for t in PLAIN_TEXTS if "/" not in t and t.isprintable() and len(t) < 80][::25][:4]
#: A word only the chunk entries' descriptions carry, so a search for it shows description snippets.
DESCRIPTION_WORD = "orchidquartz"
#: Pages opened at once in one browser context (their loading overlaps), and the time they get after loading
#: for timers, animations, autofocus and refreshes to run.
TABS = 4
SETTLE_MS = 80
#: Elements whose text the audit brings back, to check that text is shown exactly as written.
COLLECT = ["a.entry-name", "p.summary", "p.snippet mark"]


def norm(text: str) -> str:
    """Text as compared on a page: control characters and runs of white space read as one space."""
    return " ".join(re.sub("[\x00-\x1f\x7f]", " ", text).split())


# Defined in every frame before any of its scripts: the sentinel records a call (and says so on the console,
# which reaches the test from any frame); CSP violations are recorded the same way.
INIT_SCRIPT = """
(() => {
  const hits = [];
  const report = (how, what) => {
    try { hits.push(how + ' ' + String(what)); } catch (e) {}
    try { console.log('XSS-SENTINEL ' + how + ' ' + String(what)); } catch (e) {}
  };
  try { Object.defineProperty(window, '__xssHits', {value: hits}); } catch (e) {}
  window.%s = (n) => report('called', n);
  document.addEventListener('securitypolicyviolation', (e) => {
    report('csp', e.effectiveDirective + ' ' + e.blockedURI + ' ' + (e.sample || ''));
  }, true);
})();
""" % SENTINEL

# Let timers, animations, autofocus and refreshes run (when `settle`), then walk the DOM for anything live.
# What is audited: "page" the page itself (and the text of the elements `items` selects is returned);
# "frames" each <iframe> of the page as one document; "strings" each of the HTML fragments `items`, parsed by
# Chromium's own HTML parser (DOMParser) into a document of its own.
AUDIT_SCRIPT = r"""
async ([what, items, settle]) => {
  if (settle) await Promise.race([
    new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 40)))),
    new Promise(r => setTimeout(r, 400)),
  ]);
  const SVG = 'http://www.w3.org/2000/svg', MATHML = 'http://www.w3.org/1998/Math/MathML';
  const XHTML = 'http://www.w3.org/1999/xhtml';
  const URL_ATTRIBUTES = new Set(['href', 'src', 'action', 'formaction', 'data', 'poster', 'background', 'cite',
    'ping', 'lowsrc', 'dynsrc', 'codebase', 'longdesc', 'usemap', 'srcset', 'manifest', 'icon', 'archive',
    'classid', 'profile', 'values', 'to', 'from', 'by', 'xlink:href', 'xml:base']);
  const SAFE_SCHEMES = new Set(['http', 'https', 'mailto']);
  const FORBIDDEN = new Set(['iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'base', 'portal',
    'param', 'template', 'noscript', 'noembed', 'noframes', 'xmp', 'plaintext', 'listing', 'isindex', 'bgsound',
    'marquee', 'style', 'math', 'foreignobject', 'animate', 'set', 'animatetransform', 'animatemotion',
    'discard', 'handler', 'use', 'image', 'feimage']);
  const show = el => (el.outerHTML || el.localName).slice(0, 160);
  const scheme = value => {
    // As a URL parser reads it: leading and trailing C0 controls and spaces go, tabs and newlines anywhere.
    const cleaned = value.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '').replace(/[\t\n\r]/g, '');
    const m = /^([a-zA-Z][a-zA-Z0-9+.\-]*):/.exec(cleaned);
    return m ? m[1].toLowerCase() : null;
  };
  const audit = (doc, where) => {
    const findings = [];
    // An XML document (Atom, OAI-PMH, sitemap) is shown by Chromium's XML viewer, which keeps the document's
    // own elements in a hidden container: those are audited, as XML.
    const isHtml = doc.contentType === 'text/html';
    // A document shown as plain text (Chromium does so for Atom served with nosniff) holds no markup at all.
    if (doc.contentType === 'text/plain') return findings;
    const viewer = isHtml ? null : doc.getElementById('webkit-xml-viewer-source-xml');
    const origin = location.origin;
    const visit = root => {
      for (const el of root.querySelectorAll('*')) {
        const tag = el.localName.toLowerCase();
        for (const attr of Array.from(el.attributes)) {
          const name = attr.name.toLowerCase();
          if (name.startsWith('on')) findings.push(`${where}: event handler ${name}= on ${show(el)}`);
          if (name === 'srcdoc') findings.push(`${where}: srcdoc on ${show(el)}`);
          if (name === 'style' && /url\s*\(|expression|behavior|binding|javascript/i.test(attr.value))
            findings.push(`${where}: active style ${show(el)}`);
          if (URL_ATTRIBUTES.has(name) || name.endsWith(':href')) {
            const s = scheme(attr.value);
            if (s && !SAFE_SCHEMES.has(s)) findings.push(`${where}: ${s}: URL in ${name}= of ${show(el)}`);
          }
        }
        if (!isHtml) {
          // The sitemap's hreflang alternates are XHTML <link rel="alternate"> elements; nothing else may be.
          const alternate = el.namespaceURI === XHTML && tag === 'link' && el.getAttribute('rel') === 'alternate';
          if ((el.namespaceURI === XHTML && !alternate) || el.namespaceURI === SVG || el.namespaceURI === MATHML)
            findings.push(`${where}: markup element in an XML document: ${show(el)}`);
          continue;
        }
        if (FORBIDDEN.has(tag)) findings.push(`${where}: <${tag}> ${show(el)}`);
        if (tag === 'script' && !(el.type === 'application/ld+json' && el.parentNode === doc.head))
          findings.push(`${where}: script ${show(el)}`);
        if (tag === 'meta' && el.hasAttribute('http-equiv')) findings.push(`${where}: meta http-equiv ${show(el)}`);
        if (tag === 'link' && !['stylesheet', 'canonical', 'alternate'].includes((el.rel || '').toLowerCase()))
          findings.push(`${where}: link ${show(el)}`);
        if (el.namespaceURI === MATHML) findings.push(`${where}: MathML ${show(el)}`);
        if (el.namespaceURI === SVG && !(el.closest('figure.chart') &&
                                         ['svg', 'title', 'desc', 'a', 'text', 'rect'].includes(tag)))
          findings.push(`${where}: SVG outside the charts ${show(el)}`);
        if (tag === 'form') {
          const target = new URL(el.getAttribute('action') || '', doc.baseURI);
          if (target.origin !== origin) findings.push(`${where}: form posting to ${target.href}`);
        }
        if ((tag === 'a' || tag === 'area') && el.href) {
          const s = scheme(String(el.href));
          if (s && !SAFE_SCHEMES.has(s)) findings.push(`${where}: link to ${s}: ${show(el)}`);
        }
        if (el.shadowRoot) visit(el.shadowRoot);
      }
    };
    visit(viewer || doc);
    return findings;
  };
  if (what === 'strings') {
    return {documents: items.map((text, i) => audit(
      new DOMParser().parseFromString('<!doctype html><html><head></head><body>' + text, 'text/html'), `#${i}`))};
  }
  if (what === 'frames') {
    return {frames: Array.from(document.querySelectorAll('iframe'), (frame, i) => {
      let doc = null;
      try { doc = frame.contentDocument; } catch (e) {}
      if (!doc || doc.location.href !== 'about:srcdoc')
        return {findings: [`frame ${i}: navigated away`], hits: []};
      return {findings: audit(doc, `frame ${i}`), hits: Array.from(frame.contentWindow.__xssHits || [])};
    })};
  }
  const findings = audit(document, location.pathname + location.search);
  if (document.contentType === 'text/html' && document.baseURI !== location.href)
    findings.push(`base URI changed to ${document.baseURI}`);
  const jsonld = [];
  for (const block of document.querySelectorAll('script[type="application/ld+json"]')) {
    try { jsonld.push(JSON.parse(block.textContent)); }
    catch (e) { findings.push('the JSON-LD block is not JSON: ' + block.textContent.slice(0, 200)); }
  }
  const texts = {};
  for (const selector of items) texts[selector] = Array.from(document.querySelectorAll(selector), e => e.textContent);
  return {findings, hits: Array.from(window.__xssHits || []), jsonld, title: document.title, texts,
          type: document.contentType};
}
"""


#: Every page is loaded twice: as served (with the Content-Security-Policy), and with the CSP bypassed so that
#: the sanitizer and the escaping are shown to hold on their own.
MODES = ["served", "bypassed"]


@dataclass
class Site:
    url: str
    app: object
    root: Path
    #: Browser storage (the session cookie) of each signed-in person, by account name.
    states: dict = field(default_factory=dict)
    chunks: dict = field(default_factory=dict)  # slug -> the payload texts it carries
    names: dict = field(default_factory=dict)  # slug -> name
    summaries: dict = field(default_factory=dict)  # slug -> summary
    source_id: int = 0
    broken_source: str = ""
    broken_source_id: int = 0
    preview_repo: str = ""
    list_collection: str = ""


@dataclass
class PageReport:
    path: str
    status: int
    final_path: str
    findings: list[str]
    fired: list[str]
    jsonld: list
    title: str
    texts: dict
    content_type: str


# ---------------------------------------------------------------------------------------------- the registry

def _commit(path: Path, files: dict[str, str], message: str = "payloads") -> Path:
    # The `git_repo` fixture's way of building a real repository, for this module-wide registry.
    path.mkdir(parents=True, exist_ok=True)
    repo = git.Repo(path) if (path / ".git").exists() else git.Repo.init(path, initial_branch="main")
    for rel, content in files.items():
        (path / rel).write_text(content, encoding="utf-8", newline="")
    repo.git.add("-A")
    repo.index.commit(message, author=SAMPLE_AUTHOR, committer=SAMPLE_AUTHOR, author_date=SAMPLE_DATE,
                      commit_date=SAMPLE_DATE)
    repo.close()
    return path


def _readme(title: str, texts: list[str]) -> str:
    intro = ("A gallery of hostile text kept for the registry's own tests: every paragraph below tries to run "
             "script in a reader's browser. " + " ".join(texts[:3]))
    return f"# {title}\n\n{intro}\n\n## Payloads\n\n" + "\n\n".join(texts) + "\n"


def _citation(texts: list[str], title: str) -> str:
    doc = {
        "cff-version": "1.2.0", "message": texts[1], "title": title, "abstract": " ".join(texts[:40]),
        "authors": [{"given-names": t, "family-names": texts[-1 - i], "affiliation": texts[i + 7]}
                    for i, t in enumerate(texts[100:140])],
        "keywords": texts[150:190], "license": texts[200], "version": texts[201][:100],
        "url": texts[-12], "doi": texts[-1],
    }
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def _awesome_list(texts: list[str]) -> str:
    lines = [f"# Awesome {texts[5]}", "", " ".join(texts[10:20]), ""]
    for g, group in enumerate([texts[i:i + 40] for i in range(0, len(texts), 40)]):
        lines += [f"## {group[0]}", ""]
        for i, text in enumerate(group[1:]):
            lines.append(f"- [{text}](https://example.org/list/{g}/{i}) - {text} {group[-1 - i]}")
        lines += [f"- [script link](javascript:{SENTINEL}({g}))", ""]
    return "\n".join(lines) + "\n"


def _user(session, name: str, display_name: str) -> Actor:
    # Accounts that never sign in are made without hashing a password (argon2 is slow on purpose); their
    # display name goes through the profile service like anyone's.
    row = User(name=name, email=f"{name}@example.org", password_hash="!", role="user")
    session.add(row)
    session.flush()
    actor = Actor(name=name, user_id=row.id)
    update_profile(session, actor=actor, display_name=display_name, preferred_language=None)
    return actor


def _populate(site: Site, root: Path) -> None:
    app = site.app
    operator = harvest_options(app, operator=True)

    # A real repository, harvested by the real harvester: README, a Chinese README and CITATION.cff.
    repos = root / "repos"
    gallery = _commit(repos / "xss-lab" / "gallery", {
        "README.md": _readme(f"Gallery {TEXTS[43]}", TEXTS),
        "README_zh.md": _readme(f"载荷 {TEXTS[120]}", list(reversed(TEXTS))),
        "CITATION.cff": _citation(TEXTS, HARVESTED_TITLE),
        "LICENSE": "MIT License\n",
    })
    result = harvest_source(app, source=str(gallery), options=operator)
    assert result.error is None and result.slug == "xss-lab/gallery", result
    # A second harvest of a changed README: the history page shows line diffs of payloads.
    _commit(gallery, {"README.md": _readme(f"Gallery {TEXTS[44]}", TEXTS[::2] + TEXTS[1::2])}, "reorder")
    assert harvest_source(app, source=str(gallery), options=operator).error is None
    site.preview_repo = str(_commit(repos / "xss-lab" / "preview", {
        "README.md": _readme(f"Preview {TEXTS[45]}", TEXTS), "CITATION.cff": _citation(TEXTS, TEXTS[46])}))
    list_repo = _commit(repos / "xss-lab" / "awesome-payloads", {"README.md": _awesome_list(TEXTS)})
    # Repositories in folders named with payloads (an operator harvests local paths): the path is the source's
    # address, shown to admins; the last one then breaks, and its failed run's error names the path.
    for i, folder in enumerate(FOLDER_NAMES):
        named = _commit(repos / "xss-named" / folder, {"README.md": _readme(f"Folder {i}", TEXTS[i::40])})
        assert harvest_source(app, source=str(named), options=operator).error is None
    shutil.rmtree(named / ".git")
    assert harvest_source(app, source=str(named), options=operator).error is not None
    site.broken_source = str(named)

    # Entries made through the harvest apply path, each carrying a share of the corpus in every field: names
    # hold the payloads meant for plain text (HTML, breakouts, addresses), up to 300 characters each;
    # summaries and descriptions hold every payload, the Markdown ones included.
    names = pack(PLAIN_TEXTS, 300)
    summaries = pack(TEXTS, 1000)
    markdown_texts = [p.text for p in PAYLOADS if p.family.startswith("md-")]
    url_payloads = [p.text for p in PAYLOADS if p.family == "url"]
    for i, name in enumerate(names):
        carried = [t for t in PLAIN_TEXTS if t in name] + markdown_texts[i::len(names)]
        slug = add_entry(
            app, f"xss-chunk/c{i:02d}", name=name, summary=summaries[i % len(summaries)], language="en",
            description="\n\n".join(carried) + f"\n\n{DESCRIPTION_WORD}\n",
            kind=("model", "dataset", "project")[i % 3], languages=["sw", "yo", "zh-Hans"][: 1 + i % 3],
            region=("KE", "NG", "CN", "BR")[i % 4], license="MIT",
            tasks=[t[:100] for t in carried[:2]], tags=[t[:100] for t in carried], frameworks=[carried[-1][:100]],
            version=carried[0][:100], homepage=url_payloads[i % len(url_payloads)],
            authors=[{"name": t, "affiliation": t, "orcid": url_payloads[(i + 1) % len(url_payloads)]}
                     for t in carried],
            citation={"doi": url_payloads[-1]})
        site.chunks[slug] = carried
        site.names[slug] = name
        site.summaries[slug] = summaries[i % len(summaries)]
    add_entry(app, "xss-lab/edited", name="Edited entry", summary="Plain at first.", language="en",
              description="Plain.")
    add_entry(app, "xss-lab/conflict", name="Conflict entry", summary="Plain.", language="en",
              description="Plain.")

    with write_session(app) as s:
        mod_row = create_user(s, name="xssmod", email="xssmod@example.org", password=PASSWORD, role="moderator",
                              display_name=TEXTS[133][:100])
        member_row = create_user(s, name="xssmember", email="xssmember@example.org", password=PASSWORD,
                                 display_name=TEXTS[158][:100])
        create_user(s, name="xssadmin", email="xssadmin@example.org", password=PASSWORD, role="admin",
                    display_name=TEXTS[130][:100])
        mod = Actor(name="xssmod", role="moderator", user_id=mod_row.id)
        member = Actor(name="xssmember", user_id=member_row.id)
        site.source_id = s.exec(select(Source.id).where(Source.url == str(gallery))).one()
        site.broken_source_id = s.exec(select(Source.id).where(Source.url == site.broken_source)).one()
        for i, label in enumerate(pack(TEXTS, 100)[:12]):  # API tokens labelled with payloads
            create_token(s, user_name="xssmember", scope="read", name=label)
    add_entry(app, "xss-lab/hidden", name="Hidden entry", summary="Plain.", language="en", description="Plain.")
    with write_session(app) as s:
        set_hidden(s, slug="xss-lab/hidden", actor=mod, hidden=True, reason=pack(TEXTS, 500)[3])

    # A moderator edits an entry with every payload; a maintainer-level translation is published at once.
    description = "\n\n".join(TEXTS)
    short = [t for t in TEXTS if len(t) <= 100]
    with write_session(app) as s:
        edit_entry(s, slug="xss-lab/edited", actor=mod, base_revision=1, reason=pack(TEXTS, 500)[0],
                   changes={"name": names[1], "summary": pack(TEXTS, 1000)[1], "description": description,
                            "tags": short[:50], "tasks": short[50:60], "version": short[60]})
        submit_translation(s, slug="xss-lab/edited", actor=mod, lang="fr", base_revision=2,
                           text={"name": names[2], "summary": pack(TEXTS, 1000)[2], "description": description})
    # A member proposes: open edits with notes (every payload in some note), an open translation, and
    # decided proposals whose reviewer's notes carry every payload.
    notes = pack(TEXTS, 2000)
    with write_session(app) as s:
        submit_translation(s, slug="xss-lab/edited", actor=member, lang="sw", base_revision=3,
                           text={"name": names[3], "summary": pack(TEXTS, 1000)[3], "description": description})
        propose_edit(s, slug="xss-lab/edited", actor=member, base_revision=3, note=notes[0],
                     changes={"name": names[4], "summary": pack(TEXTS, 1000)[4], "description": description[::-1],
                              "tags": short[50:100]})
        for i, note in enumerate(notes):
            open_one = propose_edit(s, slug="xss-lab/edited", actor=member, base_revision=3, note=note,
                                    changes={"summary": f"Proposal {i}: {names[i % len(names)]}"})
            if i % 2:
                decide_proposal(s, proposal_id=open_one.id, actor=mod, accept=False, note=notes[-1 - i])
        decided = [propose_edit(s, slug="xss-lab/edited", actor=member, base_revision=3,
                                changes={"summary": f"Decided {i}"}) for i in range(len(notes))]
        for i, proposal in enumerate(decided):
            decide_proposal(s, proposal_id=proposal.id, actor=mod, accept=False, note=notes[i])

    # People: display names made of payloads, joining a community whose texts are payloads.
    communities = pack(TEXTS, 20_000, sep="\n\n")
    with write_session(app) as s:
        for i, text in enumerate(communities):
            create_community(s, actor=mod, name=pack(TEXTS, 200)[i], slug=f"xss-community-{i}",
                             description=text, region=pack(TEXTS, 200)[i + 2], languages=["sw", "yo"])
        people = [_user(s, f"person{i:03d}", text) for i, text in enumerate(pack(TEXTS, 100))]
        messages = pack(TEXTS, 500)
        for i, person in enumerate(people):
            request_join(s, slug="xss-community-0", actor=person, message=messages[i % len(messages)])
            if i % 3:
                decide_join(s, slug="xss-community-0", actor=mod, user_name=person.name, accept=True)

    # Collections: a community's, with payload titles, notes and groups; one owned by a person; a
    # translation by its curator; and an awesome-list of payloads synced into a collection.
    with write_session(app) as s:
        for i, text in enumerate(pack(TEXTS, 20_000, sep="\n\n")):
            create_collection(s, actor=mod, slug=f"xss-collection-{i}", title=names[i + 5], description=text,
                              community="xss-community-0", language="en")
        item_notes = pack(TEXTS, 300)
        groups = pack(TEXTS, 300)
        for i, slug in enumerate(site.chunks):
            add_item(s, slug="xss-collection-0", actor=mod, entry=slug, note=item_notes[i % len(item_notes)],
                     group=groups[(i // 10) % len(groups)])
        submit_collection_translation(s, slug="xss-collection-0", actor=mod, lang="fr",
                                      text={"title": names[7], "description": pack(TEXTS, 20_000, sep="\n\n")[0]})
        # A member's proposed translation waits on the curate page.
        submit_collection_translation(s, slug="xss-collection-0", actor=member, lang="sw",
                                      text={"title": names[11], "description": pack(TEXTS, 20_000, sep="\n\n")[1]})
        create_collection(s, actor=people[0], slug="xss-personal", title=names[8], description=names[9])
        add_item(s, slug="xss-personal", actor=people[0], entry="xss-lab/edited", note=names[10])
    synced = sync_list(sessions(app), source=str(list_repo), actor=mod, options=operator)
    assert synced.error is None and synced.collection, synced
    site.list_collection = synced.collection


def _sign_in_state(browser, site: Site, name: str) -> dict:
    ctx = browser.new_context(base_url=site.url, locale="en-US", **OFFLINE)
    page = ctx.new_page()
    page.goto("/login")
    page.get_by_label("Account name or e-mail address").fill(name)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(site.url + "/account")
    state = ctx.storage_state()
    ctx.close()
    return state


#: Only the registry under test is reached: payloads name other hosts, and every request for one goes to a
#: proxy address where nothing listens (cheaper than intercepting every request).
OFFLINE = {"proxy": {"server": "http://127.0.0.1:9", "bypass": "127.0.0.1"}}


@pytest.fixture(scope="module")
def site(tmp_path_factory, template_db, browser):
    """The registry on a free port, filled with the payload corpus through every way text comes in."""
    root = tmp_path_factory.mktemp("xss")
    db_path = root / "xss.db"
    shutil.copyfile(template_db, db_path)
    app = create_app({
        "DATABASE_URL": f"sqlite:///{db_path}", "SECRET_KEY": "xss-test", "INSTANCE_PATH": str(root / "instance"),
        "HARVEST_TIMEOUT": 60, "HARVEST_ALLOW_LOCAL": True,
    })
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="xss-server", daemon=True)
    thread.start()
    try:
        site = Site(url=f"http://127.0.0.1:{server.server_port}", app=app, root=root)
        _populate(site, root)
        for name in ("xssmod", "xssmember", "xssadmin"):
            site.states[name] = _sign_in_state(browser, site, name)
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        get_engine(app).dispose()


# ----------------------------------------------------------------------------------------------- the browser

class Watch:
    """Everything that would show a script ran in a page (or any of its frames)."""

    def __init__(self, page):
        self.events: list[str] = []
        page.on("dialog", self._dialog)
        page.on("console", self._console)
        page.on("pageerror", lambda err: self.events.append(f"uncaught error: {err}"))

    def _dialog(self, dialog) -> None:
        self.events.append(f"{dialog.type} dialog: {dialog.message}")
        dialog.dismiss()

    def _console(self, message) -> None:
        if message.text.startswith("XSS-SENTINEL"):
            self.events.append(message.text)


def open_context(browser, site: Site, mode: str, user: str | None = None):
    ctx = browser.new_context(base_url=site.url, locale="en-US", storage_state=site.states.get(user),
                              bypass_csp=mode == "bypassed", **OFFLINE)
    ctx.set_default_timeout(60_000)
    ctx.add_init_script(INIT_SCRIPT)
    return ctx


def _fired(watch: Watch, audit: dict) -> list[str]:
    fired = list(watch.events) + [f"in page: {hit}" for hit in audit["hits"]]
    # An image the CSP refuses is not a script running; every other violation is.
    return [f for f in fired if " csp img-src " not in f]


def visit(ctx, base: str, paths: list[str]) -> list[PageReport]:
    """Load pages in a few tabs at once (their loading overlaps), let them settle, and audit each one."""
    tabs = [(page, Watch(page)) for page in (ctx.new_page() for _ in range(min(TABS, len(paths))))]
    reports = []
    for start in range(0, len(paths), TABS):
        batch = list(zip(tabs, paths[start:start + TABS]))
        responses = []
        for (page, watch), path in batch:
            watch.events.clear()
            responses.append(page.goto(path, wait_until="commit"))
        for (page, _watch), _path in batch:
            page.wait_for_load_state("load")
        batch[-1][0][0].wait_for_timeout(SETTLE_MS)  # timers, animations, autofocus and refreshes run
        for ((page, watch), path), response in zip(batch, responses):
            audit = page.evaluate(AUDIT_SCRIPT, ["page", COLLECT, False])
            reports.append(PageReport(path=path, status=response.status if response else 0,
                                      final_path=page.url.removeprefix(base), findings=audit["findings"],
                                      fired=_fired(watch, audit), jsonld=audit["jsonld"], title=audit["title"],
                                      texts=audit["texts"], content_type=audit["type"]))
    for page, _watch in tabs:
        page.close()
    return reports


def assert_clean(reports: list[PageReport], *, statuses: tuple[int, ...] = (200,)) -> None:
    problems = []
    for r in reports:
        if r.status not in statuses or r.final_path != r.path:
            problems.append(f"{r.path}: answered {r.status} at {r.final_path} (the page under test was not shown)")
        problems += [f"{r.path}: {f}" for f in r.findings + r.fired]
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])


def check(browser, site: Site, mode: str, paths: list[str], *, user: str | None = None,
          statuses: tuple[int, ...] = (200,)) -> list[PageReport]:
    ctx = open_context(browser, site, mode, user)
    try:
        reports = visit(ctx, site.url, paths)
    finally:
        ctx.close()
    assert_clean(reports, statuses=statuses)
    return reports


def _path(path: str, **params) -> str:
    return f"{path}?{urlencode(params, doseq=True)}" if params else path


# ----------------------------------------------------------------------------------------------- the control

def _frames_page(documents: list[str]) -> str:
    frames = "".join(f'<iframe srcdoc="{html.escape(doc, quote=True)}"></iframe>' for doc in documents)
    return f"<!doctype html><html><head><title>payloads</title></head><body>{frames}</body></html>"


def _fulfill(body: str | bytes, headers: dict):
    return lambda route: route.fulfill(status=200, body=body, headers=headers)


def _serve_once(ctx, site: Site, path: str, body: str) -> str:
    url = site.url + path
    ctx.route(url, _fulfill(body, {"content-type": "text/html; charset=utf-8"}))
    return url


#: Families whose payloads run on their own when inserted raw: the live control loads each in a frame.
LIVE_FAMILIES = {"html-script", "html-handler", "html-frame", "html-mutation"}


def _parse_in_chromium(browser, site: Site, fragments: list[str]) -> list[list[str]]:
    """Audit each HTML fragment as a document of its own, parsed by Chromium's HTML parser."""
    ctx = open_context(browser, site, "bypassed")
    try:
        page = ctx.new_page()
        page.goto(_serve_once(ctx, site, "/__blank__", "<!doctype html><title>blank</title>"))
        return page.evaluate(AUDIT_SCRIPT, ["strings", fragments, False])["documents"]
    finally:
        ctx.close()


def test_control_the_detector_sees_payloads_that_run(browser, site):
    """The corpus rendered by Markdown alone, without the sanitizer: most payloads leave live markup, and those
    that run on their own do run, each in its own frame, and are seen — so the clean pages of the tests below
    mean the registry stopped the payloads, not that the detector is blind."""
    raw = [markdown.markdown(t, extensions=["fenced_code", "tables", "sane_lists"]) for t in TEXTS]
    live = {i for i, findings in enumerate(_parse_in_chromium(browser, site, raw)) if findings}
    chosen = [p for p in PAYLOADS if p.family in LIVE_FAMILIES]
    ctx = open_context(browser, site, "bypassed")
    try:
        page = ctx.new_page()
        watch = Watch(page)
        page.goto(_serve_once(ctx, site, "/__payloads__", _frames_page([raw[p.number] for p in chosen])))
        page.evaluate(AUDIT_SCRIPT, ["frames", [], True])  # lets timers, animations and refreshes run
        page.wait_for_timeout(200)
    finally:
        ctx.close()
    fired = {int(m.group(1)) for e in watch.events if e.startswith("XSS-SENTINEL called")
             for m in [re.search(r"(\d+)$", e)] if m}
    print(f"\nControl: without the sanitizer {len(live)} of {len(TEXTS)} payloads leave live markup; "
          f"{len(fired)} of the {len(chosen)} loaded one per frame ran")
    must_run = ["<img src=x onerror={C}>", "<svg onload={C}>", "<script>{C}</script>", "<details open ontoggle={C}>",
                "<iframe srcdoc=\"<script>{F}</script>\"></iframe>", "<body onpageshow={C}>"]
    for template in must_run:
        (payload,) = [p for p in chosen if p.text == template.replace("{C}", p.call).replace(
            "{F}", f"(self.{SENTINEL}||alert)({p.number})")]
        assert payload.number in fired, f"the detector missed payload {payload.number}: {payload.text!r}"
    assert len(live) >= 250 and len(fired) >= len(chosen) // 3


def test_every_payload_alone_renders_inert(browser, site):
    """Each payload rendered by render_markdown on its own and parsed by Chromium as a document of its own:
    nothing live is left (here no payload can hide behind another one's unclosed tag)."""
    documents = _parse_in_chromium(browser, site, [str(render_markdown(t)) for t in TEXTS])
    assert len(documents) == len(TEXTS)
    findings = [f"{TEXTS[i]!r}: {f}" for i, found in enumerate(documents) for f in found]
    assert not findings, "\n".join(findings[:40])


# ----------------------------------------------------------------------------------------------- the surfaces

def _named_slugs(site: Site) -> list[str]:
    client = site.app.test_client()
    slugs = [e["slug"] for e in client.get("/api/v1/entries?per_page=100").json["items"]]
    return [slug for slug in slugs if slug.startswith("xss-named/")]


@pytest.mark.parametrize("mode", MODES)
def test_harvested_readme_translation_citation_and_history(browser, site, mode):
    """A README, a translated README and a CITATION.cff made of payloads, as the real harvester read them; the
    history's line diffs after a second harvest; the source's page; seen by a reader and by a moderator
    (who also sees the harvest warnings); repositories in folders named with payloads, whose paths an admin
    sees, one of them failing with an error that names its path."""
    paths = ["/entries/xss-lab/gallery", "/entries/xss-lab/gallery?lang=zh", "/entries/xss-lab/gallery/history",
             f"/sources/{site.source_id}"]
    reports = check(browser, site, mode, paths + [f"/sources/{site.broken_source_id}"])
    check(browser, site, mode, paths[:3], user="xssmod")
    # An admin sees local paths (here: folders named with payloads) and the failed run's error naming one.
    named = [f"/entries/{slug}" for slug in _named_slugs(site)][:1]
    check(browser, site, mode, [f"/sources/{site.broken_source_id}"] + named, user="xssadmin")
    harvested = site.app.test_client().get("/api/v1/entries/xss-lab/gallery").json
    assert harvested["name"] == HARVESTED_TITLE and "onerror" in harvested["description"]  # the payloads came in
    (ld,) = reports[0].jsonld
    assert ld["name"] == harvested["name"]  # data in the JSON-LD block, intact
    assert norm(harvested["name"]) in norm(reports[0].title)


@pytest.mark.parametrize("mode", MODES)
def test_entry_pages_names_summaries_json_ld(browser, site, mode):
    """Every payload as an entry's name (the <title>, the heading, the JSON-LD block), summary (<meta
    description>), description, tags, tasks, authors, homepage, ORCID and DOI."""
    reports = check(browser, site, mode, [f"/entries/{slug}" for slug in site.chunks])
    for report in reports:
        slug = report.path.removeprefix("/entries/")
        (ld,) = report.jsonld
        assert ld["name"] == site.names[slug] and ld["description"] == site.summaries[slug], slug
        assert norm(site.names[slug]) in norm(report.title)


@pytest.mark.parametrize("mode", MODES)
def test_edited_entry_translations_history_and_forms(browser, site, mode):
    """An entry a moderator edited with every payload (with a payload as the reason), its published French
    translation, its history, and the edit, translate and claim forms filled with it."""
    paths = ["/entries/xss-lab/edited", "/entries/xss-lab/edited?lang=fr", "/entries/xss-lab/edited/history"]
    check(browser, site, mode, paths)
    check(browser, site, mode, ["/entries/xss-lab/edited/history", "/entries/xss-lab/edited/edit",
                                "/entries/xss-lab/edited/translate"], user="xssmod")
    check(browser, site, mode, ["/entries/xss-lab/edited/edit", "/entries/xss-lab/edited/claim"], user="xssmember")


@pytest.mark.parametrize("mode", MODES)
def test_lists_search_snippets_and_filters(browser, site, mode):
    """The home page, browsing, search results with highlighted snippets from summaries, descriptions and
    translations, and facet filters whose values are payloads."""
    firsts = [site.chunks[slug][0][:100] for slug in list(site.chunks)[:6]]
    paths = ["/", _path("/entries", per_page=100, sort="name"),
             _path("/entries", q=SENTINEL, per_page=100), _path("/entries", q="onerror script", per_page=100),
             _path("/entries", q=DESCRIPTION_WORD, per_page=100), _path("/entries", q="载荷", per_page=100),
             _path("/entries", task=firsts[:3], framework=firsts[3:], per_page=100)]
    reports = check(browser, site, mode, paths)
    by_name = reports[1].texts
    # Escaped, not mangled: every name and summary reads exactly as it was written.
    assert {norm(n) for n in site.names.values()} <= {norm(t) for t in by_name["a.entry-name"]}
    assert {norm(t) for t in site.summaries.values()} <= {norm(t) for t in by_name["p.summary"]}
    assert len(reports[2].texts["p.snippet mark"]) >= len(site.chunks)  # highlighted matches in the snippets
    assert len(reports[4].texts["p.snippet mark"]) >= len(site.chunks)  # in description snippets too


#: The payloads typed into the search box: the ones aimed at text written into attributes and elements.
REFLECTED_FAMILIES = {"breakout", "url", "html-unclosed"}


@pytest.mark.parametrize("mode", MODES)
def test_reflected_query_parameters(browser, site, mode):
    """Payloads typed into the search box, the filters and the language switch come back on the page as text."""
    queries = pack([p.text for p in PAYLOADS if p.family in REFLECTED_FAMILIES], 500)
    paths = [_path("/entries", q=q) for q in queries]
    paths += [_path("/entries", language=TEXTS[336], region=TEXTS[337]), _path("/collections", language=TEXTS[338]),
              _path("/entries/xss-lab/edited", lang=TEXTS[339]), _path("/login", next=TEXTS[367]),
              _path("/communities", language=TEXTS[340])]
    check(browser, site, mode, paths, statuses=(200, 400))
    check(browser, site, mode, ["/entries/" + quote(TEXTS[345], safe="") + "/x",
                                "/collections/" + quote(TEXTS[346], safe="")], statuses=(404,))


@pytest.mark.parametrize("mode", MODES)
def test_review_queue_and_reviewers_notes(browser, site, mode):
    """Open proposals (edits with payload notes, a translation) in the moderator's queue, and the history of an
    entry hidden with a payload as the reason; the member's account page with every reviewer's note and API
    tokens labelled with payloads; both people's display names in the page header."""
    check(browser, site, mode, ["/review", "/entries/xss-lab/hidden/history"], user="xssmod")
    check(browser, site, mode, ["/account", "/"], user="xssmember")


@pytest.mark.parametrize("mode", MODES)
def test_communities_members_and_join_requests(browser, site, mode):
    """Communities named and described with payloads; members whose display names are payloads; join requests
    with payload messages, as a curator sees them."""
    paths = ["/communities", "/communities/xss-community-0", "/communities/xss-community-1"]
    check(browser, site, mode, paths)
    check(browser, site, mode, paths[1:2], user="xssmod")


@pytest.mark.parametrize("mode", MODES)
def test_collections_notes_groups_translations_and_lists(browser, site, mode):
    """Collections with payload titles, descriptions, groups and curator's notes; a translation; a person's
    collection (their display name); an awesome-list of payloads synced in; the curator's pages."""
    paths = ["/collections", "/collections/xss-collection-0", "/collections/xss-collection-0?lang=fr",
             "/collections/xss-collection-1", "/collections/xss-personal", f"/collections/{site.list_collection}"]
    check(browser, site, mode, paths)
    check(browser, site, mode, ["/collections/xss-collection-0/curate", "/collections/xss-collection-0/translate",
                                f"/collections/{site.list_collection}/curate", "/entries/xss-chunk/c00"],
          user="xssmod")


@pytest.mark.parametrize("mode", MODES)
def test_coverage_charts(browser, site, mode):
    """The SVG charts of the coverage page, left to right and right to left, over the payload entries."""
    check(browser, site, mode, ["/coverage", "/coverage?ui=ar"])


XML_PATHS = ["/feeds/entries.atom", "/feeds/entries.atom?lang=fr", "/collections/xss-collection-0/feed.atom",
             "/oai?verb=ListRecords&metadataPrefix=oai_dc",
             "/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:127.0.0.1:xss-lab/gallery",
             "/oai?verb=ListSets", "/sitemap.xml"]


@pytest.mark.parametrize("mode", MODES)
def test_xml_documents_opened_in_the_browser(browser, site, mode):
    """Atom feeds, OAI-PMH answers and the sitemap opened directly in Chromium, as served — and the same bytes
    again as `application/xml` without nosniff (Chromium shows Atom served with nosniff as plain text), so
    Chromium parses every one as XML: a document with an XHTML-namespaced <script> would run, so none may
    hold a markup element."""
    reflected = "/oai?" + urlencode({"verb": TEXTS[351], "identifier": TEXTS[352]})
    paths = XML_PATHS + [f"/collections/{site.list_collection}/feed.atom", reflected]
    check(browser, site, mode, paths)
    ctx = open_context(browser, site, mode)
    try:
        # Control: an XHTML script in an XML document does run in Chromium, and is seen.
        control = ('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
                   f'<script xmlns="http://www.w3.org/1999/xhtml">{SENTINEL}(-1)</script></feed>')
        ctx.route(site.url + "/__xml_control__", _fulfill(control, {"content-type": "application/xml"}))
        (seen,) = visit(ctx, site.url, ["/__xml_control__"])
        assert seen.content_type.endswith("xml") and any("called -1" in f for f in seen.fired), seen
        as_xml = []
        for i, path in enumerate(paths):
            response = ctx.request.get(path)
            assert response.ok and b"<" in response.body(), path
            headers = {k: v for k, v in response.headers.items() if k.lower() != "x-content-type-options"}
            headers["content-type"] = "application/xml; charset=utf-8"
            as_xml.append(f"/__as_xml__/{i}")
            ctx.route(site.url + as_xml[-1], _fulfill(response.body(), headers))
        reports = visit(ctx, site.url, as_xml)
    finally:
        ctx.close()
    assert_clean(reports)
    assert all(r.content_type.endswith("xml") for r in reports)  # parsed as XML, not shown as text


def _xml_texts(data: bytes) -> str:
    root = ET.fromstring(data)  # raises on a broken document
    return "\n".join(" ".join(t.split()) for t in root.itertext())


def test_xml_documents_carry_the_payloads_as_text(site):
    """Escaped, not dropped: the feed and OAI-PMH records hold each payload as exact text."""
    client = site.app.test_client()
    feed = _xml_texts(client.get("/feeds/entries.atom").data)
    oai = _xml_texts(client.get("/oai?verb=ListRecords&metadataPrefix=oai_dc").data)
    not_xml = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
    newest = [slug for slug in site.chunks]
    found_feed = sum(1 for slug in newest if " ".join(not_xml.sub("", site.names[slug]).split()) in feed)
    found_oai = sum(1 for slug in newest if " ".join(not_xml.sub("", site.names[slug]).split()) in oai)
    assert found_feed >= min(len(newest), 40) and found_oai == len(newest)


def test_submit_preview_of_a_payload_repository(browser, site):
    """The preview of a repository whose README and CITATION.cff are payloads, before it is registered."""
    for mode in MODES:
        ctx = open_context(browser, site, mode, "xssmod")
        try:
            page = ctx.new_page()
            watch = Watch(page)
            page.goto("/submit")
            page.get_by_label("Repository or page address").fill(site.preview_repo)
            page.get_by_role("button", name="Preview").click()
            page.get_by_role("heading", name="What we found").wait_for()
            audit = page.evaluate(AUDIT_SCRIPT, ["page", [], True])
            assert TEXTS[46] in page.locator("table.preview").inner_text()  # the harvested name, as text
        finally:
            ctx.close()
        assert not audit["findings"] and not _fired(watch, audit), audit["findings"] + _fired(watch, audit)


def test_conflict_page_shows_both_versions_inert(browser, site):
    """A moderator's edit made of payloads, sent against a stale revision: the 409 page shows it beside the
    current version."""
    for mode in MODES:
        ctx = open_context(browser, site, mode, "xssmod")
        try:
            page = ctx.new_page()
            watch = Watch(page)
            page.goto("/entries/xss-lab/conflict/edit")
            base = int(page.locator("#base_revision").input_value())
            with write_session(site.app) as s:  # someone else saves meanwhile
                mod = Actor(name="xssmod", role="moderator",
                            user_id=s.exec(select(User.id).where(User.name == "xssmod")).one())
                edit_entry(s, slug="xss-lab/conflict", actor=mod, base_revision=base,
                           changes={"summary": pack(TEXTS, 1000)[base % 5], "version": f"{base}.0"})
            page.get_by_label("Name", exact=True).fill(site.names["xss-chunk/c05"])
            page.get_by_label("Description (Markdown)").fill("\n\n".join(TEXTS))
            with page.expect_response(lambda r: r.request.method == "POST") as answer:
                page.get_by_role("button", name="Save").click()
            assert answer.value.status == 409
            page.wait_for_load_state("load")
            audit = page.evaluate(AUDIT_SCRIPT, ["page", [], True])
        finally:
            ctx.close()
        assert not audit["findings"] and not _fired(watch, audit), audit["findings"] + _fired(watch, audit)
