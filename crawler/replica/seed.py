"""The seed article of site-model.md, verbatim, with the facts the seed leaves open.

The text comes from ``/work/shared/seed/syrian-observer-article.txt``; date, author, tags,
category and URL are this replica's choices (the event is Lavrov's press conference of
Tuesday 20 August 2019 and the fall of Khan Sheikhoun on 20-21 August 2019).
"""

from __future__ import annotations

SEED_TITLE = 'For First Time, Russia Acknowledges the Presence of Russian Soldiers Fighting in Idleb'
SEED_LEDE = (
    "For the first time the Russian Foreign Minister has confirmed the presence of Russia troops "
    "in the battle for the province of Idleb reports Alsouria Net."
)
"""The lede as shown under the title; its closing attribution names the source."""
SEED_SOURCE = "Alsouria Net"
SEED_PARAGRAPHS: tuple[str, ...] = (
    (
        'Russian Foreign Minister Sergei Lavrov has acknowledged the presence of Russian soldiers '
        'fighting alongside Assad’s forces in the Idleb battles.'
    ),
    (
        'On Tuesday, Lavrov said during a press conference he held after meeting Ghana’s Foreign '
        'Minister Shirley Botchway that, “There are Russian soldiers on the ground in the Syrian '
        'province of Idleb,” adding that his country would repel any attack on Russian soldiers in '
        'Syria.'
    ),
    (
        'This is considered to be the first open statement from Russia about the presence of its '
        'fighters on the ground in Idleb during the military campaign that was waged by the Syrian '
        'regime with Russian backing in the northern Hama countryside and the southern Idleb '
        'countryside last April.'
    ),
    (
        'Russia has acknowledged its support for the Syrian regime politically and militarily since'
        ' September 2015, when Moscow announced their military intervention in Syria at the request'
        ' of the Assad regime, which tipped the scales in their favor after the intervention.'
    ),
    (
        'The Russian Air Force has also supported Assad’s forces in the Hama and Idleb countrysides'
        ' throughout the recent military campaign, which has seen the regime advance and take '
        'control over various villages and town in the region.'
    ),
    (
        'The Russian Foreign Minister’s statement coincides with the advance of Assad’s forces in '
        'Khan Sheikhoun in the southern Idleb countryside, with opposition fighters withdrawing '
        'from the city and Assad’s forces entering after pursuing a scorched earth policy with '
        'hundreds of air and rocket strikes.'
    ),
)
"""The six body paragraphs, typographic apostrophes and quotes kept."""
DISCLAIMER = (
    'This article was translated and edited by The Syrian Observer. The Syrian Observer has not'
    ' verified the content of this story. Responsibility for the information and views set out '
    'in this article lies entirely with the author.'
)
"""The site's standing editorial disclaimer under translated articles."""
SEED_ID = 52360
SEED_CATEGORY = "news"
SEED_SLUG = "for-first-time-russia-acknowledges-the-presence-of-russian-soldiers-fighting-in-idleb"
SEED_PATH = f"/{SEED_CATEGORY}/{SEED_ID}/{SEED_SLUG}.html"
SEED_PUBLISHED = "2019-08-21T09:30:00+03:00"
SEED_MODIFIED = "2019-08-21T11:05:00+03:00"
SEED_AUTHOR = "The Syrian Observer"
SEED_TAGS: tuple[str, ...] = ("russia", "idleb", "khan-sheikhoun")
"""Tag slugs; the replica's tag table gives their names (Russia, Idleb, Khan Sheikhoun)."""
SEED_IMAGE = "/wp-content/uploads/2019/08/lavrov-idleb.jpg"
