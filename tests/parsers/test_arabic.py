"""Arabic helpers of the generic extractor: dates in both month systems and digit systems, bylines, furniture."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from crawler.parsers.arabic import is_furniture, parse_arabic_date, source_line
from crawler.parsers.authors import clean_authors
from crawler.parsers.dates import parse_date

DAMASCUS = ZoneInfo("Asia/Damascus")
LEVANTINE = ("كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول", "تشرين الأول",
             "تشرين الثاني", "كانون الأول")
EGYPTIAN = ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر",
            "ديسمبر")
INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@pytest.mark.parametrize("month", range(1, 13))
def test_every_month_in_both_systems_and_both_digit_systems(month: int) -> None:
    want = datetime(2024, month, 21, 14, 5, tzinfo=DAMASCUS).astimezone(UTC)
    for name in (LEVANTINE[month - 1], EGYPTIAN[month - 1]):
        text = f"21 {name} 2024 - 14:05"
        assert parse_date(text, default_tz=DAMASCUS) == want, text
        assert parse_date(text.translate(INDIC), default_tz=DAMASCUS) == want, text.translate(INDIC)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("الثلاثاء، ٥ آذار ٢٠٢٤ - ٢:٣٠ م", datetime(2024, 3, 5, 11, 30, tzinfo=UTC)),  # p.m., Damascus +3
        ("5 مارس 2024 الساعة 9:10 ص", datetime(2024, 3, 5, 6, 10, tzinfo=UTC)),
        ("٥ آذار (مارس) ٢٠٢٤", datetime(2024, 3, 4, 21, 0, tzinfo=UTC)),  # both names, midnight local
        ("١٢ كانون الثاني ٢٠٢٢ ١٢:٠٠", datetime(2022, 1, 12, 10, 0, tzinfo=UTC)),  # Damascus was UTC+2 in 2022
        ("12 أيار 2022 12:00", datetime(2022, 5, 12, 9, 0, tzinfo=UTC)),  # ... and UTC+3 in summer
        ("٠٥/٠٣/٢٠٢٤", datetime(2024, 3, 4, 21, 0, tzinfo=UTC)),  # day first
        ("آخر تحديث: 5/3/2024 02:30 م (بتوقيت مكة المكرمة)", datetime(2024, 3, 5, 11, 30, tzinfo=UTC)),
        ("١٥ أغسطس ٢٠٢٢ ٠٨:٠٥ بتوقيت القاهرة", datetime(2022, 8, 15, 6, 5, tzinfo=UTC)),  # the text's zone wins
        ("12 جانفي 2023 - 10:15 GMT+1", datetime(2023, 1, 12, 9, 15, tzinfo=UTC)),
    ],
)
def test_arabic_dates_in_the_sites_zone_or_the_one_they_name(text: str, want: datetime) -> None:
    assert parse_date(text, default_tz=DAMASCUS) == want


@pytest.mark.parametrize(
    "text", ["منذ ساعتين", "قبل 3 ساعات", "أمس 14:30", "الثلاثاء", "٢٤ شعبان ١٤٤٥ هـ", "31 شباط 2024"]
)
def test_relative_hijri_and_impossible_dates_are_refused(text: str) -> None:
    assert parse_date(text, default_tz=DAMASCUS) is None


def test_without_a_zone_the_wall_time_is_read_as_utc() -> None:
    assert parse_arabic_date("٥ آذار ٢٠٢٤ ١٤:٣٠") == datetime(2024, 3, 5, 14, 30)
    assert parse_date("٥ آذار ٢٠٢٤ ١٤:٣٠") == datetime(2024, 3, 5, 14, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("بقلم: أحمد خالد", ["أحمد خالد"]),
        ("بقلم:ليلى حسن", ["ليلى حسن"]),
        ("كتبت: أميرة عبد الحليم", ["أميرة عبد الحليم"]),
        ("إعداد: سامي نصر الله ونادين خوري", ["سامي نصر الله", "نادين خوري"]),
        ("بقلم أحمد خالد و سارة علي", ["أحمد خالد", "سارة علي"]),
        ("رامي سويد، هبة محمد", ["رامي سويد", "هبة محمد"]),
        ("بقلم: علي حسين الجبوري - بغداد", ["علي حسين الجبوري"]),
        ("كتب: محمد العبدالله - ٥ آذار ٢٠٢٤", ["محمد العبدالله"]),
        ("د. منى الحسيني", ["منى الحسيني"]),
        ("بقلم عبد الله وليد حسن", ["عبد الله وليد حسن"]),  # وليد is a name, not "and ليد"
        ("فريق التحرير", []),
        ("المحرر", []),
        ("وكالات", []),
        ("By Jane Doe and John Roe", ["Jane Doe", "John Roe"]),  # Latin bylines as before
    ],
)
def test_arabic_bylines(raw: str, want: list[str]) -> None:
    assert clean_authors([raw]) == want


@pytest.mark.parametrize(
    "line",
    ["اقرأ أيضاً: الأسد يستقبل وفداً إيرانياً", "إقرأ أيضا", "مقالات ذات صلة", "أخبار ذات صلة", "شارك", "شارك المقال",
     "شارك على فيسبوك", "تابعنا على تويتر", "تابعونا على قناتنا في تلغرام", "اشترك في النشرة البريدية",
     "احصل على أهم الأخبار في بريدك الإلكتروني كل صباح.", "الأكثر قراءة", "الوسوم: سوريا، حلب", "إعلان",
     "جميع الحقوق محفوظة © 2024", "الصورة: أرشيف", "الخميس ٥ تشرين الأول ٢٠٢٣ - الساعة ٠٨:٣٠ صباحاً",
     "نشر في: ١٢ آذار ٢٠٢٤", "للمزيد من الأخبار اضغط هنا", "بقلم: أحمد خالد"],
)
def test_arabic_furniture_lines(line: str) -> None:
    assert is_furniture(line)


@pytest.mark.parametrize(
    "line",
    ["قال الرئيس إن الحل سياسي.", "وتابع الوزير حديثه عن خطة الحكومة لإعادة الإعمار في المدن المدمرة.",
     "شارك آلاف المتظاهرين في مسيرة وسط المدينة يوم الجمعة.", "وكتب الناشط على صفحته أن الأوضاع تتدهور.",
     "شارك في المؤتمر عشرات الخبراء من دول المنطقة.", "سجل الجيش تقدماً في ريف حلب بعد اشتراك الطيران.",
     "تابع الرئيس", "Share this story"],
)
def test_article_sentences_are_not_furniture(line: str) -> None:
    assert not is_furniture(line)


def test_source_lines() -> None:
    assert source_line("المصدر: عنب بلدي") == "عنب بلدي"
    assert source_line("(المصدر: وكالة سانا)") == "وكالة سانا"
    assert source_line("وقال المصدر: إن القوات انسحبت من المنطقة بعد اشتباكات عنيفة استمرت ساعات.") is None
