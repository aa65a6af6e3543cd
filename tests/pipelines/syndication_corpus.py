"""A constructed set for syndicated-copy linking: wire stories, their copies on other outlets, and decoys.

- 48 wire stories, each 20 sentences drawn from its topic's vocabulary (6 topics);
- copies of a story on one or two other outlets: one sentence replaced by a new one, the outlet's
  own chrome (navigation, a "most read" sidebar of other headlines, a newsletter box, a footer)
  and a credit line; the pages go through the real parser, so chrome stripping matters;
- 48 decoys: unrelated stories on the same topics (same vocabulary, different sentences), spread
  over the outlets; half are follow-ups whose background paragraph repeats six sentences of a wire story.

Everything is seeded: the set is the same on every run.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape

TOPICS: dict[str, dict[str, list[str]]] = {
    "idleb": {
        "who": ["regime forces", "opposition fighters", "Russian jets", "Turkish troops", "civil defence teams",
                "local councils", "displaced families", "the Syrian army", "HTS militants", "monitors"],
        "what": ["shelled", "advanced toward", "withdrew from", "besieged", "struck", "evacuated", "reinforced",
                 "surrounded", "bombarded", "recaptured"],
        "where": ["Saraqib", "Maarat al-Numan", "Jisr al-Shughur", "the M4 highway", "Ariha", "Kafr Nabl",
                  "the Turkish border", "Idleb city", "the Ghab plain", "Khan Sheikhoun"],
        "detail": ["overnight", "despite the ceasefire", "for the third day", "under heavy fire", "at dawn",
                   "amid talks in Ankara", "as winter set in", "after a week of clashes", "with drones",
                   "according to residents"],
    },
    "bread": {
        "who": ["bakeries", "the trade ministry", "traders", "farmers", "families in Homs", "the World Food Programme",
                "mill owners", "smugglers", "price monitors", "shop keepers"],
        "what": ["raised the price of", "rationed", "ran out of", "hoarded", "subsidised", "imported", "queued for",
                 "smuggled", "cut the weight of", "distributed"],
        "where": ["flour", "the smart card bread", "wheat from Russia", "diesel for ovens", "sugar", "rice",
                  "bread bundles", "the harvest", "fuel coupons", "cooking gas"],
        "detail": ["in Damascus", "in Aleppo markets", "this week", "for the second time this month",
                   "as the pound fell", "in rural Hama", "before Ramadan", "at dawn queues", "in Daraa",
                   "amid power cuts"],
    },
    "elections": {
        "who": ["the People's Assembly", "candidates", "the electoral commission", "voters", "the Baath party",
                "independent lists", "observers", "the governor", "tribal leaders", "state media"],
        "what": ["announced", "boycotted", "contested", "postponed", "endorsed", "criticised", "monitored",
                 "counted", "registered for", "campaigned in"],
        "where": ["the local elections", "polling stations", "the results", "the lists in Latakia",
                  "the vote in Tartous", "the ballot", "the turnout figures", "the new council",
                  "the campaign in Suwayda", "the nomination rules"],
        "detail": ["on Sunday", "amid low turnout", "without opposition", "in a brief statement",
                   "after weeks of delay", "under tight security", "in several provinces", "late at night",
                   "despite complaints", "for the first time"],
    },
    "water": {
        "who": ["the Alouk station", "engineers", "residents of Hasakah", "the UN", "water tankers",
                "the Kurdish administration", "aid groups", "the health directorate", "farmers", "Turkish forces"],
        "what": ["cut off", "repaired", "rationed", "tested", "pumped", "contaminated", "restored", "trucked",
                 "shut down", "inspected"],
        "where": ["drinking water", "the Euphrates flow", "wells in Raqqa", "the pipeline", "the pumping station",
                  "irrigation canals", "the dam reservoir", "the water network", "the treatment plant",
                  "cholera cases"],
        "detail": ["for ten days", "amid a heatwave", "after a power failure", "in the summer drought",
                   "near Tal Tamr", "despite appeals", "this morning", "in several districts", "since spring",
                   "according to the UN"],
    },
    "returns": {
        "who": ["refugees in Lebanon", "returnees", "the security branches", "UNHCR", "Lebanese authorities",
                "families from Arsal", "human rights groups", "the interior ministry", "young men", "lawyers"],
        "what": ["were deported to", "crossed back into", "were detained at", "registered in", "fled from",
                 "were questioned in", "settled in", "were conscripted in", "sold property in", "returned to"],
        "where": ["Qusayr", "the Jdeidet Yabous crossing", "Homs countryside", "Damascus suburbs", "Zabadani",
                  "the border camps", "Eastern Ghouta", "Qalamoun", "Daraa al-Balad", "the Bekaa valley"],
        "detail": ["last month", "without guarantees", "under a new decree", "despite the risks", "in small groups",
                   "after years abroad", "in recent weeks", "amid economic collapse", "under pressure",
                   "according to lawyers"],
    },
    "economy": {
        "who": ["the central bank", "importers", "exchange offices", "the finance ministry", "investors",
                "the chamber of commerce", "factory owners", "state employees", "pensioners", "remittance agents"],
        "what": ["devalued", "reported losses on", "raised salaries for", "banned trading in", "borrowed against",
                 "exported", "printed", "taxed", "froze", "auctioned"],
        "where": ["the Syrian pound", "dollar deposits", "the new banknotes", "olive oil", "gold",
                  "public sector wages", "import licences", "real estate", "the budget", "phosphate contracts"],
        "detail": ["on Monday", "for the fourth time", "amid sanctions", "in the black market", "this quarter",
                   "after the earthquake", "to curb inflation", "without notice", "in a decree", "in Aleppo"],
    },
}
FILLER = ["reported", "said", "while", "officials", "added", "sources", "told", "observers", "noted",
          "that", "and", "as", "in", "on", "the", "a", "with", "new", "local", "several"]

OUTLETS = ("wire", "outlet_b", "outlet_c")
CHROME = {
    "wire": ("Wire Service", "wire-body", "News | World | Syria | Markets"),
    "outlet_b": ("The Levant Daily", "story-text", "Home | Politics | Economy | Opinion | Video"),
    "outlet_c": ("Syria Now", "post-content", "Latest | Regions | Analysis | Podcasts | About us"),
}
T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def sentence(rng: random.Random, topic: str) -> str:
    """One sentence of the topic: its vocabulary, in a random order of parts and fillers."""
    words = TOPICS[topic]
    parts = [rng.choice(words["who"]), rng.choice(words["what"]), rng.choice(words["where"]),
             rng.choice(words["detail"])]
    extra = [rng.choice(FILLER) for _ in range(rng.randint(3, 6))]
    clause = [rng.choice(words["who"]), rng.choice(words["what"]), rng.choice(words["where"])]
    text = " ".join(parts[:2] + extra[:2] + parts[2:] + extra[2:] + clause)
    return text[0].upper() + text[1:] + "."


@dataclass
class Story:
    """One story and its pages: the wire original and its copies (outlet -> sentences)."""

    key: str
    topic: str
    title: str
    published: datetime
    pages: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Page:
    outlet: str
    url: str
    html: str
    story: str


def build(stories: int = 48, decoys: int = 48, seed: int = 7) -> list[Page]:
    """The pages of the set, grouped by outlet in crawl order (wire first)."""
    rng = random.Random(seed)
    topics = sorted(TOPICS)
    all_stories: list[Story] = []
    for i in range(stories):
        topic = topics[i % len(topics)]
        body = [sentence(rng, topic) for _ in range(20)]
        story = Story(f"s{i}", topic, f"{topic.title()} report {i}: " + sentence(rng, topic)[:60],
                      T0 + timedelta(hours=i))
        story.pages["wire"] = body
        outlets = [o for j, o in enumerate(OUTLETS[1:]) if (i + j) % 3 != 0] or ["outlet_b"]
        for outlet in outlets:
            copy = list(body)
            copy[rng.randrange(len(copy))] = sentence(rng, topic)  # one sentence changed
            story.pages[outlet] = copy
        all_stories.append(story)
    for i in range(decoys):
        topic = topics[i % len(topics)]
        story = Story(f"d{i}", topic, f"{topic.title()} analysis {i}: " + sentence(rng, topic)[:60],
                      T0 + timedelta(hours=i, minutes=30))
        body = [sentence(rng, topic) for _ in range(20)]
        if i % 2:
            # A follow-up of a wire story of its topic: a background paragraph repeats six of its sentences.
            body[14:20] = all_stories[i % stories].pages["wire"][:6]
        story.pages[OUTLETS[i % len(OUTLETS)]] = body
        all_stories.append(story)
    headlines = [s.title for s in all_stories]
    pages = []
    for outlet in OUTLETS:
        for story in all_stories:
            if outlet in story.pages:
                url = f"http://{outlet.replace('_', '-')}.example/{story.published:%Y/%m/%d}/{story.key}.html"
                others = rng.sample(headlines, 6)
                published = story.published + timedelta(hours=OUTLETS.index(outlet))
                pages.append(Page(outlet, url, page_html(outlet, story.title, story.pages[outlet], others, published),
                                  story.key))
    return pages


def page_html(outlet: str, title: str, sentences: list[str], others: list[str], published: datetime) -> str:
    """The outlet's article page: its chrome around the story's paragraphs (three sentences each)."""
    name, body_class, nav = CHROME[outlet]
    paragraphs = [" ".join(sentences[i:i + 3]) for i in range(0, len(sentences), 3)]
    credit = "" if outlet == "wire" else "<p class='credit'>This story was first published by the Wire Service.</p>"
    most_read = "".join(f"<li><a href='/more/{i}.html'>{escape(h)}</a></li>" for i, h in enumerate(others))
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)} - {name}</title>
<meta property="article:published_time" content="{published.isoformat()}"></head>
<body><header><div class="logo">{name}</div><nav>{" ".join(f"<a href='/{n}'>{n}</a>" for n in nav.split(" | "))}</nav>
</header>
<main><article><h1>{escape(title)}</h1><time datetime="{published.isoformat()}">{published:%d %B %Y}</time>
<div class="{body_class}">{"".join(f"<p>{escape(p)}</p>" for p in paragraphs)}{credit}</div></article>
<aside class="most-read"><h2>Most read</h2><ul>{most_read}</ul></aside>
<section class="newsletter"><p>Get the {name} briefing every morning: the stories that matter, in your inbox.</p>
<form><input name="email"><button>Subscribe</button></form></section></main>
<footer><p>© 2026 {name}. All rights reserved. Contact, advertising, privacy policy and terms of use.</p>
</footer></body></html>"""
