"""Reads the `<form>`s of a page with the standard library only.

Shared by the benchmark, the load test (which must not import Django: locust patches sockets with
gevent) and the abuse tests, which discover every form of the site this way so that a new form is
covered without anyone listing it.
"""

import datetime
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

# What a browser accepts as the value of each typed input (HTML's value sanitization algorithm): any
# other value is shown empty and posted as "". A localised date ("30/11/2026") in an
# <input type="date"> is lost that way, as is a decimal comma in an <input type="number">.
_VALID_SYNTAX = {
    "date": re.compile(r"\d{4,}-\d{2}-\d{2}"),
    "month": re.compile(r"\d{4,}-\d{2}"),
    "datetime-local": re.compile(r"\d{4,}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?"),
    "time": re.compile(r"\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?"),
    "number": re.compile(r"-?(\d+|\d+\.\d+|\.\d+)([eE][-+]?\d+)?"),
}


def _real_date(value: str) -> bool:
    try:
        datetime.date(*(int(part) for part in value[:10].split("-")))
    except ValueError:
        return False
    return True


def browser_value(type_: str, value: str) -> str:
    """`value` as a browser keeps it in an input of this type: unchanged if valid, else empty."""
    syntax = _VALID_SYNTAX.get(type_)
    if syntax is None or value == "":
        return value
    if not syntax.fullmatch(value):
        return ""
    if type_ in ("date", "datetime-local") and not _real_date(value):
        return ""
    if type_ == "month" and not 1 <= int(value.split("-")[1]) <= 12:
        return ""
    if type_ == "datetime-local":
        return value.replace(" ", "T", 1)  # the normalised form a browser posts
    return value


@dataclass
class Field:
    name: str
    tag: str  # input | select | textarea
    type: str = "text"  # input type; "select" / "textarea" for those tags
    value: str = ""
    required: bool = False
    options: list = field(default_factory=list)  # (value, selected) for selects
    multiple: bool = False
    checked: bool = False
    attrs: dict = field(default_factory=dict)


@dataclass
class Form:
    action: str
    method: str
    fields: list = field(default_factory=list)
    enctype: str = ""

    def field(self, name):
        return next((f for f in self.fields if f.name == name), None)

    def defaults(self) -> dict:
        """What a browser would submit untouched (list values for multi-valued names)."""
        data: dict[str, list] = {}
        for f in self.fields:
            if f.type in ("submit", "button", "reset", "image", "file"):
                continue
            if f.type in ("checkbox", "radio"):
                if f.checked:
                    data.setdefault(f.name, []).append(f.value or "on")
                continue
            if f.tag == "select":
                chosen = [v for v, sel in f.options if sel]
                if not chosen and f.options and not f.multiple:
                    chosen = [f.options[0][0]]
                data.setdefault(f.name, []).extend(chosen)
                continue
            data.setdefault(f.name, []).append(browser_value(f.type, f.value))
        return data


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._option: list | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = Form(action=a.get("action", ""), method=(a.get("method") or "get").lower(),
                              enctype=a.get("enctype", ""))
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            self._form.fields.append(Field(
                name=name, tag="input", type=(a.get("type") or "text").lower(), value=a.get("value", ""),
                required="required" in a, checked="checked" in a, attrs=a))
        elif tag == "select" and name:
            self._select = Field(name=name, tag="select", type="select", required="required" in a,
                                 multiple="multiple" in a, attrs=a)
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "selected" in a, ""]
        elif tag == "textarea" and name:
            self._textarea = Field(name=name, tag="textarea", type="textarea", required="required" in a, attrs=a)
            self._form.fields.append(self._textarea)
        elif tag == "button" and name:
            self._form.fields.append(Field(name=name, tag="button", type=(a.get("type") or "submit").lower(),
                                           value=a.get("value", ""), attrs=a))

    def handle_data(self, data):
        if self._option is not None:
            self._option[2] += data
        elif self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None and self._select is not None:
            value, selected, text = self._option
            self._select.options.append((text.strip() if value is None else value, selected))
            self._option = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # Browsers drop one newline right after <textarea>.
            if self._textarea.value.startswith("\n"):
                self._textarea.value = self._textarea.value[1:]
            self._textarea = None
        elif tag == "form":
            self._form = None


def parse_forms(html: str) -> list[Form]:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.forms


def csrf_token(html: str) -> str | None:
    for form in parse_forms(html):
        f = form.field("csrfmiddlewaretoken")
        if f is not None:
            return f.value
    return None


def fill_valid(form: Form, text: str = "Prueba de carga", today: str = "", now: str = "") -> dict:
    """The form's defaults with every empty field given a plausible valid value, the way a hurried
    user would fill it: first real option of each select, today's date, a short text."""
    from datetime import datetime

    today = today or datetime.now().strftime("%Y-%m-%d")
    now = now or datetime.now().strftime("%Y-%m-%dT%H:%M")
    data = form.defaults()
    for f in form.fields:
        if f.type == "radio" and not data.get(f.name):
            data[f.name] = [f.value]  # a radio group with nothing chosen: its first choice
            continue
        if f.type in ("submit", "button", "reset", "image", "file", "hidden", "checkbox", "radio"):
            continue
        current = [v for v in data.get(f.name, []) if v]
        if current:
            continue
        if f.tag == "select":
            real = [v for v, _sel in f.options if v]
            data[f.name] = real[:1]
        elif f.type == "date":
            data[f.name] = [today]
        elif f.type == "datetime-local":
            data[f.name] = [now]
        elif f.type == "time":
            data[f.name] = ["10:00"]
        elif f.type == "number":
            low = f.attrs.get("min")
            data[f.name] = [low if low not in (None, "") else "1"]
        elif f.type == "email":
            data[f.name] = ["prueba@cliente.example"]
        elif f.type == "url":
            data[f.name] = ["https://cliente.example/"]
        else:
            data[f.name] = [text]
    return data
