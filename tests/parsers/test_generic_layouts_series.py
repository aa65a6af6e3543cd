"""Body recall on unfamiliar layouts, second part: hand-written pages, one general pattern each.

No benchmark page is copied here; each page states the layout it stands for, and each test says
what a wrong extraction would lose.
"""

from __future__ import annotations

from layout_pages import OTHER, PARA, body_of, para


def test_a_live_blog_keeps_every_entry_not_only_the_longest() -> None:
    """Pattern: the story is a series of boxes of one kind (live-blog entries), each with its own body wrapper.

    One entry is long: alone it is the best container, and being a marked body it would never fall back.
    """
    def entry(first: int, count: int) -> str:
        paragraphs = "".join(para(n, PARA if n % 2 else OTHER) for n in range(first, first + count))
        return f'<div class="live-entry"><time>{first}:00</time><div class="entry-content">{paragraphs}</div></div>'

    html = f"""<html><body><nav><a href="/">Home</a> <a href="/live">Live</a></nav>
      <div class="live-entries">{entry(1, 5)}{entry(6, 2)}{entry(8, 2)}{entry(10, 2)}</div>
      <div class="teasers"><h3><a href="/a">Another story headline here</a></h3><p><a href="/a">{PARA}</a></p></div>
    </body></html>"""
    body = body_of(html)
    assert all(f"Paragraph {n}." in body for n in range(1, 12)), body
    assert "Another story headline" not in body


def test_a_list_of_story_teasers_is_not_a_series_of_entries() -> None:
    """Pattern: boxes of one kind with linked headlines are other stories: they never join the article."""
    teasers = "".join(
        f'<div class="card"><h3><a href="/s/{n}">Story {n} headline that links away</a></h3>'
        f'<p>Teaser {n}. {OTHER}</p></div>' for n in range(4)
    )
    html = f"""<html><body><article><h1>Bus route approved</h1><div class="entry-content">{para(1)}{para(2)}
      {para(3, OTHER)}</div></article><div class="more">{teasers}</div></body></html>"""
    body = body_of(html)
    assert all(f"Paragraph {n}." in body for n in (1, 2, 3))
    assert "Teaser" not in body


def test_a_header_classed_box_with_the_standfirst_is_treated_as_the_article_header() -> None:
    """Pattern: an ``article__header`` section (not a <header> tag) holding the standfirst: kept as a <header> is."""
    standfirst = ("A new bus route through the northern district was approved on Tuesday after a year of debate "
                  "in the council, and the first buses will run in the spring, the city transport office said.")
    paragraphs = "".join(para(n, PARA if n % 2 else OTHER) for n in range(1, 7))

    def page(tag: str) -> str:
        return f"""<html><body><header class="site-header"><a href="/">Home</a> <a href="/news">News</a>
          <a href="/sport">Sport</a></header><div class="article">
          <{tag} class="article__header"><h1>Bus route approved</h1><p>{standfirst}</p></{tag}>
          <div class="article__body">{paragraphs}</div></div></body></html>"""

    body = body_of(page("section"))
    assert "first buses will run in the spring" in body
    assert all(f"Paragraph {n}." in body for n in range(1, 7))
    assert "Sport" not in body
    assert body == body_of(page("header"))


def test_a_headline_chosen_as_the_container_falls_back_to_the_article_marked_around_it() -> None:
    """Pattern: a long headline outscores a short article's few lines; the body is the <article>, not the <h1>."""
    from crawler.parsers.body_layout import fall_back_if_fragment
    from crawler.parsers.body_measure import _measure
    from crawler.parsers.generic import parse_html

    menu = " ".join(f'<a href="/s{n}">Section number {n} of the site, with a long name</a>' for n in range(8))
    root = parse_html(f"""<html><body><div class="row"><div class="menu">{menu}</div><div id="content"><article>
      <header><h1>Privatisations: a public forum in the town hall on Thursday evening, with the unions, the
      mayor and the water company</h1></header><div class="lead">The mayor and two union leaders will debate
      the sale of the water company, which the council wants to sell by the end of the year.</div>
      <div class="text">Entry is free.</div></article></div>
      <div class="side"><p>{OTHER} {OTHER}</p><p>{PARA} {PARA}</p></div></div></body></html>""")
    assert root is not None
    body = root.find("body")
    stats = _measure(body)
    headline = body.find(".//h1")
    chosen = fall_back_if_fragment(headline, body, stats)
    assert chosen.tag == "article"
    lead = body.find(".//div[@class='lead']")
    assert fall_back_if_fragment(lead, body, stats) is lead, "only a headline is sent up to its article"


def test_the_pages_own_address_printed_as_a_line_is_not_article_text() -> None:
    """Pattern: a permalink / share field prints the article's URL as a line of its own inside the article."""
    url = "https://example.org/news/story"
    html = f"""<html><head><link rel="canonical" href="{url}"></head><body><article><h1>Bus route approved</h1>
      <p class="permalink">{url}</p>{para(1)}{para(2, OTHER)}<p>The full plan is at https://example.org/plans/bus
      for anyone who wants to read it.</p></article></body></html>"""
    body = body_of(html)
    assert "Paragraph 1." in body and "Paragraph 2." in body
    assert url not in body.split("\n\n"), body
    assert "https://example.org/plans/bus" in body, "an address inside a sentence is text"
