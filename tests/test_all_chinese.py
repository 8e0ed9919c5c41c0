"""Every page, as every role, reads in Chinese: no Latin-script identifier (a metric's
name, a model's label, an English heading) in what a user sees. The pages are those of
the scope harness's walk, each as its role reaches it inside its scope, and the admin's."""

import re
from html.parser import HTMLParser

import pytest

from guanai.accounts.access import is_public, may_use

from .scope_cases import CASES
from .test_scope_harness import ROLES, all_patterns, world  # noqa: F401  (world: the harness's records)

# Latin words a Chinese page may show: format and file names, units, codes and ID numbers.
ALLOWED_WORDS = {
    "pdf", "docx", "doc", "xlsx", "xls", "csv", "wps", "et", "txt", "zip", "png", "jpg", "jpeg", "excel", "word",
    "webp", "km", "kg", "cm", "mm", "m", "g", "t", "mb", "kb", "gb", "ocr", "id", "ip", "ldap", "md5", "argon2", "pbkdf2_sha256",
}
FILE_NAME = re.compile(r"^[\w\u4e00-\u9fff.\-]+\.(pdf|docx?|xlsx?|csv|wps|et|txt|zip|png|jpe?g)$", re.I)
# Codes: record numbers (BH2026000002), ID numbers (…X), area codes: letters with digits.
CODE = re.compile(r"^(?=.*\d)[A-Z0-9\-*]+$|^(?=.*\d)[0-9a-f]{6,}$")  # and hashes (sha256, a password's)
LATIN = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]*[A-Za-z0-9]|[A-Za-z]")
# Pinyin shown on purpose: the search box's examples and a person's pinyin initials.
PINYIN_HINT = re.compile(r"如\s*[a-z]+\s*或\s*[a-z]+")


class _VisibleText(HTMLParser):
    """The text a browser shows: no tags, attributes, scripts, styles or hidden templates."""

    HIDDEN = {"script", "style", "template", "noscript"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def latin_words(text: str, usernames=frozenset()) -> set[str]:
    """The Latin-script identifiers of ``text`` that no allow-list explains (an account's
    user name, what its owner types to log in, is an identifier like a code)."""
    text = PINYIN_HINT.sub("", text)
    found = set()
    for token in re.findall(r"[^\s，。；：、（）()“”《》【】\[\]<>|/·,;:!?！？=]+", text):
        if FILE_NAME.match(token) or CODE.match(token) or "***" in token:  # *** : a masked value
            continue
        for word in LATIN.findall(token):
            if word.lower() in ALLOWED_WORDS or CODE.match(word) or word in usernames:
                continue
            found.add(word)
    return found


def test_the_check_sees_english_and_lets_codes_and_formats_pass():
    assert latin_words(visible_text("<p>依据 persons_registered</p>")) == {"persons_registered"}
    assert latin_words(visible_text("<h2>Task Results</h2>")) == {"Task", "Results"}
    assert latin_words(visible_text("<td>briefings.briefing</td>")) == {"briefings.briefing"}
    page = ("<script>var x = 'hidden';</script><style>.a{color:red}</style><p title='English'>"
            "个案 BH2026000002，身份证 11010520151231012X，导出Excel、PDF或DOCX，简报.docx，12 km，30 kg，"
            "区划 990101001001</p><input placeholder='如 zhangsan 或 zs'>")
    assert latin_words(visible_text(page)) == set()


def _pages(user, world):  # noqa: F811
    """The walk of the scope harness: each page the user may use, inside their scope."""
    from django.urls import reverse

    for route, name, callback, params in all_patterns():
        if is_public(callback) or not may_use(user, callback):
            continue
        if params:
            inside, _outside = CASES[name](user, world)
            if inside is None:
                continue
            yield reverse(name, kwargs=inside)
        else:
            yield reverse(name)


def _english_on(client, url) -> set[str]:
    from guanai.accounts.models import User

    response = client.get(url)
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return set()
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return latin_words(visible_text(raw.decode(errors="replace")), set(User.objects.values_list("username", flat=True)))


@pytest.mark.parametrize("username", ROLES)
def test_every_page_reads_in_chinese(username, world, client_for):  # noqa: F811
    client = client_for(username)
    found = {}
    for url in _pages(world["users"][username], world):
        words = _english_on(client, url)
        if words:
            found[url] = sorted(words)
    assert found == {}, f"{username} sees English: {found}"


def test_the_admin_site_reads_in_chinese(client_for):
    """The admin's index, each app's page, each model's list, add form and first record."""
    from django.contrib import admin
    from django.urls import reverse

    client = client_for("admin")
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        meta = model._meta
        urls.append(reverse("admin:app_list", kwargs={"app_label": meta.app_label}))
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_add"))
        first = model._default_manager.order_by("-pk").first()  # the newest: the demo's last, fullest
        if first is not None:
            urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk]))
    found = {}
    for url in dict.fromkeys(urls):
        words = _english_on(client, url)
        if words:
            found[url] = sorted(words)
    assert found == {}, f"the admin site shows English: {found}"


def test_a_briefings_sources_and_the_fact_checker_name_figures_in_chinese(client_for, users):
    """数据来源 and 依据 name each figure by its metric's label (在册人员), never persons_registered."""
    from django.utils import timezone

    from guanai.areas.models import Area
    from guanai.briefings import services
    from guanai.stats.metrics import METRICS, compute
    from guanai.stats.periods import last_complete_quarter

    quarter = last_complete_quarter(timezone.localdate())
    briefing = services.create_briefing(Area.objects.get(pk="990100000000"), quarter, "jianbao", user=users["office"])
    page = client_for("office").get(f"/briefings/{briefing.pk}/").content.decode()
    assert "数据来源" in page and METRICS["visits"].label in visible_text(page)
    assert latin_words(visible_text(page)) == set()
    visits = compute("visits", "990100000000", quarter)
    page = client_for("office").post("/briefings/factcheck/", {
        "text": f"本季度全市开展走访慰问{visits}次。", "area": "990100000000", "period": quarter.key}).content.decode()
    assert 'data-status="match"' in page and METRICS["visits"].label in visible_text(page)
    assert latin_words(visible_text(page)) == set()
