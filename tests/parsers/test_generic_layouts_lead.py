"""Body recall on layouts that set parts of the article apart: each test is a small hand-written page.

No benchmark page is copied here; every page states the general pattern it stands for.
"""

from __future__ import annotations

from layout_pages import PARA, body_of, para

LEAD = (
    "The lead: after months of debate the city council approved the new transport plan on Tuesday, "
    "with bus lanes, new crossings near schools and a lower speed limit in the centre from next spring."
)


def test_a_lead_box_between_the_headline_and_the_body_wrapper_opens_the_body() -> None:
    """Pattern: headline, a lead box of its own (a sibling of the body wrapper), then the body wrapper."""
    html = f"""<html><body><div class="news"><h1>Transport plan approved</h1>
      <div class="intro"><p>{LEAD}</p></div><div class="date">12.03.2024</div>
      <div class="news-text">{para(1)}{para(2)}{para(3)}</div></div></body></html>"""
    body = body_of(html)
    assert body.startswith("The lead:") and "Paragraph 3." in body and "12.03.2024" not in body


def test_a_lead_two_wrappers_up_after_the_headline_in_the_header_is_found() -> None:
    """Pattern: the lead follows the headline inside the article header; the body wrapper sits two levels down."""
    html = f"""<html><body><article><div class="head"><h1>Transport plan approved</h1><p>{LEAD}</p></div>
      <div class="cols"><div class="col"><div class="body-copy">{para(1)}{para(2)}{para(3)}</div></div></div>
      </article></body></html>"""
    body = body_of(html)
    assert body.startswith("The lead:") and "Paragraph 3." in body


def test_a_one_line_deck_a_link_box_or_a_caption_before_the_body_is_not_a_lead() -> None:
    """Pattern: a short deck under the headline, a picture box's caption, and teaser links stay out."""
    links = " ".join(f'<a href="/t/{i}">Another story headline number {i}</a>' for i in range(6))
    html = f"""<html><body><div class="page"><div class="teasers">{links}</div>
      <h1>Transport plan approved</h1><p class="deck">Bus lanes and new crossings are coming next spring.</p>
      <div class="image-box"><p>{LEAD.replace("The lead:", "Caption:")}</p></div>
      <div class="news-text">{para(1)}{para(2)}{para(3)}</div></div></body></html>"""
    body = body_of(html)
    assert body.startswith("Paragraph 1.")
    assert "Another story" not in body and "Bus lanes and new" not in body and "Caption:" not in body


def test_a_story_told_in_boxes_named_or_marked_like_chrome_is_kept_when_they_hold_all_its_prose() -> None:
    """Pattern: a slideshow article, every section classed ``gallery-section`` and all but the first hidden."""
    hidden = ' style="display:none"'
    sections = "".join(
        f'<div class="gallery-section"{"" if n == 1 else hidden}>{para(n)}</div>' for n in range(1, 9)
    )
    html = f"""<html><body><h1>Eight things to see</h1><div class="gallery">{sections}</div>
      <div class="share"><a href="/s">Share this</a></div></body></html>"""
    body = body_of(html)
    assert all(f"Paragraph {n}." in body for n in range(1, 9)) and "Share this" not in body


def test_a_short_article_beside_a_long_sidebar_of_widgets_keeps_the_widgets_out() -> None:
    """Pattern: the widgets hold more prose than the article, but not nearly all of it: still chrome."""
    widgets = "".join(f'<div class="widget">{para(n)}</div>' for n in range(10, 13))
    html = f"""<html><body><div class="post">{para(1)}{para(2)}</div>
      <div class="sidebar-box">{widgets}</div></body></html>"""
    body = body_of(html)
    assert "Paragraph 1." in body and "Paragraph 2." in body and "Paragraph 10." not in body


def test_an_article_header_whose_standfirst_is_a_long_subtitle_heading_keeps_it() -> None:
    """Pattern: ``<header>`` holds the headline and the lead set as an ``<h2>``; the body follows the header."""
    html = f"""<html><body><article><header><h1>Transport plan approved</h1><h2>{LEAD}</h2></header>
      <div class="article-text">{para(1)}{para(2)}{para(3)}</div></article></body></html>"""
    body = body_of(html)
    assert body.startswith("The lead:") and "Paragraph 3." in body


