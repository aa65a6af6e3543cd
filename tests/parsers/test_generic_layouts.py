"""Body recall on unfamiliar layouts: each test is a small hand-written page of one general pattern.

No benchmark page is copied here; every page states the layout it stands for.
"""

from __future__ import annotations

from layout_pages import PARA, body_of, para


def test_article_split_over_named_body_wrappers_keeps_every_part() -> None:
    """Pattern: the body is cut into several ``article-body`` wrappers with an ad slot and a figure between."""
    html = f"""<html><body><nav><a href="/">Home</a></nav><div class="page">
      <div class="article-body">{para(1)}{para(2)}{para(3)}</div>
      <div class="ad-slot"><a href="/ad">Buy now</a></div>
      <div class="article-body">{para(4)}{para(5)}</div>
      <div class="teaser-list"><a href="/a">Another story headline here</a> <a href="/b">And one more story</a></div>
    </div></body></html>"""
    body = body_of(html)
    for n in range(1, 6):
        assert f"Paragraph {n}." in body
    assert "Buy now" not in body and "Another story" not in body


def test_paragraphs_beside_a_link_box_join_the_block_the_scorer_chose() -> None:
    """Pattern: bare <p> and a subheading beside the chosen block, with a link-heavy box among them."""
    links = " ".join(f'<a href="/t/{i}">Topic number {i}</a>' for i in range(12))
    html = f"""<html><body><div class="content"><div class="intro">{para(1)}{para(2)}{para(3)}</div>
      <div class="topics">{links}</div><h2>What comes next</h2>{para(4)}<p>{PARA} {PARA}</p></div></body></html>"""
    body = body_of(html)
    assert all(f"Paragraph {n}." in body for n in (1, 2, 3, 4)) and "What comes next" in body
    assert "Topic number" not in body


def test_article_nested_inside_a_menu_by_broken_markup_is_kept() -> None:
    """Pattern: an unclosed menu <li>/<nav> makes the parser nest the whole article inside the nav."""
    html = f"""<html><body><nav class="menu"><ul><li><a href="/">Home</a>
      <div class="sub"><main><article><h1>Budget approved</h1>{para(1)}{para(2)}{para(3)}</article></main>
      </body></html>"""
    body = body_of(html)
    assert all(f"Paragraph {n}." in body for n in (1, 2, 3))


def test_a_real_navigation_box_is_still_dropped() -> None:
    """Pattern: a nav or aside with teaser text beside the article stays out."""
    html = f"""<html><body><aside class="col"><p>Sidebar note about our newsletter and our podcast, with
      many words so that it looks like a paragraph of prose to a scorer.</p></aside>
      <article>{para(1)}{para(2)}{para(3)}</article>
      <footer><p>Footer text about the company, its address and its history.</p></footer></body></html>"""
    body = body_of(html)
    assert "Paragraph 3." in body and "Sidebar note" not in body and "Footer text" not in body


def test_a_small_best_candidate_falls_back_to_the_block_holding_most_prose() -> None:
    """Pattern: a comma-rich standfirst outscores paragraphs each wrapped three levels deep; the body is all."""
    lead = "<p>" + ", ".join(f"point {i}" for i in range(14)) + ", and the rest of the lead sentence here.</p>"
    wrapped = "".join(
        f'<div class="row"><div class="col"><div class="text"><p>Paragraph {n}. The plan was approved today '
        f"by the board after a long debate that lasted well into the evening hours.</p></div></div></div>"
        for n in range(1, 8)
    )
    html = f"""<html><body><main><div class="standfirst">{lead}</div>
      <h3><a href="/other">A headline of another story</a></h3>{wrapped}</main></body></html>"""
    body = body_of(html)
    assert all(f"Paragraph {n}." in body for n in range(1, 8))


def test_an_article_header_holding_the_standfirst_keeps_it() -> None:
    """Pattern: the lead paragraph sits in the article's <header> with the headline, before the body."""
    html = f"""<html><body><header class="site"><a href="/">Site</a> <a href="/news">News</a></header>
      <article><header class="article-header"><h1>Budget approved</h1><p>The standfirst: {PARA}</p></header>
      <div class="text">{para(1)}{para(2)}{para(3)}</div></article></body></html>"""
    body = body_of(html)
    assert body.startswith("The standfirst:") and "Paragraph 3." in body


def test_cms_fields_whose_label_is_hidden_are_not_hidden_content() -> None:
    """Pattern: body fields classed ``field--label-hidden`` (the label is hidden, not the text)."""
    fields = "".join(
        f'<div class="field field--name-field-text-{n} field--label-hidden">{para(n)}</div>' for n in range(1, 6)
    )
    html = f"""<html><body><div class="node">{fields}</div>
      <div class="visually-hidden"><p>Skip to the main content of this page, a hidden helper line for readers.</p></div>
      </body></html>"""
    body = body_of(html)
    assert all(f"Paragraph {n}." in body for n in range(1, 6))
    assert "Skip to the main content" not in body


def test_text_rendered_as_divs_with_br_lines_is_kept_line_by_line() -> None:
    """Pattern: no <p> at all; the story is one <div> of text lines separated by <br><br>."""
    lines = "<br><br>".join(f"Line {n}. {PARA}" for n in range(1, 5))
    html = f"""<html><body><div class="menu"><a href="/">Home</a> | <a href="/x">Sections</a></div>
      <div class="story">{lines}</div></body></html>"""
    body = body_of(html)
    assert [f"Line {n}." in body for n in range(1, 5)] == [True] * 4
    assert "Sections" not in body


def test_prose_interleaved_with_figures_quotes_lists_tables_and_subheadings_stays_whole() -> None:
    """Pattern: one article body mixing paragraphs with a figure, a quote, a list, a table and subheadings."""
    html = f"""<html><body><article><h1>Budget approved</h1>{para(1)}
      <figure><img src="/a.jpg"><figcaption>A caption line.</figcaption></figure>{para(2)}
      <blockquote><p>"We are pleased with the result of the vote," the mayor said after the meeting.</p></blockquote>
      <h2>What changes</h2><ul><li>Bus lanes on the main road</li><li>New crossings near schools</li></ul>{para(3)}
      <table><tr><th>Item</th><th>Cost</th></tr><tr><td>Bridge</td><td>4 million</td></tr></table>{para(4)}
      </article></body></html>"""
    body = body_of(html)
    for expected in ("Paragraph 1.", "Paragraph 4.", "We are pleased", "What changes", "Bus lanes on the main road",
                     "Bridge 4 million"):
        assert expected in body, expected
    assert "A caption line." not in body  # the caption is the record's image_caption, not body text
