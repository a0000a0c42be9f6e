"""A corpus of cross-site scripting payloads, written for this registry's surfaces.

Every payload, if it ever runs, calls the sentinel ``xssHit(<its number>)`` (or, inside a frame whose
document may not have the sentinel, ``alert(<its number>)``), so a browser test can tell exactly which
payload got through. The numbers are the payloads' positions in ``PAYLOADS``.

Two families: Markdown (what a README or a description can say: links and images with
`javascript:`/`data:`/`vbscript:` targets in many encodings, reference definitions, autolinks, titles and
alt text that try to break out of their attribute, code spans and blocks) and raw HTML (scripts, event
handlers on many elements, SVG and MathML, frames, object/embed, styles, base and meta refresh, form
actions, srcdoc, parser-mutation tricks with noscript/template/style/textarea, unclosed tags, comments),
plus breakouts aimed at the other contexts text lands in: attribute values, <title>, <textarea>, the
JSON-LD <script> block and XML documents (Atom, OAI-PMH).

``FRAGMENTS`` are pieces of these payloads for property tests to recombine.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass
from urllib.parse import quote

SENTINEL = "xssHit"


@dataclass(frozen=True)
class Payload:
    number: int
    family: str
    text: str

    @property
    def call(self) -> str:
        return f"{SENTINEL}({self.number})"


def _entities(text: str, *, hex_form: bool = False, pad: int = 0, semicolon: bool = True) -> str:
    """Spell every character as a numeric character reference."""
    end = ";" if semicolon else ""
    if hex_form:
        return "".join(f"&#x{ord(c):0{pad}x}{end}" for c in text)
    return "".join(f"&#{ord(c):0{pad}d}{end}" for c in text)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _pct(text: str) -> str:
    return quote(text, safe="")


# Each template is a string or a function of (call, frame_call, number). In strings, {C} is the sentinel
# call `xssHit(N)`, {F} the call for code running inside a frame or a data: document, where the page's
# sentinel may be missing (`(self.xssHit||alert)(N)`), {N} the number, {B} a call without parentheses
# (a tagged template: xssHit`N`).
_MARKDOWN: list[tuple[str, object]] = [
    # Links whose target is a script URL, spelled every way a browser or a Markdown parser might accept.
    ("md-link", "[plain](javascript:{C})"),
    ("md-link", "[upper](JAVASCRIPT:{C})"),
    ("md-link", "[mixed case](JaVaScRiPt:{C})"),
    ("md-link", "[leading space]( javascript:{C})"),
    ("md-link", "[angle brackets](<javascript:{C}>)"),
    ("md-link", "[tab entity](java&#9;script:{C})"),
    ("md-link", "[newline entity](java&#10;script:{C})"),
    ("md-link", "[carriage return entity](java&#13;script:{C})"),
    ("md-link", "[colon entity](javascript&#58;{C})"),
    ("md-link", "[hex colon entity](javascript&#x3A;{C})"),
    ("md-link", "[named colon](javascript&colon;{C})"),
    ("md-link", "[first letter entity](&#106;avascript:{C})"),
    ("md-link", "[zero-padded entity](&#0000106;avascript:{C})"),
    ("md-link", "[upper hex entity](&#X6A;avascript:{C})"),
    ("md-link", lambda c, f, n: f"[every letter decimal]({_entities('javascript:')}{c})"),
    ("md-link", lambda c, f, n: f"[every letter hex]({_entities('javascript:', hex_form=True)}{c})"),
    ("md-link", lambda c, f, n: f"[no semicolons]({_entities('javascript:', hex_form=True, semicolon=False)}{c})"),
    ("md-link", lambda c, f, n: f"[padded no semicolons]({_entities('javascript:', pad=7, semicolon=False)}{c})"),
    ("md-link", "[percent-encoded body](javascript:%78ssHit%28{N}%29)"),
    ("md-link", "[percent-encoded scheme](%6A%61vascript:{C})"),
    ("md-link", "[tagged template](javascript:{B})"),
    ("md-link", "[void wrapper](javascript:void({C}))"),
    ("md-link", "[comment then newline](javascript://example.org/%0A{C})"),
    ("md-link", "[comment then carriage return](javascript://%0D{C})"),
    ("md-link", "[trailing comment](javascript:{C}//https://example.org/)"),
    ("md-link", "[leading control](\x01javascript:{C})"),
    ("md-link", "[unit separator](\x1fjavascript:{C})"),
    ("md-link", "[zero width space](java\u200bscript:{C})"),
    ("md-link", "[fullwidth colon](javascript\uff1a{C})"),
    ("md-link", "[backslash escape](\\javascript:{C})"),
    ("md-link", "[escaped colon](javascript\\:{C})"),
    ("md-link", "[vbscript](vbscript:{C})"),
    ("md-link", "[vbscript mixed](VbScRiPt:{C})"),
    ("md-link", lambda c, f, n: f"[data html](data:text/html,{_pct(f'<script>{f}</script>')})"),
    ("md-link", lambda c, f, n: f"[data base64](data:text/html;base64,{_b64(f'<script>{f}</script>')})"),
    ("md-link", lambda c, f, n: f"[DATA upper](DATA:text/html;charset=utf-8,{_pct(f'<svg onload={f}>')})"),
    ("md-link", lambda c, f, n: "[data svg](data:image/svg+xml;base64,"
                                + _b64(f'<svg xmlns="http://www.w3.org/2000/svg" onload="{f}"/>') + ")"),
    ("md-link", "[title breakout](https://example.org/ \"t\\\" onmouseover=\\\"{C}\")"),
    ("md-link", "[single-quoted title](https://example.org/ 'x\\' autofocus onfocus=\\'{C}')"),
    ("md-link", "[parenthesised title](https://example.org/ (x\" onmouseover=\"{C}))"),
    ("md-link", "[double-quote in target](https://example.org/\"onmouseover=\"{C}\")"),
    ("md-link", "[single-quote in target](https://example.org/'onmouseover='{C}')"),
    ("md-link", "[angle target with quote](<https://example.org/\" onclick=\"{C}>)"),
    ("md-link", "[text <img src=x onerror={C}>](https://example.org/)"),
    ("md-link", "[**bold <svg onload={C}>**](https://example.org/)"),
    ("md-link", "[outer [inner](javascript:{C})](https://example.org/)"),
    ("md-link", "[polyglot](javascript:/*--></title></style></textarea></script><svg/onload={C}>*/{C})"),
    ("md-link", "[data in query](https://example.org/?u=<script>{C}</script>)"),
    ("md-link", "[newline in target](java\nscript:{C})"),
    ("md-link", "[non-breaking space](\u00a0javascript:{C})"),
    # Images: script URLs as sources, and alt text or titles that try to leave their attribute.
    ("md-image", "![plain](javascript:{C})"),
    ("md-image", "![alt\" onerror=\"{C}](https://example.org/a.png)"),
    ("md-image", "![alt' onerror='{C}](https://example.org/a.png)"),
    ("md-image", "![alt` onerror=`{C}](https://example.org/a.png)"),
    ("md-image", "![title](https://example.org/a.png \"t\\\" onerror=\\\"{C}\")"),
    ("md-image", "![title broken](x.invalid \"\\\" onerror=\\\"{C}\")"),
    ("md-image", "![angle](<x\" onerror=\"{C}>)"),
    ("md-image", "![<img src=x onerror={C}>](https://example.org/a.png)"),
    ("md-image", "![entity quote&#34; onerror=&#34;{C}](https://example.org/a.png)"),
    ("md-image", "![quote entity in title](https://example.org/a.png \"&quot; onerror=&quot;{C}\")"),
    ("md-image", lambda c, f, n: "![data svg](data:image/svg+xml;base64,"
                                 + _b64(f'<svg xmlns="http://www.w3.org/2000/svg" onload="{f}"/>') + ")"),
    ("md-image", lambda c, f, n: f"![data html](data:text/html,{_pct(f'<script>{f}</script>')})"),
    ("md-image", "![src breakout](https://example.org/a.png\"onerror=\"{C})"),
    ("md-image", "[![linked image](https://example.org/a.png)](javascript:{C})"),
    ("md-image", "![with title](javascript:{C} \"title\")"),
    ("md-image", "![vbscript](vbscript:{C})"),
    ("md-image", "![x](https://example.org/a.png){{: onerror={C}}}"),
    # Reference-style links and images: the target lives in a definition further down.
    ("md-ref", "[reference one][bad{N}]\n\n[bad{N}]: javascript:{C}"),
    ("md-ref", "[ref{N}]\n\n[ref{N}]: JAVASCRIPT:{C} \"title\""),
    ("md-ref", "[ref{N}][]\n\n[ref{N}]: <javascript:{C}>"),
    ("md-ref", "[reference title][t{N}]\n\n[t{N}]: https://example.org/ \"a\\\" onmouseover=\\\"{C}\""),
    ("md-ref", "[entity reference][e{N}]\n\n[e{N}]: javascript&#58;{C}"),
    ("md-ref", "[indented reference][i{N}]\n\n   [i{N}]: \tjavascript:{C}"),
    ("md-ref", lambda c, f, n: f"[data reference][d{n}]\n\n[d{n}]: data:text/html;base64,"
                               + _b64(f"<script>{f}</script>")),
    ("md-ref", "[vb reference][v{N}]\n\n[v{N}]: vbscript:{C}"),
    ("md-ref", "[closing title][c{N}]\n\n[c{N}]: https://example.org/ \"</a><script>{C}</script>\""),
    ("md-ref", "[<img src=x onerror={C}>][l{N}]\n\n[l{N}]: https://example.org/"),
    ("md-ref", "![image reference][img{N}]\n\n[img{N}]: javascript:{C}"),
    ("md-ref", "[footnote style][^x{N}]\n\n[^x{N}]: javascript:{C}"),
    # Autolinks: <scheme:...> becomes a link in some Markdown dialects.
    ("md-autolink", "<javascript:{C}>"),
    ("md-autolink", "<JAVASCRIPT:{C}>"),
    ("md-autolink", "<vbscript:{C}>"),
    ("md-autolink", "<data:text/html,<script>{C}</script>>"),
    ("md-autolink", "<https://example.org/\"onmouseover=\"{C}\">"),
    ("md-autolink", "<javascript:{C}//@example.org>"),
    ("md-autolink", "<xss{N}@example.org\" onmouseover=\"{C}>"),
    ("md-autolink", "<https://example.org/<img src=x onerror={C}>>"),
    ("md-autolink", "<mailto:x@example.org?body=\"><svg onload={C}>>"),
    # Code: shown as text, never parsed as markup.
    ("md-code", "`<script>{C}</script>`"),
    ("md-code", "```html\n<img src=x onerror={C}>\n```"),
    ("md-code", "```\"><img src=x onerror={C}>\nbody\n```"),
    ("md-code", "``` {{.x onclick={C}}}\nbody\n```"),
    ("md-code", "    <svg onload={C}>\n    indented code"),
    ("md-code", "`` `<img src=x onerror={C}>` ``"),
    ("md-code", "`unterminated <img src=x onerror={C}>"),
    ("md-code", "~~~\n</code></pre><img src=x onerror={C}>\n~~~"),
    # Markdown structures wrapped around HTML.
    ("md-mixed", "| a | b |\n|---|---|\n| <img src=x onerror={C}> | <script>{C}</script> |"),
    ("md-mixed", "| <td onmouseover={C}>x | y |\n|---|---|\n| 1 | 2 |"),
    ("md-mixed", "- <details open ontoggle={C}>item</details>"),
    ("md-mixed", "> <svg onload={C}>"),
    ("md-mixed", "# <img src=x onerror={C}>"),
    ("md-mixed", "# Heading {{#x onclick={C}}}"),
    ("md-mixed", "Setext <img src=x onerror={C}>\n==="),
    ("md-mixed", "<a href=\"java*script*:{C}\">emphasis in scheme</a>"),
    ("md-mixed", "<div markdown=\"1\">[inside](javascript:{C})</div>"),
    ("md-mixed", "<div\n\nonclick={C}>split tag</div>"),
    ("md-mixed", "***<img src=x onerror={C}>***"),
    ("md-mixed", "\\<script\\>{C}\\</script\\>"),
    ("md-mixed", "&lt;script&gt;{C}&lt;/script&gt;"),
    ("md-mixed", "&amp;lt;img src=x onerror={C}&amp;gt;"),
    ("md-mixed", "<span>[in html](javascript:{C})</span>"),
    ("md-mixed", "hard break  \n<img src=x onerror={C}>"),
    ("md-mixed", "<img alt=\"[x](javascript:{C})\" src=x onerror={C}>"),
    ("md-mixed", "1. <ol start=1 onclick={C}>list</ol>"),
    ("md-mixed", "*emphasis <b onmouseover={C}>inside</b>*"),
]

_HTML: list[tuple[str, object]] = [
    # Script elements in many spellings.
    ("html-script", "<script>{C}</script>"),
    ("html-script", "<SCRIPT>{C}</SCRIPT>"),
    ("html-script", "<ScRiPt >{C}</sCrIpT >"),
    ("html-script", "<script/any>{C}</script>"),
    ("html-script", "<script\n>{C}</script\n>"),
    ("html-script", "<script src=\"data:text/javascript,{C}\"></script>"),
    ("html-script", "<script src=data:,{C}></script>"),
    ("html-script", "<script type=module>{C}</script>"),
    ("html-script", "<script>/*</script><script>*/{C}</script>"),
    ("html-script", "<scr<script>ipt>{C}</scr</script>ipt>"),
    ("html-script", "<<script>>{C}<</script>>"),
    ("html-script", "<script>{C}<!--</script>"),
    ("html-script", lambda c, f, n: f"<script>eval(atob('{_b64(c)}'))</script>"),
    ("html-script", "<script>setTimeout('{C}')</script>"),
    ("html-script", "<script>self['xss'+'Hit']({N})</script>"),
    # Event handlers on many elements, in many spellings.
    ("html-handler", "<img src=x onerror={C}>"),
    ("html-handler", "<IMG SRC=x ONERROR={C}>"),
    ("html-handler", "<img/src=\"x\"/onerror={C}>"),
    ("html-handler", "<img src=x onerror\t={C}>"),
    ("html-handler", "<img src=x onerror\n=\n{C}>"),
    ("html-handler", "<img src=x onerror=\"{C}\">"),
    ("html-handler", "<img src=x onerror='{C}'>"),
    ("html-handler", "<img src=`x`onerror={C}>"),
    ("html-handler", "<img src=x onerror=&#x78;ssHit({N})>"),
    ("html-handler", "<img src=x onerror=\\u0078ssHit({N})>"),
    ("html-handler", "<img \"\"\"><script>{C}</script>\">"),
    ("html-handler", "<img src=\"x\"onerror=\"{C}\">"),
    ("html-handler", "<img src=x onerror={C}/>"),
    ("html-handler", "<img src=x onerror={C} onerror={C}>"),
    ("html-handler", "<img src=x =onerror={C}>"),
    ("html-handler", "<img srcset=\",,x\" onerror={C}>"),
    ("html-handler", "<img src=data:x onerror={C}>"),
    ("html-handler", "<image src=x onerror={C}>"),
    ("html-handler", "<img src=x onerror=window['xss'+'Hit']({N})>"),
    ("html-handler", "<img src=x onerror=[].constructor.constructor('{C}')()>"),
    ("html-handler", lambda c, f, n: f"<img src=x onerror=eval(atob('{_b64(c)}'))>"),
    ("html-handler", "<svg onload={C}>"),
    ("html-handler", "<svg/onload={C}>"),
    ("html-handler", "<body onload={C}>"),
    ("html-handler", "<body onpageshow={C}>"),
    ("html-handler", "<frameset onload={C}>"),
    ("html-handler", "<input autofocus onfocus={C}>"),
    ("html-handler", "<input type=text value=\"\" autofocus onfocus={C}>"),
    ("html-handler", "<select autofocus onfocus={C}></select>"),
    ("html-handler", "<textarea autofocus onfocus={C}></textarea>"),
    ("html-handler", "<button autofocus onfocus={C}>b</button>"),
    ("html-handler", "<a tabindex=1 autofocus onfocus={C}>a</a>"),
    ("html-handler", "<div contenteditable autofocus onfocus={C}>d</div>"),
    ("html-handler", "<details open ontoggle={C}>"),
    ("html-handler", "<video src=x onerror={C}></video>"),
    ("html-handler", "<video><source onerror={C}></video>"),
    ("html-handler", "<audio src=x onerror={C}></audio>"),
    ("html-handler", "<input type=image src=x onerror={C}>"),
    ("html-handler", "<object data=x onerror={C}></object>"),
    ("html-handler", "<marquee onstart={C}>m</marquee>"),
    ("html-handler", "<div onmouseover={C} style=\"position:fixed;inset:0\">cover</div>"),
    ("html-handler", "<p onclick={C}>p</p>"),
    ("html-handler", "<style>@keyframes k{N}{{from{{color:red}}to{{color:blue}}}}</style>"
                     "<div style=\"animation:k{N} 1ms\" onanimationstart={C}></div>"),
    ("html-handler", "<xss-hit tabindex=1 autofocus onfocus={C}>custom</xss-hit>"),
    ("html-handler", "<x onclick={C}>x</x>"),
    ("html-handler", "<dialog open onclose={C}>d</dialog>"),
    ("html-handler", "<form onsubmit={C}><button>b</button></form>"),
    ("html-handler", "<link rel=stylesheet href=x onerror={C}>"),
    ("html-handler", "<link rel=preload href=x as=image onload={C}>"),
    ("html-handler", "<style onload={C}></style>"),
    ("html-handler", "<iframe onload={C}></iframe>"),
    ("html-handler", "<picture><source srcset=x><img src=x onerror={C}></picture>"),
    ("html-handler", "<table><tr><td onmouseover={C}>t</td></tr></table>"),
    ("html-handler", "<table><img src=x onerror={C}></table>"),
    ("html-handler", "<video autoplay muted onplay={C}><source src=x></video>"),
    ("html-handler", "<body onhashchange={C}>"),
    ("html-handler", "<kbd onclick={C}>allowed tag</kbd>"),
    ("html-handler", "<code class=\"language-x\" onmouseover={C}>allowed tag</code>"),
    ("html-handler", "<a href=\"https://example.org/\" onclick={C}>allowed link</a>"),
    ("html-handler", "<img src=\"https://example.org/a.png\" onload={C}>"),
    ("html-handler", "<img src=x width=\"1\" height=\"1\" lang=en dir=ltr onerror={C}>"),
    ("html-handler", "<abbr title=\"</abbr><img src=x onerror={C}>\">t</abbr>"),
    ("html-handler", "<details open ontoggle={C}><summary>allowed</summary></details>"),
    # SVG.
    ("html-svg", "<svg><script>{C}</script></svg>"),
    ("html-svg", "<svg><script href=\"data:,{C}\"/></svg>"),
    ("html-svg", "<svg><script xlink:href=\"data:,{C}\"></script></svg>"),
    ("html-svg", "<svg><script>&#120;ssHit({N})</script></svg>"),
    ("html-svg", "<svg><script>xssHit&#40;{N}&#41;</script></svg>"),
    ("html-svg", "<svg><a xlink:href=\"javascript:{C}\"><text x=20 y=20>x</text></a></svg>"),
    ("html-svg", "<svg><a href=\"javascript:{C}\"><rect width=99 height=99 /></a></svg>"),
    ("html-svg", "<svg><a><animate attributeName=href values=\"javascript:{C}\" /><text x=20 y=20>x</text></a></svg>"),
    ("html-svg", "<svg><a><set attributeName=href to=\"javascript:{C}\" /><text x=20 y=20>x</text></a></svg>"),
    ("html-svg", "<svg><foreignObject><img src=x onerror={C}></foreignObject></svg>"),
    ("html-svg", "<svg><foreignObject><iframe srcdoc=\"<script>{F}</script>\"></iframe></foreignObject></svg>"),
    ("html-svg", "<svg><style><img src=x onerror={C}></style></svg>"),
    ("html-svg", "<svg><image href=x onerror={C} /></svg>"),
    ("html-svg", lambda c, f, n: "<svg><use href=\"data:image/svg+xml;base64,"
                                 + _b64(f"<svg id='u' xmlns='http://www.w3.org/2000/svg'><image href='x' "
                                        f"onerror='{f}'/></svg>") + "#u\"/></svg>"),
    ("html-svg", "<svg><handler xmlns:ev=\"http://www.w3.org/2001/xml-events\" ev:event=\"load\">{C}</handler></svg>"),
    ("html-svg", "<svg><title><img src=x onerror={C}></title></svg>"),
    ("html-svg", "<svg><desc><img src=x onerror={C}></desc></svg>"),
    ("html-svg", "<svg><feImage href=\"javascript:{C}\"/></svg>"),
    ("html-svg", "<svg viewBox=\"0 0 1 1\" onload={C}>"),
    ("html-svg", "<svg><svg onload={C}></svg></svg>"),
    ("html-svg", "<svg><![CDATA[><img src=x onerror={C}>]]></svg>"),
    ("html-svg", "<svg></p><style><a id=\"</style><img src=x onerror={C}>\">"),
    ("html-svg", "<svg><animate onbegin={C} attributeName=x dur=1s>"),
    ("html-svg", "<svg><set onbegin={C} attributeName=x to=1>"),
    ("html-svg", "<svg><discard onbegin={C}>"),
    ("html-svg", "<svg><animateTransform onbegin={C} attributeName=transform type=scale dur=1s>"),
    # MathML.
    ("html-math", "<math href=\"javascript:{C}\">m</math>"),
    ("html-math", "<math><mi xlink:href=\"javascript:{C}\">m</mi></math>"),
    ("html-math", "<math><maction actiontype=\"statusline\" xlink:href=\"javascript:{C}\">m</maction></math>"),
    ("html-math", "<math><mtext><table><mglyph><style><img src=x onerror={C}>"),
    ("html-math", "<math><mtext><h1><a><h6></a></h6><mglyph><svg><mtext><style><a title=\"</style>"
                  "<img src=x onerror={C}>\">"),
    ("html-math", "<math><style><img src=x onerror={C}></style></math>"),
    ("html-math", "<math><annotation-xml encoding=\"text/html\"><img src=x onerror={C}></annotation-xml></math>"),
    ("html-math", "<form><math><mtext></form><form><mglyph><style></math><img src=x onerror={C}>"),
    ("html-math", "<math><mi><style><img src=x onerror={C}></style></mi></math>"),
    # Frames.
    ("html-frame", "<iframe src=\"javascript:{F}\"></iframe>"),
    ("html-frame", "<iframe src=JaVaScRiPt:{F}></iframe>"),
    ("html-frame", "<iframe srcdoc=\"<script>{F}</script>\"></iframe>"),
    ("html-frame", "<iframe srcdoc=\"&lt;img src=x onerror={F}&gt;\"></iframe>"),
    ("html-frame", "<iframe srcdoc=\"&#60;svg onload={F}&#62;\"></iframe>"),
    ("html-frame", lambda c, f, n: f"<iframe src=\"data:text/html,{_pct(f'<script>{f}</script>')}\"></iframe>"),
    ("html-frame", lambda c, f, n: f"<iframe src=\"data:text/html;base64,{_b64(f'<svg onload={f}>')}\"></iframe>"),
    ("html-frame", "<iframe src=x onload={C}></iframe>"),
    ("html-frame", "<frameset><frame src=\"javascript:{F}\"></frameset>"),
    ("html-frame", "<iframe><img title=\"</iframe><img src=x onerror={C}>\">"),
    ("html-frame", "<portal src=\"javascript:{F}\"></portal>"),
    ("html-frame", "<iframe sandbox=\"allow-scripts allow-modals\" srcdoc=\"<script>{F}</script>\"></iframe>"),
    # Plugins: object, embed, applet.
    ("html-object", "<object data=\"javascript:{F}\"></object>"),
    ("html-object", lambda c, f, n: f"<object data=\"data:text/html,{_pct(f'<script>{f}</script>')}\"></object>"),
    ("html-object", lambda c, f, n: f"<object data=\"data:text/html;base64,{_b64(f'<script>{f}</script>')}\">"
                                    "</object>"),
    ("html-object", "<object type=\"text/html\" data=\"data:text/html,<svg onload={F}>\"></object>"),
    ("html-object", "<object><param name=src value=\"javascript:{F}\"></object>"),
    ("html-object", "<embed src=\"javascript:{F}\">"),
    ("html-object", lambda c, f, n: "<embed src=\"data:image/svg+xml;base64,"
                                    + _b64(f'<svg xmlns="http://www.w3.org/2000/svg" onload="{f}"/>') + "\">"),
    ("html-object", lambda c, f, n: "<embed type=\"text/html\" src=\"data:text/html,"
                                    f"{_pct(f'<script>{f}</script>')}\">"),
    ("html-object", "<applet code=\"x\" onerror={C}></applet>"),
    # Style sheets and style attributes.
    ("html-style", "<style>*{{background:url(\"javascript:{C}\")}}</style>"),
    ("html-style", "<style>@import \"javascript:{C}\";</style>"),
    ("html-style", "<div style=\"background-image:url(javascript:{C})\">s</div>"),
    ("html-style", "<div style=\"width:expression({C})\">s</div>"),
    ("html-style", "<div style=\"x:\\65 xpression({C})\">s</div>"),
    ("html-style", "<style></style><img src=x onerror={C}>"),
    ("html-style", "<style><!--</style><img src=x onerror={C}>--></style>"),
    ("html-style", "<style>/*</style><img src=x onerror={C}>*/</style>"),
    ("html-style", "<link rel=stylesheet href=\"javascript:{C}\">"),
    ("html-style", "<span style=\"behavior:url(#default#time2)\" onbegin={C}>s</span>"),
    # <base>, <meta http-equiv> and other head elements written into a body.
    ("html-head", "<base href=\"javascript:{C}//\"><a href=\"relative\">relative link</a>"),
    ("html-head", "<base href=\"data:text/html,<script>{C}</script>\">"),
    ("html-head", "<meta http-equiv=\"refresh\" content=\"0;url=javascript:{C}\">"),
    ("html-head", "<meta http-equiv=refresh content=\"0; URL=data:text/html,<script>{F}</script>\">"),
    ("html-head", "<meta http-equiv=\"refresh\" content='0;url=\"javascript:{C}\"'>"),
    ("html-head", "<meta http-equiv=\"Content-Security-Policy\" content=\"script-src 'unsafe-inline'\">"
                  "<script>{C}</script>"),
    ("html-head", "<meta charset=\"x-imap4-modified-utf7\">+ADw-script+AD4-{C}+ADw-/script+AD4-"),
    ("html-head", "<link rel=\"import\" href=\"data:text/html,<script>{F}</script>\">"),
    ("html-head", "<title><img title=\"</title><img src=x onerror={C}>\"></title>"),
    # Forms: actions, formaction, and inputs attaching themselves to the page's own forms.
    ("html-form", "<form action=\"javascript:{C}\"><button>send</button></form>"),
    ("html-form", "<form action=\"javascript:{C}\"><input type=submit></form>"),
    ("html-form", "<form><button formaction=\"javascript:{C}\">send</button></form>"),
    ("html-form", "<form><input type=submit formaction=javascript:{C} value=send></form>"),
    ("html-form", "<form><input type=image formaction=javascript:{C} src=x></form>"),
    ("html-form", "<form id=f{N} action=javascript:{C}></form><button form=f{N}>send</button>"),
    ("html-form", "<isindex action=\"javascript:{C}\" type=image>"),
    ("html-form", "<button form=q formaction=\"javascript:{C}\">search</button>"),
    ("html-form", "<form action=\"data:text/html,<script>{F}</script>\"><button>send</button></form>"),
    ("html-form", "<form><input name=action value=\"javascript:{C}\"><button>clobber</button></form>"),
    # Parser mutations: content that means one thing to a sanitizer and another after re-parsing.
    ("html-mutation", "<noscript><p title=\"</noscript><img src=x onerror={C}>\"></noscript>"),
    ("html-mutation", "<noscript><style></noscript><img src=x onerror={C}></style></noscript>"),
    ("html-mutation", "<template><script>{C}</script></template>"),
    ("html-mutation", "<template><img src=x onerror={C}></template>"),
    ("html-mutation", "<noembed><img title=\"</noembed><img src=x onerror={C}>\"></noembed>"),
    ("html-mutation", "<noframes><img title=\"</noframes><img src=x onerror={C}>\"></noframes>"),
    ("html-mutation", "<textarea><img title=\"</textarea><img src=x onerror={C}>\"></textarea>"),
    ("html-mutation", "<xmp><img title=\"</xmp><img src=x onerror={C}>\"></xmp>"),
    ("html-mutation", "<listing><img title=\"</listing><img src=x onerror={C}>\"></listing>"),
    ("html-mutation", "<select><option><img title=\"</option></select><img src=x onerror={C}>\">"),
    ("html-mutation", "<select><template><img src=x onerror={C}></template></select>"),
    ("html-mutation", "<table><caption><svg><style><img src=x onerror={C}>"),
    ("html-mutation", "<p id=\"</p><img src=x onerror={C}>\">p</p>"),
    ("html-mutation", "<a title=\"&quot;><img src=x onerror={C}>\">q</a>"),
    ("html-mutation", "<div title=\"</div><svg onload={C}>\">d</div>"),
    ("html-mutation", "<img alt=\"<x\" src=x onerror={C}>"),
    ("html-mutation", "<svg><p><style><g title=\"</style><img src=x onerror={C}>\">"),
    ("html-mutation", "<math><mtext><option><fake><option></option><mglyph><svg><mtext><style><a title=\"</style>"
                      "<img src=x onerror={C}>\">"),
    ("html-mutation", "<details><summary><noscript><img title=\"</noscript><img src=x onerror={C}>\">"),
    ("html-mutation", "<plaintext><img src=x onerror={C}>"),
    # Unclosed tags and attributes: the rest of the page becomes part of them.
    ("html-unclosed", "<img src=x onerror={C}"),
    ("html-unclosed", "<svg onload={C}"),
    ("html-unclosed", "<a href=\"javascript:{C}"),
    ("html-unclosed", "<details open ontoggle={C}"),
    ("html-unclosed", "<script>{C}"),
    ("html-unclosed", "<iframe srcdoc=\"<script>{F}</script>"),
    ("html-unclosed", "<input autofocus onfocus={C}"),
    ("html-unclosed", "<a href='javascript:{C}'>unclosed element"),
    ("html-unclosed", "<img src=x onerror=\"{C}"),
    ("html-unclosed", "<img src=x onerror={C}//"),
    # Comments, processing instructions, CDATA, doctypes.
    ("html-comment", "<!--><img src=x onerror={C}>-->"),
    ("html-comment", "<!---><img src=x onerror={C}>-->"),
    ("html-comment", "<!-- --!><img src=x onerror={C}>-->"),
    ("html-comment", "<!--[if gte IE 4]><script>{C}</script><![endif]-->"),
    ("html-comment", "<![CDATA[<img src=x onerror={C}>]]>"),
    ("html-comment", "<?xml ?><img src=x onerror={C}>"),
    ("html-comment", "<? x=\"><img src=x onerror={C}>\">"),
    ("html-comment", "</x y=\"><img src=x onerror={C}>\">"),
    ("html-comment", "<!DOCTYPE x><img src=x onerror={C}>"),
    ("html-comment", "<!-- <img title=\"--><img src=x onerror={C}>\"> -->"),
    ("html-comment", "<a title=\"<!--\"><img src=x onerror={C}>--></a>"),
    # URL-bearing attributes with script targets.
    ("html-url", "<a href=\"javascript:{C}\">a</a>"),
    ("html-url", "<a href=\"  javascript:{C}\">leading spaces</a>"),
    ("html-url", "<a href=\"&#1;javascript:{C}\">control entity</a>"),
    ("html-url", "<a href=\"java&#x09;script:{C}\">tab entity</a>"),
    ("html-url", "<a href=\"java&#x0A;script:{C}\">newline entity</a>"),
    ("html-url", "<a href=\"javas&Tab;cript:{C}\">named tab</a>"),
    ("html-url", "<a href=\"javascript&colon;{C}\">named colon</a>"),
    ("html-url", lambda c, f, n: f"<a href=\"{_entities('javascript:')}{c}\">decimal entities</a>"),
    ("html-url", "<a href=\"javascript:%78ssHit%28{N}%29\">percent body</a>"),
    ("html-url", "<a href=\"JAVASCRIPT:{C}\">upper</a>"),
    ("html-url", "<a href=\"vbscript:{C}\">vbscript</a>"),
    ("html-url", lambda c, f, n: f"<a href=\"data:text/html;base64,{_b64(f'<script>{f}</script>')}\">data</a>"),
    ("html-url", "<a href=javascript:{C}>unquoted</a>"),
    ("html-url", "<a href=\"\x0bjavascript:{C}\">vertical tab</a>"),
    ("html-url", "<a href=\"https://example.org/\" ping=\"javascript:{C}\">ping</a>"),
    ("html-url", "<img src=\"javascript:{C}\">"),
    ("html-url", "<img lowsrc=\"javascript:{C}\" dynsrc=\"javascript:{C}\">"),
    ("html-url", "<video poster=\"javascript:{C}\"></video>"),
    ("html-url", "<table background=\"javascript:{C}\"><tr><td background=\"javascript:{C}\">t</td></tr></table>"),
    ("html-url", "<q cite=\"javascript:{C}\">q</q><blockquote cite=\"javascript:{C}\">b</blockquote>"),
    ("html-url", "<img src=x usemap=#m{N}><map name=m{N}><area href=\"javascript:{C}\" shape=default></map>"),
    ("html-url", "<a xlink:href=\"javascript:{C}\">xlink</a>"),
    ("html-url", "<bgsound src=\"javascript:{C}\">"),
    ("html-url", "<a href=\"javascript:{C}\" target=\"_blank\" rel=\"opener\">new window</a>"),
    # Breakouts aimed at the contexts plain text is written into: attributes, raw-text elements, the
    # JSON-LD block, XML documents, and template syntax.
    ("breakout", "\"><img src=x onerror={C}>"),
    ("breakout", "'\"><svg onload={C}>"),
    ("breakout", "\" autofocus onfocus=\"{C}"),
    ("breakout", "' autofocus onfocus='{C}"),
    ("breakout", "` autofocus onfocus={C} `"),
    ("breakout", "</title><script>{C}</script>"),
    ("breakout", "</textarea><script>{C}</script>"),
    ("breakout", "</style><script>{C}</script>"),
    ("breakout", "</noscript><img src=x onerror={C}>"),
    ("breakout", "</script><script>{C}</script>"),
    ("breakout", "\"}}]</script><script>{C}</script>"),
    ("breakout", "<!--<script>{C}//"),
    ("breakout", "\\u003cscript\\u003e{C}\\u003c/script\\u003e"),
    ("breakout", "]]></title><script xmlns=\"http://www.w3.org/1999/xhtml\">{C}</script>"),
    ("breakout", "<x:script xmlns:x=\"http://www.w3.org/1999/xhtml\">{C}</x:script>"),
    ("breakout", "<html:img xmlns:html=\"http://www.w3.org/1999/xhtml\" src=\"x\" onerror=\"{C}\"/>"),
    ("breakout", "<?xml-stylesheet type=\"text/xsl\" href=\"data:text/xml,<x/>\"?><script>{C}</script>"),
    ("breakout", "<!DOCTYPE x [<!ENTITY e \"<script xmlns='http://www.w3.org/1999/xhtml'>{C}</script>\">]>&e;"),
    ("breakout", "&lt;/summary&gt;&lt;script&gt;{C}&lt;/script&gt;"),
    ("breakout", "{{{{ {C} }}}} ${{{C}}} #{{{C}}}"),
    ("breakout", "javascript:{C}"),
    ("breakout", "\u202e>gmi<<img src=x onerror={C}>"),
    ("breakout", "\ufeff<img src=x onerror={C}>"),
    ("breakout", "\uff1cscript\uff1e{C}\uff1c/script\uff1e"),
    # Whole values for fields that hold an address (homepage, ORCID, DOI): script URLs and quote breakouts.
    ("url", "javascript:{C}//"),
    ("url", " JaVaScRiPt:{C}"),
    ("url", "java\tscript:{C}"),
    ("url", "\x01javascript:{C}"),
    ("url", "vbscript:{C}"),
    ("url", "data:text/html,<script>{F}</script>"),
    ("url", lambda c, f, n: f"data:text/html;base64,{_b64(f'<script>{f}</script>')}"),
    ("url", "https://example.org/\"onmouseover=\"{C}"),
    ("url", "https://example.org/'><script>{C}</script>"),
    ("url", "javascript://example.org/%0A{C}"),
    ("url", "https://orcid.org/0000-0002-1825-0097\" onmouseover=\"{C}"),
    ("url", "10.5555/x\"><img src=x onerror={C}>"),
]


def pack(texts: list[str], limit: int, sep: str = " ") -> list[str]:
    """Join texts into as few strings of at most ``limit`` characters as greedy packing gives (longer texts are
    left out: they cannot fit the field at all)."""
    packed: list[str] = []
    for text in texts:
        if len(text) > limit:
            continue
        if packed and len(packed[-1]) + len(sep) + len(text) <= limit:
            packed[-1] += sep + text
        else:
            packed.append(text)
    return packed


def _render(template: object, number: int) -> str:
    call = f"{SENTINEL}({number})"
    frame_call = f"(self.{SENTINEL}||alert)({number})"
    if callable(template):
        return template(call, frame_call, number)
    return (template.replace("{C}", call).replace("{F}", frame_call).replace("{B}", f"{SENTINEL}`{number}`")
            .replace("{N}", str(number)).replace("{{", "{").replace("}}", "}"))


def _build() -> list[Payload]:
    payloads = []
    for family, template in _MARKDOWN + _HTML:
        number = len(payloads)
        payloads.append(Payload(number=number, family=family, text=_render(template, number)))
    return payloads


PAYLOADS: list[Payload] = _build()

#: Pieces to recombine in property tests: tag openings, handlers, schemes in disguise, quotes, closers.
FRAGMENTS: list[str] = sorted({
    "<script>", "</script>", "<img src=x ", "onerror=", "onload=", "onfocus=", "autofocus", "<svg", "<math",
    "<iframe srcdoc=\"", "<object data=", "<embed src=", "<style>", "</style>", "<base href=", "<meta http-equiv=",
    "<form action=", "formaction=", "<noscript>", "</noscript>", "<template>", "<textarea>", "</textarea>",
    "<title>", "</title>", "<!--", "-->", "--!>", "<![CDATA[", "]]>", "<?", "?>", "javascript:", "JaVaScRiPt:",
    "java&#9;script:", "&#106;avascript:", "javascript&colon;", "vbscript:", "data:text/html,", "data:image/svg+xml,",
    "%6A", "&#x3A;", "\x01", "\t", "\n", "\r", " ", "\u00a0", "\u200b", "\"", "'", "`", "<", ">", "/", "=", "(", ")",
    "[", "]", "![", "](", "[x]: ", "<javascript:", "```", "`", "    ", "> ", "- ", "# ", "|", "***", "\\", "&",
    "&lt;", "&quot;", "&amp;", "xssHit(0)", "xlink:href=", "href=", "src=", "<a ", "</a>", "<details open ",
    "ontoggle=", "<mglyph>", "<mtext>", "<table>", "<select>", "<option>", "<plaintext>", "<xmp>", "style=",
    "expression(", "url(", "@import ", "<p>", "</p>", "<div>", "</div>", "{#x}", "{: onclick=x}", "\ufeff",
})