def test_an_author_box_closing_the_article_stays_out() -> None:
    """Pattern: a prose bio of the writer in a box classed ``author-description`` (or ``bio``) after the text."""
    html = f"""<html><body><article><h1>Transport plan approved</h1>{para(1)}{para(2)}{para(3)}
      <div class="author-description"><p>Jane Doe writes about cities, transport and housing for the paper,
      and before that she covered local politics in the north of the country for ten years.</p></div>
      </article></body></html>"""
    body = body_of(html)
    assert "Paragraph 3." in body and "Jane Doe writes" not in body


def test_a_sibling_wrapper_of_story_cards_does_not_join_the_article() -> None:
    """Pattern: beside the article, a section of story cards (each an <article> with a summary paragraph)."""
    cards = "".join(
        f'<article class="card"><header><h2><a href="/s/{n}">Story {n}</a></h2></header>'
        f"<p>Card {n} summary. {PARA}</p></article>" for n in range(1, 5)
    )
    html = f"""<html><body><section><div class="content"><h1>Transport plan approved</h1>
      {para(1)}{para(2)}{para(3)}{para(4)}</div><p class="note">{PARA}</p></section>
      <section>{cards}</section></body></html>"""
    body = body_of(html)
    assert "Paragraph 4." in body and "Card 1 summary" not in body


def test_an_article_shown_only_inside_noscript_is_read_from_there() -> None:
    """Pattern: a script renders the post; readers without scripts get it inside <noscript>."""
    html = f"""<html><body><div class="blog-header"><p>The latest news from our engineering team.</p></div>
      <div class="post"><script>render()</script><noscript>{para(1)}{para(2)}{para(3)}</noscript></div>
      </body></html>"""
    body = body_of(html)
    assert all(f"Paragraph {n}." in body for n in (1, 2, 3))


def test_a_noscript_note_beside_a_real_article_stays_out() -> None:
    """Pattern: the usual noscript note ("please enable JavaScript") next to an article in the markup."""
    note = "<p>Please enable JavaScript in your browser to see the comments and the interactive map.</p>"
    html = f"""<html><body><article>{para(1)}{para(2)}{para(3)}</article>
      <noscript>{note * 3}</noscript></body></html>"""
    body = body_of(html)
    assert "Paragraph 3." in body and "enable JavaScript" not in body


def test_a_short_lead_in_a_box_named_as_the_lead_opens_the_body() -> None:
    """Pattern: a one-sentence lead in a box classed ``teaser-text`` (or ``intro``, ``lead`` ...) before the body."""
    html = f"""<html><body><div class="news-single"><h1>Transport plan approved</h1>
      <div class="teaser-text"><p>The council approved the transport plan on Tuesday after months of debate.</p></div>
      <div class="news-text-wrap">{para(1)}{para(2)}{para(3)}</div></div></body></html>"""
    body = body_of(html)
    assert body.startswith("The council approved") and "Paragraph 3." in body


def test_a_body_named_articlebody_does_not_merge_its_microdata_siblings() -> None:
    """Pattern: ``itemprop=articleBody`` beside microdata boxes (image URL, publisher logo URL) in one wrapper."""
    html = f"""<html><body><div itemscope>
      <div itemprop="image"><div itemprop="url">https://img.example.org/2024/03/transport-plan-approved-large-photo.jpg</div></div>
      <div itemprop="publisher"><span itemprop="logo"><span itemprop="url">https://img.example.org/logos/example-news-publisher-logo.png</span></span></div>
      <div itemprop="articleBody">{para(1)}{para(2)}{para(3)}</div></div></body></html>"""
    body = body_of(html)
    assert "Paragraph 3." in body and "https://img.example.org" not in body


def _nested(n: int, cls: str) -> str:
    return f'<div class="{cls}"><div class="col"><div class="text">{para(n)}</div></div></div>'


