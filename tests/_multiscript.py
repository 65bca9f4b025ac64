"""Generated news-like articles in several scripts, with edited copies (no external data).

Each script has a list of real words written here (function words, news
vocabulary, words with the combining marks that used to split words) and a
larger synthetic vocabulary built from the script's own characters, so that
two independently generated articles share about as little as two unrelated
news stories do. Sentences are joined the way the script joins them: Chinese,
Japanese and Thai without spaces between words (Thai separates sentences
with a space, Chinese and Japanese end them with 。), Urdu with the full stop
``۔``, Russian and English with ". ".

Used by ``bench/scripts.py`` (duplicate and passage recall per script) and by
the regression tests of the text pipeline.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable

# ---------------------------------------------------------------- Chinese
_ZH_CHARS = (
    "国家政府经济发展市场企业公司银行金融贸易出口进口价格增长下降投资资金项目计划会议报告记者表示认为指出宣布强调发布"
    "部门地区城市农村农业工业科技技术创新教育学校学生医院医疗卫生健康环境保护能源电力交通铁路公路机场港口建设工程"
    "安全法律法院警方案件调查委员代表人民社会文化体育旅游消费需求供应生产产品服务网络数据平台系统管理改革政策制度"
    "税收财政预算支出收入就业工资家庭住房土地水利气候天气降雨洪水地震灾害救援国际合作关系外交总统总理部长主席领导"
)
_ZH_WORDS = (
    "国务院 外交部 发言人 财政部 国家统计局 商务部 专家 记者 市政府 研究人员 代表团 委员会 "
    "经济增长 出口数据 粮食价格 能源政策 货币政策 基础设施 环境保护 就业形势 房地产 科技创新 贸易谈判 公共卫生 "
    "进一步 继续 明显 大幅 稳定 积极 全面 持续 上周 今年 去年 本月 昨天 近日 表示 宣布 指出 强调 发布 报道"
).split()
_ZH_FUNCTION = list("的了在是和与对将也都") + ["已经", "目前", "其中", "同时", "因此"]

# ---------------------------------------------------------------- Japanese
_JA_KANJI = (
    "政府首相経済発表会議東京市場価格輸出企業社長記者会見調査結果予算対策地域住民学校病院警察事故台風地震選挙国会法案"
    "議論昨年今年来年大臣外務省財務省銀行金融貿易輸入増加減少投資資金計画報告表明強調説明関係協力安全技術開発研究環境"
)
_JA_KATA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン"
_JA_WORDS = (
    "政府 首相 経済 発表 会議 東京 市場 価格 輸出 企業 社長 記者会見 調査 予算 対策 地域 住民 台風 地震 選挙 国会 "
    "ニュース エネルギー システム データ サービス インターネット スマートフォン プロジェクト コスト"
).split()
_JA_PARTICLES = ["は", "が", "を", "に", "で", "と", "の", "も", "から", "まで", "について", "によると"]
_JA_ENDINGS = ["と述べた", "と発表した", "を明らかにした", "が行われた", "している", "した", "する方針だ", "とみられる"]

# ---------------------------------------------------------------- Thai
_TH_CONSONANTS = "กขคงจฉชซญดตถทธนบปผพฟภมยรลวศสหอฮ"
_TH_ABOVE_BELOW = ["", "", "\u0e31", "\u0e34", "\u0e35", "\u0e38", "\u0e39", "\u0e36"]
_TH_FOLLOW = ["", "", "\u0e32", "\u0e33"]
_TH_LEADING = ["", "", "", "\u0e40", "\u0e41", "\u0e42", "\u0e44"]
_TH_TONES = ["", "", "", "\u0e48", "\u0e49"]
_TH_WORDS = (
    "รัฐบาล ประเทศ เศรษฐกิจ นายกรัฐมนตรี กล่าว วันนี้ ราคา ข้าว น้ำมัน ตลาด ส่งออก ธนาคาร นโยบาย กระทรวง การค้า "
    "เพิ่มขึ้น ลดลง ร้อยละ ล้าน บาท ประชาชน นักท่องเที่ยว โรงเรียน โรงพยาบาล ตำรวจ ศาล เลือกตั้ง พรรค สภา กฎหมาย ภาษี "
    "พลังงาน ไฟฟ้า น้ำท่วม ภาคเหนือ กรุงเทพ"
).split()
_TH_FUNCTION = "การ ของ ที่ และ ใน ได้ จะ มี เป็น ว่า ให้ ไม่ กับ แล้ว ผู้ ความ".split()

# ---------------------------------------------------------------- Urdu (Arabic script)
_UR_LETTERS = "ابپتٹثجچحخدڈذرڑزسشصضطظعغفقکگلمنوہیے"
_UR_WORDS = (
    "حکومت وزیر اعظم پاکستان معیشت قیمت بجلی پانی عوام اسمبلی عدالت فیصلہ رپورٹ اخبار شہر لاہور کراچی تعلیم صحت "
    "بینک تجارت برآمدات آبادی اعلی\u0670 ادنی\u0670 عیسی\u0670 موسی\u0670 ا\u0653ج ا\u0653ئندہ ا\u0653بادی"
).split()
_UR_FUNCTION = "ہے ہیں کے کی کا میں نے کو سے اور پر یہ وہ ایک کہا".split()

# ---------------------------------------------------------------- Russian
_RU_LETTERS = "абвгдежзийклмнопрстуфхцчшщыьэюя"
_RU_WORDS = (
    "правительство министр президент экономика рынок цены нефть экспорт банк заявил сообщил во вторник "
    "переговоры соглашение страны компания рост снижение бюджет налоги выборы суд полиция"
).split()
_RU_FUNCTION = "и в не на что с по как к из о за от для это".split()

# ---------------------------------------------------------------- English
_EN_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_EN_WORDS = (
    "government minister president economy market prices oil exports bank said announced tuesday talks agreement "
    "countries company growth decline budget taxes election court police"
).split()
_EN_FUNCTION = "the a of to in and on for that with as by at from was is it".split()


@dataclass(frozen=True)
class Script:
    """How to make words and sentences of one script, and how it joins them."""

    name: str
    make_word: Callable[[random.Random], str]
    function_words: list[str]
    sentence: Callable[[random.Random, "Script"], str]
    sentence_sep: str  # between sentences of a paragraph

    def vocabulary(self, size: int = 2500, seed: int = 11) -> list[str]:
        rng = random.Random(f"{self.name}-{seed}")
        words: set[str] = set()
        while len(words) < size:
            words.add(self.make_word(rng))
        return sorted(words)


def _pick(rng: random.Random, pool: str, lo: int, hi: int) -> str:
    return "".join(rng.choice(pool) for _ in range(rng.randint(lo, hi)))


def _thai_syllable(rng: random.Random) -> str:
    final = rng.choice(["", "", "น", "ง", "ม", "ก", "ด", "ย"])
    return rng.choice(_TH_LEADING) + rng.choice(_TH_CONSONANTS) + rng.choice(_TH_ABOVE_BELOW) + rng.choice(_TH_TONES) + rng.choice(_TH_FOLLOW) + final


def _urdu_word(rng: random.Random) -> str:
    word = _pick(rng, _UR_LETTERS, 3, 6)
    if rng.random() < 0.08:  # superscript alef, as in اعلیٰ
        word += "\u0670"
    if rng.random() < 0.05:  # alef with maddah written as alef + U+0653
        word = "ا\u0653" + word
    return word


_VOCAB_CACHE: dict[str, list[str]] = {}


def _vocab(script: Script) -> list[str]:
    if script.name not in _VOCAB_CACHE:
        _VOCAB_CACHE[script.name] = script.vocabulary()
    return _VOCAB_CACHE[script.name]


def _content(rng: random.Random, script: Script, real: list[str]) -> str:
    return rng.choice(real) if rng.random() < 0.25 else rng.choice(_vocab(script))


def _zh_sentence(rng: random.Random, script: Script) -> str:
    clauses = []
    for _ in range(rng.randint(2, 3)):
        parts = []
        for _ in range(rng.randint(4, 8)):
            parts.append(rng.choice(_ZH_FUNCTION) if rng.random() < 0.3 else _content(rng, script, _ZH_WORDS))
        clauses.append("".join(parts))
    return "，".join(clauses) + "。"


def _ja_sentence(rng: random.Random, script: Script) -> str:
    clauses = []
    for _ in range(rng.randint(2, 3)):
        parts = []
        for _ in range(rng.randint(2, 4)):
            parts.append(_content(rng, script, _JA_WORDS) + rng.choice(_JA_PARTICLES))
        clauses.append("".join(parts))
    return "、".join(clauses) + _content(rng, script, _JA_WORDS) + rng.choice(_JA_ENDINGS) + "。"


def _th_sentence(rng: random.Random, script: Script) -> str:
    return "".join(
        rng.choice(_TH_FUNCTION) if rng.random() < 0.3 else _content(rng, script, _TH_WORDS) for _ in range(rng.randint(8, 14))
    )


def _spaced_sentence(real: list[str], function: list[str], stop: str, capitalise: bool) -> Callable[[random.Random, Script], str]:
    def make(rng: random.Random, script: Script) -> str:
        words = [rng.choice(function) if rng.random() < 0.3 else _content(rng, script, real) for _ in range(rng.randint(10, 20))]
        if capitalise:
            words[0] = words[0].capitalize()
        return " ".join(words) + stop

    return make


SCRIPTS: dict[str, Script] = {
    s.name: s
    for s in (
        Script("chinese", lambda r: _pick(r, _ZH_CHARS, 2, 3), _ZH_FUNCTION, _zh_sentence, ""),
        Script(
            "japanese",
            lambda r: _pick(r, _JA_KANJI, 2, 2) if r.random() < 0.7 else _pick(r, _JA_KATA, 3, 5),
            _JA_PARTICLES,
            _ja_sentence,
            "",
        ),
        Script("thai", lambda r: "".join(_thai_syllable(r) for _ in range(r.randint(1, 3))), _TH_FUNCTION, _th_sentence, " "),
        Script("urdu", _urdu_word, _UR_FUNCTION, _spaced_sentence(_UR_WORDS, _UR_FUNCTION, "۔", False), " "),
        Script("russian", lambda r: _pick(r, _RU_LETTERS, 3, 9), _RU_FUNCTION, _spaced_sentence(_RU_WORDS, _RU_FUNCTION, ".", True), " "),
        Script("english", lambda r: _pick(r, _EN_LETTERS, 3, 9), _EN_FUNCTION, _spaced_sentence(_EN_WORDS, _EN_FUNCTION, ".", True), " "),
    )
}


def sentences(script: Script, rng: random.Random, n: int) -> list[str]:
    return [script.sentence(rng, script) for _ in range(n)]


def article(script: Script, sents: list[str], per_paragraph: int = 4) -> str:
    """Sentences joined into paragraphs (blank line between paragraphs)."""
    paras = [script.sentence_sep.join(sents[i : i + per_paragraph]) for i in range(0, len(sents), per_paragraph)]
    return "\n\n".join(paras)


def small_edits(script: Script, rng: random.Random, sents: list[str], edits: int) -> list[str]:
    """``edits`` small edits, each in a different sentence: a word replaced, inserted or dropped.

    A "word" here is a vocabulary word the generator put there, found by
    searching for it; in unspaced scripts that is the only way to find one.
    """
    out = list(sents)
    vocab = _vocab(script)
    targets = rng.sample(range(len(out)), min(edits, len(out)))
    for i in targets:
        s = out[i]
        present = [w for w in rng.sample(vocab, 400) if w in s] or [w for w in script.function_words if w in s]
        new = rng.choice(vocab)
        op = rng.random()
        if not present:
            out[i] = new + s
            continue
        old = rng.choice(present)
        if op < 0.4:
            out[i] = s.replace(old, new, 1)
        elif op < 0.7:
            out[i] = s.replace(old, "", 1) if script.sentence_sep == "" or script.name == "thai" else s.replace(old + " ", "", 1)
        else:
            joiner = "" if script.name in ("chinese", "japanese", "thai") else " "
            out[i] = s.replace(old, old + joiner + new, 1)
    return out


def passage_pair(script: Script, rng: random.Random) -> tuple[str, str, tuple[int, int], tuple[int, int]]:
    """Two unrelated articles sharing a passage of 5 sentences (one word edited in the copy).

    The passage is a paragraph of its own in the first article and runs on
    inside a paragraph of the second. Returns both texts and the passage's
    true ``[start, end)`` in each.
    """
    sep = script.sentence_sep
    shared = sentences(script, rng, 5)
    copied = small_edits(script, rng, shared, 1)
    before_a, after_a = sentences(script, rng, 6), sentences(script, rng, 6)
    before_b, after_b = sentences(script, rng, 4), sentences(script, rng, 8)
    a_head = article(script, before_a) + "\n\n"
    a_text = a_head + sep.join(shared) + "\n\n" + article(script, after_a)
    b_head = article(script, before_b) + sep
    b_text = b_head + sep.join(copied) + sep + sep.join(after_b)
    a_span = (len(a_head), len(a_head) + len(sep.join(shared)))
    b_span = (len(b_head), len(b_head) + len(sep.join(copied)))
    return a_text, b_text, a_span, b_span
