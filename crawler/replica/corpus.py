"""Vocabulary and sentence templates for the replica's generated articles.

Plausible Syrian news prose, built from themed templates and slot pools so that
every generated body is distinct (different content hashes) and two bodies share
few word shingles (no accidental near-duplicates).  Everything is drawn from a
``random.Random`` the caller seeds: no global state, no clock.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

SOURCES: tuple[tuple[str, str], ...] = (
    ("reports", "Alsouria Net"),
    ("writes", "SANA"),
    ("reports", "Al-Hal"),
    ("writes", "Asharq Al-Awsat"),
)
"""The fixed attribution phrasings of the lede: ``... {verb} {outlet}.``"""

PLACES: tuple[str, ...] = (
    "Idleb", "Aleppo", "Daraa", "Deir Ezzor", "Raqqa", "Hama", "Homs", "Latakia", "Damascus",
    "Qamishli", "Manbij", "Afrin", "Tal Abyad", "al-Bukamal", "Quneitra", "Sweida",
    "Eastern Ghouta", "Jisr al-Shughour", "Maarat al-Numan", "Ras al-Ain", "al-Mayadin",
    "Tartous", "Hasakah", "Jableh", "Saraqib", "Kafranbel", "Douma", "Busra al-Sham",
)
REGIONS: tuple[str, ...] = (
    "northern Hama countryside", "southern Idleb countryside", "eastern Deir Ezzor countryside",
    "western Aleppo countryside", "Daraa countryside", "Latakia mountains", "Homs desert",
    "Qalamoun region", "Euphrates valley", "Jazira region", "Syrian-Turkish border",
    "Syrian-Jordanian border", "Syrian-Lebanese border", "Damascus countryside",
)
OFFICIALS: tuple[str, ...] = (
    "the UN Special Envoy Geir Pedersen", "Russian Foreign Minister Sergei Lavrov",
    "Turkish President Recep Tayyip Erdogan", "Iranian Foreign Minister Mohammad Javad Zarif",
    "US Special Envoy James Jeffrey", "the Syrian Foreign Minister Walid al-Muallem",
    "a senior Kurdish official", "a local council member", "a military source",
    "an opposition commander", "a humanitarian worker", "a member of the Constitutional Committee",
    "the head of the local chamber of commerce", "a regime-affiliated lawmaker",
)
MONTHS: tuple[str, ...] = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)
WEEKDAYS: tuple[str, ...] = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
GOODS: tuple[str, ...] = (
    "bread", "fuel", "cooking gas", "medicine", "sugar", "rice", "diesel", "electricity",
    "drinking water", "fertiliser", "heating oil", "wheat flour",
)
ORGS: tuple[str, ...] = (
    "the World Food Programme", "the Syrian Arab Red Crescent", "UNICEF", "the White Helmets",
    "the Syrian Network for Human Rights", "the UN refugee agency", "Doctors Without Borders",
    "the International Committee of the Red Cross", "the Syrian Observatory for Human Rights",
)


@dataclass(frozen=True)
class Theme:
    """A family of stories: its tags, actors, (headline, lede) templates and body sentences."""

    key: str
    tags: tuple[str, ...]
    actors: tuple[str, ...]
    stories: tuple[tuple[str, str], ...]
    sentences: tuple[str, ...]


THEMES: tuple[Theme, ...] = (
    Theme(
        "russia",
        ("russia",),
        ("Russian military police", "Russian forces", "the Russian Defence Ministry", "Moscow"),
        (
            ("Russia Deploys Military Police to {place}",
             "Russian military police began patrolling the roads leading into {place} on {weekday}"),
            ("Russian Strikes Hit Villages in the {region}",
             "Russian warplanes carried out dozens of strikes on villages in the {region} over the past day"),
            ("Moscow Proposes New Talks on {place}",
             "Moscow has proposed a new round of talks on the future of {place} and the {region}"),
            ("Russian Patrols Expand Toward {place}",
             "Russian forces have expanded their patrols toward {place} amid growing tension with local factions"),
            ("Lavrov Warns Against Escalation Around {place}",
             "Russian Foreign Minister Sergei Lavrov warned that any escalation around {place} would be met "
             "with force"),
            ("Russia Brokers Local Settlement in {place}",
             "A Russian-brokered settlement has come into force in {place} after weeks of negotiations"),
        ),
        (
            "Russian officers met local notables in {place} to discuss the return of state institutions.",
            "Moscow says its deployment in the {region} aims to secure supply routes.",
            "{actor} announced that {num} fighters had accepted the Russian-brokered settlement.",
            "Residents of {place} said Russian patrols had set up {num2} new checkpoints since {month}.",
            "The Russian Defence Ministry accused armed groups of violating the ceasefire {num2} times "
            "in a single day.",
            "Observers see the move as part of Moscow’s effort to consolidate its influence over the "
            "{region}.",
        ),
    ),
    Theme(
        "iran",
        ("iran",),
        ("Iranian-backed militias", "the Iranian Revolutionary Guard", "Tehran", "Hezbollah"),
        (
            ("Iranian Militias Expand Presence in {place}",
             "Iranian-backed militias have stepped up recruitment campaigns in {place} offering salaries "
             "of up to {num2}0 dollars a month"),
            ("Tehran Opens Cultural Centre in {place}",
             "Iran has opened a new cultural centre in {place} as part of its soft power campaign"),
            ("Iran-Backed Groups Recruit Young Men in the {region}",
             "Groups backed by Tehran are recruiting young men in the {region} with promises of "
             "protection from conscription"),
            ("Iranian Investment Plans for {place} Stir Concern",
             "Tehran is seeking to entrench its economic influence in {place} through new contracts"),
            ("Airstrikes Target Iranian Positions Near {place}",
             "Unidentified aircraft struck positions held by Iranian-backed groups near {place}"),
        ),
        (
            "Local sources in {place} said the militias were offering monthly salaries of {num2}0 dollars.",
            "The Iranian Revolutionary Guard has reportedly taken over {num2} buildings near the "
            "city centre.",
            "Tehran signed a memorandum on rebuilding {num2} power stations in the {region}.",
            "Residents accuse the groups of buying property in {place} through local intermediaries.",
            "{actor} has moved weapons depots closer to the {region}, according to opposition monitors.",
            "Iranian media described the projects as part of the reconstruction of Syria.",
        ),
    ),
    Theme(
        "turkey",
        ("turkey",),
        ("Turkish forces", "Turkish-backed factions", "Ankara", "the Syrian National Army"),
        (
            ("Turkey Reinforces Observation Posts Near {place}",
             "A Turkish military convoy carrying armoured vehicles reached an observation post near {place}"),
            ("Ankara Warns of Operation East of the Euphrates",
             "Ankara has warned that it will not wait long for the proposed safe zone east of the Euphrates"),
            ("Turkish-Backed Factions Clash in {place}",
             "Clashes broke out between Turkish-backed factions in {place} over checkpoint revenues"),
            ("Erdogan Talks Safe Zone Plans After Meeting in {place}",
             "Turkish President Recep Tayyip Erdogan discussed plans for a safe zone after a security "
             "meeting on {place}"),
            ("Turkish Convoy Enters {place} Countryside",
             "A Turkish military convoy entered the countryside of {place} on {weekday}"),
        ),
        (
            "The convoy included {num2} armoured vehicles and headed toward an observation post near "
            "{place}.",
            "Ankara says the safe zone should extend {num2} kilometres into Syrian territory.",
            "{actor} exchanged accusations over the control of crossings in the {region}.",
            "Turkish officials said {num} refugees could return once the zone is secured.",
            "The Syrian regime condemned the deployment as a violation of national sovereignty.",
        ),
    ),
    Theme(
        "gulf",
        ("saudi-arabia", "uae"),
        ("Saudi Arabia", "the United Arab Emirates", "Gulf investors", "Riyadh"),
        (
            ("UAE Delegation Visits Damascus Trade Fair",
             "An Emirati business delegation visited the Damascus International Fair in a sign of warming ties"),
            ("Saudi Aid Reaches Camps in the {region}",
             "Saudi aid has reached camps for displaced people in the {region}"),
            ("Gulf Capital Eyes Syrian Real Estate in {place}",
             "Gulf investors are reported to be studying real estate projects in {place}"),
            ("Riyadh Funds Tribal Councils in {place}",
             "Saudi Arabia has funded new projects for tribal councils in {place} and the {region}"),
            ("Emirati Businessmen Explore Deals in {place}",
             "A group of Emirati businessmen toured {place} to explore investment deals"),
        ),
        (
            "The delegation included representatives of {num2} companies working in construction and "
            "logistics.",
            "Riyadh’s support reportedly amounts to {num} thousand dollars for local services.",
            "{actor} has not commented officially on the reports.",
            "Analysts say Gulf states want a say in Syria’s reconstruction to balance Iranian influence.",
            "Tribal leaders in the {region} welcomed the funding but asked for transparency.",
        ),
    ),
    Theme(
        "economy",
        ("economy",),
        ("the Ministry of Internal Trade", "the Central Bank of Syria", "traders", "the government"),
        (
            ("Price of {good} Rises Sharply in {place}",
             "The price of {good} has risen by {pct} percent in {place} over the past weeks"),
            ("Syrian Pound Falls Against Dollar",
             "The Syrian pound lost more of its value against the US dollar on {weekday}, trading at "
             "{num2}0 pounds above the official rate"),
            ("Shortage of {good} Hits Markets in {place}",
             "Residents of {place} are queuing for hours to buy {good} amid a new shortage"),
            ("Government Raises Subsidised Price of {good}",
             "The government has raised the subsidised price of {good} for the second time this year"),
            ("Traders in {place} Protest New Customs Fees",
             "Traders in {place} closed their shops in protest against new customs fees"),
        ),
        (
            "A kilo of {good} now costs about {num} Syrian pounds in the markets of {place}.",
            "The Central Bank of Syria blamed speculators for the fall of the pound.",
            "Traders said the new customs fees had raised the cost of {good} by {pct} percent.",
            "{actor} promised to increase the quantities of {good} distributed through smart cards.",
            "Families in {place} say salaries no longer cover more than {num2} days of expenses.",
            "Economists expect prices of {good} to keep rising through {month}.",
        ),
    ),
    Theme(
        "humanitarian",
        ("refugees", "humanitarian"),
        ("aid agencies", "the United Nations", "local organisations", "camp administrators"),
        (
            ("Thousands Flee Fighting in the {region}",
             "More than {num} people have fled their homes in the {region} during the past week"),
            ("Aid Convoy Reaches {place} After Weeks of Delay",
             "An aid convoy of {num2} trucks reached {place} after weeks of negotiations"),
            ("Displaced Families Struggle in Camps Near {place}",
             "Displaced families in camps near {place} are bracing for winter without heating"),
            ("Refugees in Lebanon Face New Deportation Orders",
             "Syrian refugees in Lebanon face new deportation orders after a decision by the Higher "
             "Defence Council"),
            ("Schools in {place} Reopen Without Teachers",
             "Schools in {place} reopened for the new year with hundreds of teaching posts unfilled"),
        ),
        (
            "{org} said it had registered {num} newly displaced people since the start of {month}.",
            "Camp administrators near {place} warned of shortages of tents and {good}.",
            "The convoy carried food baskets, medicine and winter clothes for {num} families.",
            "{actor} called for safe corridors to allow civilians to leave the {region}.",
            "Teachers in {place} said classrooms were hosting more than {num2} pupils each.",
            "Many families have been displaced {num2} times since the war began.",
        ),
    ),
    Theme(
        "idleb",
        ("idleb", "hts"),
        ("Hayat Tahrir al-Sham", "the National Front for Liberation", "opposition factions",
         "the Salvation Government"),
        (
            ("Regime Forces Advance Toward {place}",
             "Regime forces backed by Russian air power advanced toward {place} after days of heavy "
             "bombardment"),
            ("HTS Imposes New Taxes on Traders in {place}",
             "Hayat Tahrir al-Sham has imposed new fees on traders crossing into {place}"),
            ("Opposition Factions Launch Counter-Attack in the {region}",
             "Opposition factions launched a counter-attack in the {region} on {weekday}"),
            ("Salvation Government Restricts Aid Work in {place}",
             "The Salvation Government has imposed new restrictions on aid organisations working in {place}"),
            ("Bombardment Empties Villages Near {place}",
             "Weeks of bombardment have emptied the villages around {place} of most of their residents"),
        ),
        (
            "{actor} said it had repelled {num2} attempts to advance on the southern front.",
            "Local activists documented {num2} airstrikes on villages around {place} in one day.",
            "Traders in {place} said the new fees added {pct} percent to the price of {good}.",
            "The Salvation Government denied the reports and accused the media of exaggeration.",
            "Civil defence teams pulled {num2} people from the rubble in the {region}.",
        ),
    ),
    Theme(
        "kurds",
        ("sdf", "kurds"),
        ("the Syrian Democratic Forces", "the Autonomous Administration", "Kurdish officials",
         "the US-led coalition"),
        (
            ("SDF Arrests Suspected ISIS Cell in {place}",
             "The Syrian Democratic Forces arrested members of a suspected ISIS cell in {place}"),
            ("Autonomous Administration Announces Elections in {place}",
             "The Autonomous Administration has announced local elections in {place} for the end of {month}"),
            ("Arab Tribes Protest SDF Conscription in the {region}",
             "Arab tribes in the {region} protested against conscription by the Autonomous Administration"),
            ("Coalition Delivers Equipment to SDF Near {place}",
             "The US-led coalition delivered new military equipment to SDF bases near {place}"),
            ("Kurdish Officials Meet Damascus Delegation in {place}",
             "Kurdish officials met a government delegation in {place} to discuss oil and services"),
        ),
        (
            "{actor} said the cell was planning attacks on checkpoints in the {region}.",
            "Tribal elders demanded the release of {num2} young men detained in recent raids.",
            "The coalition delivered {num2} trucks of equipment to bases near {place}.",
            "The talks touched on the sale of oil and wheat to the government in Damascus.",
            "Residents of {place} complained about the fall in the value of local salaries.",
        ),
    ),
    Theme(
        "regime",
        ("damascus", "assad"),
        ("the Syrian regime", "the security services", "the People’s Assembly", "the Baath Party"),
        (
            ("Security Services Arrest Returnees in {place}",
             "The security services arrested {num2} returnees in {place} despite earlier guarantees"),
            ("Assad Issues Decree on Local Administration",
             "Bashar al-Assad issued a decree reorganising local administration in the provinces"),
            ("Regime Recruits Reconciled Fighters in {place}",
             "The regime has begun recruiting reconciled fighters in {place} into the Fifth Corps"),
            ("Baath Party Holds Internal Elections in {place}",
             "The Baath Party held internal elections in {place} amid accusations of vote buying"),
            ("Property Law Threatens Absentee Owners in {place}",
             "A new property law threatens the homes of absentee owners in {place}"),
        ),
        (
            "Relatives of the detainees said they had no news of them {num2} weeks after the arrests.",
            "The decree gives governors new powers over budgets in the {region}.",
            "{actor} said the recruits would be deployed to the fronts in the {region}.",
            "Lawyers warn that the property law allows the seizure of homes whose owners are abroad.",
            "{official} described the measures as part of a return to normal life.",
        ),
    ),
    Theme(
        "diplomacy",
        ("constitutional-committee", "united-nations"),
        ("the United Nations", "the Astana guarantors", "the Constitutional Committee",
         "Western diplomats"),
        (
            ("Pedersen Meets Opposition Delegation on Constitutional Committee",
             "The UN envoy met members of the opposition negotiating body to discuss the Constitutional "
             "Committee"),
            ("Astana Guarantors Set Date for Next Round",
             "The Astana guarantors agreed to hold a new round of talks on Syria in {month}"),
            ("Western Diplomats Reject Normalisation With Damascus",
             "Western diplomats said there would be no reconstruction funding without a political process"),
            ("Geneva Talks Stall Over Committee Membership",
             "Talks in Geneva stalled over the names proposed for the civil society list of the committee"),
            ("UN Security Council Discusses Aid Crossings",
             "The UN Security Council discussed the renewal of cross-border aid deliveries into Syria"),
        ),
        (
            "{official} said that disagreements remained over {num2} names on the civil society list.",
            "The statement stressed the sovereignty, independence and territorial integrity of Syria.",
            "{actor} called on all parties to respect the ceasefire in the {region}.",
            "The Security Council is due to vote on renewing the cross-border mechanism in {month}.",
            "Opposition figures described the talks as a test of Russian seriousness.",
        ),
    ),
)

GENERIC_SENTENCES: tuple[str, ...] = (
    "The developments come as the humanitarian situation in the {region} continues to deteriorate.",
    "Activists in {place} reported that communications were cut for {num2} hours.",
    "{official} said on {weekday} that the situation was being closely monitored.",
    "It is not the first time that such measures have been taken in {place}.",
    "According to {org}, at least {num2} civilians were killed in the {region} during {month}.",
    "Local media said the road between {place} and {place2} had been closed since {weekday}.",
    "Residents fear that the escalation will lead to a new wave of displacement.",
    "No official statement has been issued by the authorities in {place2}.",
    "The price of {good} in {place2} has doubled since the beginning of the year.",
    "Sources close to the matter said negotiations were continuing behind closed doors.",
    "{org} urged all parties to protect civilians and civilian infrastructure.",
    "Observers link the move to the changing balance of power in the {region}.",
    "The decision was announced in a statement published on {weekday} evening.",
    "Several families from {place2} have already left for the border areas.",
    "Previous agreements on {place2} collapsed within weeks of being signed.",
    "{official} declined to comment on the reports when contacted.",
    "The incident was the {ordinal} of its kind in the area this year.",
    "Opposition websites circulated footage they said showed the aftermath in {place2}.",
    "Prices of {good} and {good2} have also been affected by the crisis.",
    "The authorities in {place2} promised to compensate those affected.",
    "Local councils said they lacked the funds to repair {num2} damaged schools.",
    "Human rights groups called for an independent investigation into the events in {place}.",
    "The move was welcomed by some residents while others expressed scepticism.",
    "Checkpoints on the roads to {place2} have been reinforced, witnesses said.",
    "Analysts expect the issue to be raised at the next round of talks in {month}.",
    "Electricity in {place2} is available for only {num2} hours a day.",
    "Farmers in the {region} complained that the harvest had been sold below cost.",
    "A similar incident took place in {place2} in {month} of last year.",
    "Medical sources said the only hospital in the area was operating at half capacity.",
    "Some {num} people live in the area, most of them displaced from other provinces.",
    "The media office of {org} published a statement on the situation in {place}.",
    "Young men in {place2} are increasingly seeking to leave the country.",
)

ORDINALS: tuple[str, ...] = ("second", "third", "fourth", "fifth", "sixth", "seventh")

NOTICES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Eid Holiday",
        (
            "The Syrian Observer will not publish from 11 to 14 August for the Eid al-Adha holiday. "
            "We wish all our readers a blessed Eid.",
            "Our daily coverage resumes on 15 August. The newsletter will be sent as usual.",
        ),
    ),
    (
        "Website Maintenance",
        (
            "The Syrian Observer website will be offline for scheduled maintenance on the night of "
            "{d1} {monthname}, between midnight and 4 am Damascus time.",
            "Subscribers will receive the morning briefing by email during the interruption. We "
            "apologise for any inconvenience.",
        ),
    ),
    (
        "A New Look for The Syrian Observer",
        (
            "From {d2} {monthname} readers will see a redesigned Syrian Observer, with clearer "
            "navigation by province and by actor and a faster mobile edition.",
            "Article addresses remain the same and the archive stays available. Please send "
            "comments on the new design to our editorial team.",
        ),
    ),
    (
        "Office Closure",
        (
            "The editorial office of The Syrian Observer is closed on {d1} {monthname} for a staff "
            "retreat. Breaking news will still be covered on our social media accounts.",
            "Regular publication of translated articles resumes the following morning.",
        ),
    ),
    (
        "Call for Translators",
        (
            "The Syrian Observer is looking for freelance translators from Arabic into English with "
            "experience in political and economic reporting.",
            "Applications with two samples of recent work are accepted until {d3} {monthname}. "
            "Short-listed candidates will be contacted within {n} days.",
        ),
    ),
    (
        "Newsletter Delivery Problems",
        (
            "Some subscribers did not receive our daily newsletter on {d1} {monthname} because of "
            "a problem with our mailing provider.",
            "The issue has been fixed and the missing editions were resent on {d2} {monthname}. "
            "Thank you for your patience and for reporting the problem.",
        ),
    ),
)
"""Site notices: short, unattributed, published in ``uncategorized`` (the first on EID_NOTICE_DATE)."""

EID_NOTICE_DATE = (2019, 8, 8)
"""The Eid notice is published a few days before Eid al-Adha 2019 (11 August)."""

HAPPY_EID = (
    "Happy Eid",
    (
        "The team of The Syrian Observer wishes all its readers a happy Eid and peace for Syria "
        "and its people.",
        "Publication pauses for the holiday and resumes with the daily briefing next week.",
    ),
)
"""The oldest notice, kept at its pre-id URL ``/foreign-actors/happy_eid.html``."""

COLUMNISTS: tuple[str, ...] = (
    "Mamoun Jaabari", "Rania Khoury", "Samer al-Ahmad", "Lina Haddad", "Omar Sheikho",
)
"""Bylines of commentary pieces (the site's own staff author is ``The Syrian Observer``)."""


def _fill(template: str, rng: random.Random, slots: dict[str, str]) -> str:
    """Fill a template, drawing fresh values for the per-use slots."""
    values = dict(slots)
    values["num"] = f"{rng.randint(2, 95) * 100 + rng.randint(0, 99):,}"
    values["num2"] = str(rng.randint(3, 60))
    values["pct"] = str(rng.randint(8, 70))
    values["weekday"] = rng.choice(WEEKDAYS)
    values["month"] = rng.choice(MONTHS)
    values["ordinal"] = rng.choice(ORDINALS)
    values["good2"] = rng.choice(GOODS)
    values["official"] = rng.choice(OFFICIALS)
    values["org"] = rng.choice(ORGS)
    values["place2"] = rng.choice(PLACES)
    text = template.format(**values)
    return text[0].upper() + text[1:]


def story_slots(theme: Theme, rng: random.Random) -> dict[str, str]:
    """The fixed slots of one story: its place, region, actor and good."""
    return {
        "place": rng.choice(PLACES),
        "region": rng.choice(REGIONS),
        "actor": rng.choice(theme.actors),
        "good": rng.choice(GOODS),
    }


def headline_and_lede(theme: Theme, rng: random.Random, slots: dict[str, str]) -> tuple[str, str]:
    """A headline (title case, as the site writes them) and its lede, without attribution or full stop."""
    title, lede = rng.choice(theme.stories)
    title_slots = {**slots, "good": slots["good"].title(), "region": _title_case(slots["region"])}
    return _fill(title, rng, title_slots), _fill(lede, rng, slots)


def _title_case(text: str) -> str:
    """Capitalize words of a slot used in a headline, leaving particles (of, the, al-) alone."""
    small = {"of", "the", "and", "in"}
    return " ".join(w if w in small or w.startswith("al-") else w[0].upper() + w[1:] for w in text.split())


def body_paragraphs(theme: Theme, rng: random.Random, slots: dict[str, str], count: int) -> list[str]:
    """``count`` paragraphs of two to four sentences, theme sentences mixed with generic ones."""
    pool = list(theme.sentences) + list(GENERIC_SENTENCES)
    picked = rng.sample(pool, min(len(pool), count * 3 + 2))
    paragraphs: list[str] = []
    for _ in range(count):
        size = rng.randint(2, 4)
        chunk, picked = picked[:size], picked[size:]
        if not chunk:
            chunk = [rng.choice(GENERIC_SENTENCES)]
        paragraphs.append(" ".join(_fill(s, rng, slots) for s in chunk))
    return paragraphs
