"""An idea's body is a safe Markdown subset: script, HTML and javascript: links come out inert."""

import pytest

from rapport.ideas.markdown import excerpt, render


def test_the_subset_renders():
    html = render("# Why\n\n**Bold**, _soft_ and `code`.\n\n- one\n- two\n\n> quoted")
    assert "<h3>Why</h3>" in html  # the page's own headings come first
    assert "<strong>Bold</strong>" in html
    assert "<em>soft</em>" in html
    assert "<code>code</code>" in html
    assert "<ul>\n<li>one</li>" in html
    assert "<blockquote>" in html


def test_links_are_http_https_or_mailto_and_marked_nofollow():
    html = render(
        "[site](https://acme.example/x) [plain](http://acme.example) [mail](mailto:a@acme.example)"
    )
    assert '<a href="https://acme.example/x" rel="nofollow ugc noopener">site</a>' in html
    assert '<a href="http://acme.example" rel="nofollow ugc noopener">plain</a>' in html
    assert '<a href="mailto:a@acme.example" rel="nofollow ugc noopener">mail</a>' in html
    assert html.count("<a ") == 3


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "java&#x09;script:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "/relative/path",
        "//evil.example/x",
    ],
)
def test_any_other_link_stays_plain_text(link):
    html = render(f"[click]({link}) <{link}>")
    assert "<a " not in html
    assert "href" not in html


def test_html_and_script_are_shown_as_text():
    html = render(
        '<script>alert("x")</script>\n\n<img src=x onerror=alert(1)> <b onclick="x()">b</b>'
        '\n\n<iframe src="https://evil.example"></iframe>'
    )
    assert "<script" not in html
    assert "<img" not in html
    assert "<b " not in html
    assert "<iframe" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_images_are_not_loaded():
    html = render("![tracker](https://evil.example/pixel.gif)")
    assert "<img" not in html


def test_an_attribute_cannot_be_broken_out_of():
    html = render('[x](https://acme.example/"onmouseover="alert(1))')
    assert 'onmouseover="' not in html


def test_the_excerpt_is_plain_text_cut_at_a_word():
    text = "**Apple Pay** please. " + "word " * 100
    cut = excerpt(text, 40)
    assert cut.startswith("Apple Pay please.")
    assert cut.endswith("…")
    assert len(cut) <= 40
    assert excerpt("<script>x</script>") == "<script>x</script>"  # the template escapes it