def test_a_pick_holding_under_half_of_the_prose_falls_back_to_the_block_holding_it_all() -> None:
    """Pattern: the article's text sits in boxes far apart in the tree; the scorer's pick holds 40% of it."""
    picked = f'<div class="box"><div class="inner">{para(1)}{para(2)}</div></div>'
    others = "".join(_nested(n, "row") for n in range(3, 6))
    labels = "".join(f"<div>Label number {n} of the page tools</div>" for n in range(30))  # short lines, no prose
    html = f"""<html><body><div class="page"><div class="wrap">{picked}</div>{labels}{others}</div></body></html>"""
    body = body_of(html)
    assert all(f"Paragraph {n}." in body for n in range(1, 6))


def test_no_fall_back_into_a_block_of_teaser_headlines() -> None:
    """Pattern: the article holds 40% of the page's prose; the rest are teasers under linked headlines."""
    article = f'<div class="box"><div class="inner">{para(1)}{para(2)}</div></div>'
    teasers = "".join(
        f'<div class="row"><h3><a href="/s/{n}">Other story {n}</a></h3><p>Teaser {n}. {PARA}</p></div>'
        for n in range(3, 6)
    )
    html = f"""<html><body><div class="page"><div class="wrap">{article}</div>{teasers}</div></body></html>"""
    body = body_of(html)
    assert "Paragraph 2." in body and "Teaser 3." not in body


def test_h1_section_headings_inside_the_text_are_kept_as_subheadings() -> None:
    """Pattern: a page using <h1> for its section headings; only the headline above the text is a field."""
    html = f"""<html><body><article><h1>Transport plan approved</h1>{para(1)}<h1>What changes for drivers</h1>
      {para(2)}<h1>What comes next</h1>{para(3)}</article></body></html>"""
    body = body_of(html)
    assert "What changes for drivers" in body and "What comes next" in body
    assert "Transport plan approved" not in body


def test_table_rows_named_like_chrome_stay_in_their_table() -> None:
    """Pattern: a results table whose rows are classed ``player-…`` / ``meta-row`` (data names, not chrome)."""
    rows = "".join(
        f'<tr class="oddrow player-{n}"><td>{n}</td><td>Driver number {n}</td><td>{5000 - n}</td></tr>'
        for n in range(1, 6)
    )
    html = f"""<html><body><article><h1>Final standings</h1>{para(1)}
      <table><tr class="colhead"><td>Pos.</td><td>Driver</td><td>Points</td></tr>{rows}</table>{para(2)}
      </article></body></html>"""
    body = body_of(html)
    assert "Driver number 3" in body and "Paragraph 2." in body


def test_a_long_reader_forum_under_a_short_article_is_not_taken_for_it() -> None:
    """Pattern: readers' comments in a list classed ``forum`` (SPIP) outweigh the article above them."""
    comments = "".join(f"<li><p>Comment {n}. {PARA} {PARA}</p></li>" for n in range(1, 9))
    html = f"""<html><body><div class="article"><h1>Transport plan approved</h1>{para(1)}{para(2)}</div>
      <ul class="forum">{comments}</ul></body></html>"""
    body = body_of(html)
    assert "Paragraph 2." in body and "Comment 1." not in body


def test_image_legends_outside_figure_markup_stay_out() -> None:
    """Pattern: a picture's caption in a box classed ``legend`` or ``imagedescription`` inside the body."""
    html = f"""<html><body><article><h1>Transport plan approved</h1>{para(1)}
      <div class="image"><div class="legend">The new bus lane on the main road, seen from the bridge.</div></div>
      {para(2)}<p class="imagedescription">The mayor at the council meeting, photographed by the city press office.</p>
      {para(3)}</article></body></html>"""
    body = body_of(html)
    assert "Paragraph 3." in body and "bus lane on the main road" not in body and "press office" not in body


def test_a_lead_box_the_body_repeats_word_for_word_is_a_summary_not_body() -> None:
    """Pattern: the box before the body holds the opening sentence the first paragraph starts with."""
    opening = LEAD.rstrip(".")
    html = f"""<html><body><div class="news"><h1>Transport plan approved</h1>
      <div class="intro"><p>{opening}.</p></div>
      <div class="news-text"><p>{opening}, the mayor said, and work starts in May. {PARA}</p>{para(2)}{para(3)}</div>
      </div></body></html>"""
    body = body_of(html)
    assert body.count("The lead:") == 1 and body.startswith(f"{opening}, the mayor said") and "Paragraph 3." in body
