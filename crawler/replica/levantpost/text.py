"""The Levant Post's fixed texts: bylines, reader comments and every line of page chrome.

Article prose comes from :mod:`crawler.replica.corpus`; what is here is what a clean
extraction must *leave out* (chrome, comments) plus the people who sign the stories.
None of these strings occurs in the corpus, so a test can look for them in stored text.
"""

from __future__ import annotations

SITE_NAME = "The Levant Post"
TAGLINE = "News from Beirut, Damascus and the wider Levant"

STAFF: tuple[str, ...] = (
    "Nour Haddad", "Karim Mansour", "Maya Saliba", "Tarek Azar", "Rima Chamoun",
    "Jad Nassar", "Hala Fakhoury", "Ziad Karam",
)
"""Reporters; a news story carries one or two of them (or no byline at all)."""
COLUMNISTS: tuple[str, ...] = ("Leila Barakat", "Samir Frem", "Yasmine Aoun")
"""Bylines of the Opinion section (always exactly one)."""

COMMENTERS: tuple[str, ...] = (
    "abu_fadi", "Rana from Tripoli", "M. Khalil", "levant_watcher", "Georges S.", "Dima_K",
    "OldBeiruti", "Hassan77", "Mira N.", "northern_voice", "Elie Z.", "samira.h",
)
COMMENTS: tuple[str, ...] = (
    "Finally someone is reporting this properly, thank you.",
    "I live nearby and can confirm the roads have been closed since the weekend.",
    "This is the same story we heard last year, nothing ever changes.",
    "Who is going to pay for all of this in the end? Ordinary families, as always.",
    "Great reporting, please keep following up on this one.",
    "The headline is misleading, read the whole piece before reacting.",
    "My cousin works there and says the numbers are much higher.",
    "Does anyone know if the border crossing is open again?",
    "We need more coverage like this and less politics.",
    "Sad to read. Stay safe everyone.",
    "The officials quoted here said the opposite a month ago.",
    "Interesting analysis but it ignores the role of the banks.",
    "Prices in our neighbourhood doubled this winter, exactly as described.",
    "Can you publish the full statement rather than excerpts?",
    "Nobody asked the people who actually live there.",
    "Thank you for the map, it makes the situation much clearer.",
    "This will not end well for anyone involved.",
    "Shared this with my family abroad, they had no idea.",
    "Where are the international organisations in all this?",
    "Good to see a balanced view for once.",
    "I remember when this town was full of life.",
    "The comments section is the only honest part of the internet.",
    "Please correct the date in the third paragraph.",
    "Waiting for the follow-up piece you promised.",
)
"""Reader comments; each article shows two or three.  None is article text."""

COOKIE_TEXT = (
    "We use cookies to personalise content and measure traffic on The Levant Post. "
    "You can change your choice at any time in your privacy settings."
)
COOKIE_BUTTONS: tuple[str, ...] = ("Accept all cookies", "Manage preferences")
NEWSLETTER_TITLE = "Get the Levant Morning Brief"
NEWSLETTER_TEXT = "The day’s essential stories from the region, in your inbox before 7 a.m. Beirut time."
NEWSLETTER_BUTTON = "Subscribe for free"
READ_ALSO = "Read also:"
SHARE_LABELS: tuple[str, ...] = ("Share on Facebook", "Share on X", "Share on WhatsApp", "Copy link")
COMMENTS_HEADING = "Reader comments"
COMMENTS_NOTE = "Comments are moderated and reflect the views of their authors only."
RELATED_HEADING = "More from this section"
MOST_READ_HEADING = "Most read this week"
FOOTER_ABOUT = (
    "The Levant Post is an independent English-language newsroom in Beirut covering Lebanon, "
    "Syria and their neighbours."
)
FOOTER_RIGHTS = "© 2024 The Levant Post SAL. All rights reserved."
PRINT_LABEL = "Print this story"

CHROME_PHRASES: tuple[str, ...] = (
    TAGLINE, COOKIE_TEXT, *COOKIE_BUTTONS, NEWSLETTER_TITLE, NEWSLETTER_TEXT, NEWSLETTER_BUTTON, READ_ALSO,
    *SHARE_LABELS, COMMENTS_HEADING, COMMENTS_NOTE, *COMMENTS, RELATED_HEADING, MOST_READ_HEADING,
    FOOTER_ABOUT, FOOTER_RIGHTS, PRINT_LABEL,
)
"""Every chrome text of an article page: none may appear in a stored article's text."""

ABOUT_PARAGRAPHS: tuple[str, ...] = (
    "The Levant Post was founded in Beirut by a group of reporters who wanted an English-language "
    "daily that treats the region as one story rather than a set of separate crises.",
    "Our newsroom of twenty journalists works from Beirut and Damascus, with contributors in Amman, "
    "Gaziantep and Erbil. We publish news, analysis and opinion every day of the year.",
    "The Levant Post is funded by its readers and by a small number of foundations. We take no money "
    "from governments, political parties or armed groups, and we publish our accounts every year.",
    "Corrections are published at the foot of the story they concern, with the date of the change.",
)
CONTACT_PARAGRAPHS: tuple[str, ...] = (
    "Newsroom: Hamra Street, Sanayeh Building, 4th floor, Beirut, Lebanon.",
    "News tips and corrections: desk@levantpost.example. Advertising: ads@levantpost.example.",
    "Our switchboard answers from 9 a.m. to 6 p.m. Beirut time, Monday to Saturday.",
)
