"""Scripts written without spaces: by default a near-duplicate in Chinese, Japanese or Thai is found like
one in English, and two different articles on one topic are both kept."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from dedupe.cli import main
from dedupe.near import tokens

ZH = (
    "本市地铁五号线今天上午正式开通运营，全长二十八公里，共设二十二座车站。线路从北部的科技园区出发，经过老城区和火车站，"
    "一直延伸到南郊的大学城。市交通局负责人在开通仪式上表示，这条线路建成后，从北到南的通勤时间将由原来的一个半小时缩短到"
    "四十分钟左右。为了方便乘客换乘，五号线与已经运营的一号线、三号线分别在人民广场站和火车站实现同站换乘。开通初期，列车"
    "高峰时段的发车间隔为四分钟，平峰时段为七分钟，首班车六点发出，末班车二十三点发出。票价按里程计算，起步价两元，最高不"
    "超过八元。不少市民一大早就赶到车站排队，希望成为第一批乘客。一位在大学城工作的老师说，以前每天开车上班要在路上堵很久，"
    "现在终于可以坐地铁了。"
)
ZH_EDITED = (
    ZH.replace("今天上午", "今日上午").replace("不少市民", "许多市民").replace("工作的老师", "任教的老师")
    + "（记者 王明）"
)
ZH_OTHER = (
    "经过四年建设，连接城市东西两端的地铁二号线昨天迎来首批乘客。这条线路全长三十五公里，设车站二十六座，其中换乘站五座。"
    "据地铁公司介绍，二号线采用六节编组的列车，每列最多可载客一千八百人，最高运行速度为每小时八十公里。开通后，从西部的"
    "机场到东部的会展中心只需要五十分钟，比乘坐公交车节省了一半以上的时间。工作日早晚高峰期间，列车最小间隔为三分三十秒。"
    "地铁公司提醒乘客，开通首周客流较大，请提前规划出行时间，并注意站内的引导标识。沿线居民对新线路的开通普遍表示欢迎，"
    "一位住在机场附近的市民说，过去进城一趟要转两次车，现在一条线就能直达。"
)

JA = (
    "市立図書館の新しい本館が来月一日に開館することが決まった。駅前の再開発地区に建てられた五階建ての建物で、蔵書数は"
    "これまでの約二倍にあたる六十万冊となる。一階には子ども向けの絵本コーナーとカフェが設けられ、親子で気軽に立ち寄れる"
    "空間を目指したという。二階から四階は一般書と専門書の閲覧室で、窓際には静かに勉強できる個人席が百二十席用意される。"
    "最上階には市の歴史を紹介する展示室があり、江戸時代の古地図や明治期の写真などが公開される予定だ。開館時間は午前九時"
    "から午後九時までで、これまでより二時間長くなる。館長は記者会見で「仕事帰りの人にも利用してもらえるよう、夜の時間帯の"
    "運営に力を入れたい」と話した。"
)
JA_EDITED = JA.replace("決まった", "決定した").replace("気軽に", "気楽に").replace("と話した", "と語った")
JA_OTHER = (
    "隣町に完成した県立図書館の分館を訪ねた。木材をふんだんに使った平屋の建物で、天井が高く、館内には柔らかな自然光が"
    "差し込む。蔵書は約十五万冊と決して多くはないが、地元の農業や郷土料理に関する資料が充実しているのが特徴だ。中央の"
    "閲覧スペースには大きな机が並び、平日の午後でも高校生や年配の利用者の姿が目立った。司書の女性によると、開館から半年で"
    "利用登録者は八千人を超え、当初の目標を大きく上回ったという。週末には読み聞かせの会や古本の交換会が開かれ、地域の人々"
    "が集まる場所にもなっている。駐車場が狭いことが課題とされており、県は来年度に拡張工事を行う方針だ。"
)

TH = (
    "กรมอุตุนิยมวิทยาประกาศว่าประเทศไทยได้เข้าสู่ฤดูฝนอย่างเป็นทางการแล้วตั้งแต่วันนี้ "
    "โดยคาดว่าปริมาณฝนในปีนี้จะสูงกว่าค่าเฉลี่ยประมาณร้อยละสิบ โดยเฉพาะในพื้นที่ภาคเหนือและภาคตะวันออกเฉียงเหนือ "
    "เจ้าหน้าที่แนะนำให้ประชาชนที่อาศัยอยู่ใกล้แม่น้ำและพื้นที่ลุ่มติดตามข่าวสารอย่างใกล้ชิด และเตรียมขนย้ายสิ่งของไว้ในที่สูง "
    "ส่วนเกษตรกรควรวางแผนการเพาะปลูกให้สอดคล้องกับปริมาณน้ำ นอกจากนี้ "
    "กรุงเทพมหานครได้เตรียมเครื่องสูบน้ำเพิ่มเติมอีกกว่าสองร้อยเครื่องเพื่อรับมือกับน้ำท่วมขังในเขตเมือง "
    "และขอความร่วมมือประชาชนไม่ทิ้งขยะลงในท่อระบายน้ำ"
)
TH_EDITED = TH.replace("ตั้งแต่วันนี้", "ตั้งแต่วันจันทร์นี้").replace("ประมาณร้อยละสิบ", "ราวร้อยละสิบ").replace("สองร้อย", "สามร้อย")
TH_OTHER = (
    "ฝนที่ตกหนักต่อเนื่องตลอดคืนที่ผ่านมาทำให้ถนนหลายสายในจังหวัดเชียงใหม่มีน้ำท่วมสูง รถยนต์ขนาดเล็กไม่สามารถสัญจรผ่านได้ "
    "ผู้ว่าราชการจังหวัดได้ลงพื้นที่ตรวจสอบสถานการณ์ตั้งแต่เช้ามืด และสั่งการให้หน่วยงานที่เกี่ยวข้องเร่งระบายน้ำออกจากชุมชน "
    "ชาวบ้านริมแม่น้ำปิงบางส่วนต้องย้ายไปพักที่ศูนย์อพยพชั่วคราวซึ่งตั้งอยู่ในโรงเรียนใกล้เคียง "
    "อาสาสมัครได้นำอาหารและน้ำดื่มมาแจกจ่ายให้ผู้ประสบภัย ทางจังหวัดคาดว่าระดับน้ำจะเริ่มลดลงภายในสองถึงสามวัน "
    "หากไม่มีฝนตกหนักซ้ำอีก"
)

ARTICLES = {"zh": (ZH, ZH_EDITED, ZH_OTHER), "ja": (JA, JA_EDITED, JA_OTHER), "th": (TH, TH_EDITED, TH_OTHER)}


def _run(tmp_path, texts: dict[str, str], *extra: str) -> tuple[list[str], dict[str, dict]]:
    """``dedupe run`` at its defaults: the kept ids and the removal log by id."""
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": k, "text": v}, ensure_ascii=False) + "\n" for k, v in texts.items()))
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["run", str(src), "-o", str(out), "-q", *extra], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    kept = [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()]
    log = tmp_path / "out.removed.jsonl"
    removed = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []
    return kept, {r["id"]: r for r in removed}


@pytest.mark.parametrize("lang", sorted(ARTICLES))
def test_an_edited_copy_is_found_and_another_article_kept(tmp_path, lang: str) -> None:
    article, edited, other = ARTICLES[lang]
    assert len(article) >= 250 and article != edited and len(other) >= 250
    kept, removed = _run(tmp_path, {"article": article, "edited": edited, "other": other})
    assert kept == ["article", "other"]
    assert removed["edited"]["step"] == "near" and removed["edited"]["duplicate_of"] == "article"
    assert 0.8 <= removed["edited"]["similarity"] < 1


@pytest.mark.parametrize("lang", sorted(ARTICLES))
def test_char_shingles_still_find_them(tmp_path, lang: str) -> None:
    article, edited, other = ARTICLES[lang]
    kept, removed = _run(tmp_path, {"article": article, "edited": edited, "other": other}, "--shingle", "char")
    assert kept == ["article", "other"] and removed["edited"]["duplicate_of"] == "article"


def test_mixed_text_tokens() -> None:
    assert tokens("Apple发布了新iPhone") == ["apple", "发", "布", "了", "新", "iphone"]
    assert tokens("東京タワーは333メートル。") == ["東", "京", "タ", "ワ", "ー", "は", "333", "メ", "ー", "ト", "ル"]


@pytest.mark.parametrize(
    ("script", "text"),
    [
        ("Han", "中文"),
        ("CJK compatibility ideographs", "\uf900\ufa30"),
        ("Hiragana", "ひらがな"),
        ("Katakana", "カタカナ"),
        ("halfwidth Katakana", "ｶﾀｶﾅ"),
        ("Thai", "ภาษา"),
        ("Lao", "ພາສາ"),
        ("Khmer", "ភាសា"),
        ("Myanmar", "မြန်မာ"),
    ],
)
def test_every_character_of_a_spaceless_script_is_a_token(script: str, text: str) -> None:
    # Combining marks (Thai vowel signs, Myanmar's medials and asat) are not \w: no token, as in any script.
    assert tokens("x" + text + "y") == ["x", *(c for c in text if c.isalnum()), "y"], script


@pytest.mark.parametrize("text", ["서울은 한국의 수도입니다", "Zürich STRASSE", "Москва", "Αθήνα", "القاهرة", "हिन्दी"])
def test_other_scripts_tokenise_as_before(text: str) -> None:
    assert tokens(text) == re.findall(r"\w+", text.lower())
