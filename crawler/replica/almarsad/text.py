"""Al-Marsad's fixed texts: sections, tags, the people who sign its stories, and every line of page chrome.

What a clean extraction must leave out (cookie notice, share and follow calls, "read also" boxes,
the newsletter box, related and most-read lists, the footer) is here, so a test can look
for each of these strings in stored text.  None of them occurs in :mod:`crawler.replica.almarsad.corpus`.
"""

from __future__ import annotations

SITE_NAME = "المرصد"
TAGLINE = "أخبار سوريا والمشرق العربي على مدار الساعة"

SECTIONS: dict[str, str] = {
    "politics": "سياسة",
    "economy": "اقتصاد",
    "field": "ميدان",
    "society": "مجتمع",
    "opinion": "رأي",
}
"""Section slug -> name, in menu order."""

TAGS: dict[str, str] = {
    "syria": "سوريا", "iran": "إيران", "russia": "روسيا", "turkey": "تركيا", "un": "الأمم المتحدة",
    "refugees": "اللاجئون", "economy": "الاقتصاد السوري", "lira": "الليرة السورية", "hts": "هيئة تحرير الشام",
    "sdf": "قسد", "aid": "المساعدات الإنسانية", "health": "الصحة", "education": "التعليم", "water": "المياه",
    "elections": "الانتخابات", "detainees": "المعتقلون", "earthquake": "الزلزال", "fuel": "المحروقات",
}
"""Tag slug -> name for theme tags; place tags are named after the place."""

STAFF: tuple[str, ...] = (
    "أحمد الخطيب", "سارة العلي", "محمد الحمصي", "ليلى حداد", "رامي سويد", "هبة العمر", "عمر الشامي",
    "نور الهدى إبراهيم",
)
"""Reporters; a news story carries one or two of them, or the desk line only."""
COLUMNISTS: tuple[str, ...] = ("عبد الرحمن الحاج", "مي الصالح", "فايز الأسمر")
"""Bylines of the opinion section (always exactly one)."""
DESK_LINE = "المرصد - خاص"
"""The byline of an unsigned story: the desk, not a person (authors: none)."""

SOURCES: tuple[str, ...] = ("عنب بلدي", "الشرق الأوسط", "وكالة سانا", "تلفزيون سوريا")
"""Outlets a republished story names on its closing source line (``المصدر: ...``)."""

COOKIE_TEXT = "يستخدم موقع المرصد ملفات تعريف الارتباط لتحسين تجربتك وقياس عدد الزوار."
COOKIE_BUTTON = "موافق"
SHARE_LABEL = "شارك"
SHARE_BUTTONS: tuple[str, ...] = ("فيسبوك", "تويتر", "واتساب", "تلغرام")
READ_ALSO = "اقرأ أيضاً:"
NEWSLETTER_TITLE = "اشترك في النشرة البريدية"
NEWSLETTER_TEXT = "احصل على أهم أخبار سوريا والمنطقة كل صباح في بريدك الإلكتروني."
NEWSLETTER_BUTTON = "اشترك الآن"
FOLLOW_LINE = "تابعونا على قناتنا في تلغرام وصفحتنا على فيسبوك"
RELATED_HEADING = "مقالات ذات صلة"
MOST_READ_HEADING = "الأكثر قراءة"
TAGS_LABEL = "الوسوم:"
FOOTER_ABOUT = "المرصد موقع إخباري مستقل يغطي الشأن السوري من دمشق وبيروت وغازي عنتاب."
FOOTER_RIGHTS = "جميع الحقوق محفوظة © المرصد"
AD_LABEL = "إعلان"
PHOTO_CREDIT = "الصورة: أرشيف المرصد"

CHROME_PHRASES: tuple[str, ...] = (
    TAGLINE, COOKIE_TEXT, SHARE_LABEL + ":", READ_ALSO, NEWSLETTER_TITLE, NEWSLETTER_TEXT, NEWSLETTER_BUTTON,
    FOLLOW_LINE, RELATED_HEADING, MOST_READ_HEADING, TAGS_LABEL, FOOTER_ABOUT, FOOTER_RIGHTS, PHOTO_CREDIT,
    "اقرأ أيضاً", "المصدر:", DESK_LINE,
)
"""Chrome (and label) texts of an article page: none may appear in a stored article's text."""
