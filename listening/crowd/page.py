"""A rater page read as a browser reads it: its forms by field name, its audio, its end marks.

Only names and ids the pages promise are used (form fields, `completion-code`,
`platform-exit`), never the layout, so a page can change its markup and still be taken.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    action: str = ""
    method: str = "get"
    hidden: dict[str, str] = field(default_factory=dict)
    radios: dict[str, list[str]] = field(default_factory=dict)  # name -> values in page order
    texts: list[str] = field(default_factory=list)  # text inputs a rater types into
    checkboxes: dict[str, str] = field(default_factory=dict)
    selects: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Page:
    forms: list[Form] = field(default_factory=list)
    audio: list[str] = field(default_factory=list)  # every <audio src>, in page order
    links: dict[str, str] = field(default_factory=dict)  # element id -> href
    texts: dict[str, str] = field(default_factory=dict)  # element id -> its text

    def form_with(self, name: str) -> Form | None:
        """The first form that posts a field of this name."""
        for form in self.forms:
            if name in form.hidden or name in form.radios or name in form.checkboxes:
                return form
            if name in form.texts or name in form.selects:
                return form
        return None

    @property
    def vote_form(self) -> Form | None:
        return self.form_with("idempotency_key")

    @property
    def alert(self) -> str:
        return self.texts.get("alert", "")

    @property
    def completion_code(self) -> str | None:
        return self.texts.get("completion-code")


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._form: Form | None = None
        self._select: str | None = None
        self._text_id: str | None = None

    def handle_starttag(self, tag: str, attrs) -> None:
        a = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._form = Form(action=a.get("action", ""), method=a.get("method", "get").lower())
            self.page.forms.append(self._form)
        elif tag == "audio" and a.get("src"):
            self.page.audio.append(a["src"])
        elif tag == "a" and a.get("id") and a.get("href"):
            self.page.links[a["id"]] = a["href"]
        elif tag in ("strong", "span", "p", "code") and (a.get("id") or a.get("role")):
            self._text_id = a.get("id") or a["role"]  # role="alert": the page's error
            self.page.texts[self._text_id] = ""
        if self._form is not None:
            self._field(tag, a)

    def _field(self, tag: str, a: dict[str, str]) -> None:
        form, name = self._form, a.get("name", "")
        if tag == "select" and name:
            self._select = name
            form.selects[name] = []
        elif tag == "option" and self._select is not None and a.get("value"):
            form.selects[self._select].append(a["value"])
        elif tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind == "hidden":
                form.hidden[name] = a.get("value", "")
            elif kind == "radio":
                form.radios.setdefault(name, []).append(a.get("value", ""))
            elif kind == "checkbox":
                form.checkboxes[name] = a.get("value", "on")
            elif kind in ("text", "number"):
                form.texts.append(name)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag in ("strong", "span", "p", "code"):
            self._text_id = None

    def handle_data(self, data: str) -> None:
        if self._text_id is not None:
            self.page.texts[self._text_id] += data.strip()


def page_read(text: str) -> Page:
    reader = _Reader()
    reader.feed(text)
    reader.close()
    return reader.page
