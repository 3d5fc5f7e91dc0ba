"""The demo world's content: a fictional Norwegian employer and ten weeks of public talk about it.

Everything is generated deterministically (fixed seed) from the hand-written sentence material in
``material/material.yaml`` and the articles in ``material/news.yaml``. Times are stored as *hours before the
anchor*; :func:`build_content` turns them into datetimes for a given anchor (default: now), so the ten
weeks always end "now". Ids never depend on the anchor, so re-crawling a world started later finds
the same mentions (with shifted times) instead of new ones.

The model is platform-neutral (a forest of :class:`Post`, ``posts.py``); the ``formats`` package
renders it in each platform's real wire format. Texts come from ``writer.py``, ids from ``ids.py``;
this module decides who says what, where and when (threads, replies and their delays, reviews).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from pipeline.demo.ids import assign_ids
from pipeline.demo.posts import (
    ASPECTS,
    LANGS,
    MASTODON_INSTANCE,
    OFFICIAL,
    SPAN_HOURS,
    Article,
    Content,
    Post,
)
from pipeline.demo.writer import Writer, material, news_material


class Gen:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.w = Writer(self.rng)
        self.posts: dict[str, list[Post]] = {}
        self.counter = 0

    # people ---------------------------------------------------------------------------------------
    def user(self, platform: str, lang: str) -> str:
        name = self.w.pick(material()["people"][lang])
        first, _, last = name.partition(" ")
        r = self.rng
        n = r.randint(1, 99)
        simple = (first + last).lower()
        for a, b in (("å", "aa"), ("ø", "o"), ("æ", "ae"), ("ö", "o"), ("ä", "a")):
            simple = simple.replace(a, b)
        if platform == "reddit":
            return r.choice([f"{first.lower()}_{n}", f"{simple}{n}", f"Throwaway{last}{n}"])
        if platform == "hackernews":
            return r.choice([f"{first.lower()}{n}", f"{last.lower()}_{first[0].lower()}"])
        if platform == "mastodon":
            inst = r.choice(["snabel.example", "fedi.example.no", "toot.example.se", "mstdn.example.dk"])
            return f"{first.lower()}{n}@{inst}" if inst != MASTODON_INSTANCE else f"{first.lower()}{n}"
        if platform == "bluesky":
            return f"{simple}.bsky.social" if r.random() < 0.7 else f"{first.lower()}{n}.bsky.social"
        if platform == "instagram":
            return f"{simple}_{n}"
        if platform == "linkedin":
            return name
        if platform == "web":
            return r.choice([f"{first}{n}", f"{last}_{first[0]}", first.lower() + str(n)])
        return name

    # time -----------------------------------------------------------------------------------------
    def root_time(self) -> float:
        # slightly more recent activity than uniform, so this week always has content
        u = self.rng.random()
        return 3 + (SPAN_HOURS - 6) * (u**1.15)

    def delay(self, speed: str) -> float:
        r = self.rng
        if speed == "fast":
            return r.uniform(0.2, 2.0)
        if speed == "medium":
            return r.uniform(3.0, 22.0)
        if speed == "slow":
            return r.uniform(40.0, 160.0)
        return r.uniform(0.3, 30.0)  # ordinary users

    # posting --------------------------------------------------------------------------------------
    def add(self, platform: str, parent: Post | None, author: str, official: bool, hours_ago: float,
            text: str, lang: str, kind: str, **kw: Any) -> Post | None:
        if hours_ago < 0.05:  # would be in the future: not (yet) written
            return None
        self.counter += 1
        p = Post(
            key=f"{platform[:2]}{self.counter}",
            platform=platform,
            thread=parent.thread if parent else "",
            parent=parent.key if parent else None,
            author=author,
            official=official,
            hours_ago=hours_ago,
            text=text,
            lang=lang,
            kind=kind,
            **kw,
        )
        if not parent:
            p.thread = p.key
        self.posts.setdefault(platform, []).append(p)
        return p

    def reply(self, platform: str, parent: Post | None, author: str, official: bool, after: float,
              text: str, lang: str, kind: str, **kw: Any) -> Post | None:
        if parent is None:
            return None
        return self.add(platform, parent, author, official, parent.hours_ago - after, text, lang, kind, **kw)

    def official_reply(self, platform: str, to: Post | None, lang: str, aspect: str, quality: str,
                       speed: str, attach: Post | None = None) -> Post | None:
        """The company answers ``to`` (attached under ``attach`` if given, e.g. on flat platforms)."""
        if to is None:
            return None
        if quality == "good":
            text, rlang = self.w.reply_good(lang, aspect, full=self.rng.random() < 0.7), lang
            kind = "reply_good"
        else:
            style = self.rng.choice(["defensive", "templated", "wrong_language", "superlative"])
            text, rlang = self.w.reply_poor(lang, style)
            kind = "reply_poor"
        when = to.hours_ago - self.delay(speed)
        return self.add(platform, attach or to, OFFICIAL[platform], True, when, text, rlang, kind,
                        aspect=aspect, extra={"style": quality, "speed": speed, "answers": to.key})

    def lang(self, weights: dict[str, float]) -> str:
        langs = list(weights)
        return self.rng.choices(langs, weights=[weights[x] for x in langs])[0]

    # scenarios for searched platforms (reddit, hackernews, mastodon, bluesky, web forum) ---------
    def searched_thread(self, platform: str, lang: str, scenario: str, flat: bool = False) -> None:
        r, w = self.rng, self.w
        u = lambda: self.user(platform, lang)  # noqa: E731
        t0 = self.root_time()
        aspect = r.choice(ASPECTS)
        speed = r.choice(["fast", "fast", "medium", "medium", "slow"])

        def followup(critic: Post | None, answer: Post | None, good: bool) -> None:
            if critic is None or answer is None or r.random() > 0.65:
                return
            kind = "followup_ok" if good else "followup_bad"
            self.reply(platform, critic if flat else answer, critic.author, False, self.delay("user"),
                       w.simple(kind.replace("_ok", "_mollified").replace("_bad", "_unhappy"), lang, False), lang, kind)

        if scenario == "praise":
            root = self.add(platform, None, u(), False, t0, w.simple("praise", lang, True), lang, "praise",
                            mentions_company=True)
            for _ in range(r.randint(0, 2)):
                self.reply(platform, root, u(), False, self.delay("user"), w.simple("praise", lang, False), lang, "praise")
        elif scenario == "neutral":
            root = self.add(platform, None, u(), False, t0, w.simple("neutral", lang, True), lang, "neutral",
                            mentions_company=True)
            for _ in range(r.randint(1, 3)):
                kind = r.choice(["neutral", "praise", "neutral"])
                self.reply(platform, root, u(), False, self.delay("user"), w.simple(kind, lang, False), lang, kind)
        elif scenario == "job":
            official = r.random() < 0.5
            self.add(platform, None, OFFICIAL[platform] if official else u(), official, t0,
                     w.simple("job", lang, True), lang, "job", mentions_company=True)
        elif scenario in ("crit_none", "crit_good", "crit_poor"):
            root = self.add(platform, None, u(), False, t0, w.criticism(lang, aspect, True), lang, "criticism",
                            aspect=aspect, mentions_company=True)
            if r.random() < 0.5:
                self.reply(platform, root, u(), False, self.delay("user"), w.simple("agree", lang, False), lang, "agree")
            if scenario != "crit_none":
                good = scenario == "crit_good"
                ans = self.official_reply(platform, root, lang, aspect, "good" if good else "poor", speed)
                followup(root, ans, good)
        elif scenario == "crit_deep":
            # the criticism is a comment in someone else's thread; the company answers it at depth 2+
            root = self.add(platform, None, u(), False, t0, w.simple("neutral", lang, True), lang, "neutral",
                            mentions_company=True)
            self.reply(platform, root, u(), False, self.delay("user"), w.simple("praise", lang, False), lang, "praise")
            critic = self.reply(platform, root, u(), False, self.delay("user"), w.criticism(lang, aspect, False),
                                lang, "criticism", aspect=aspect)
            agree = self.reply(platform, critic, u(), False, self.delay("user"), w.simple("agree", lang, False),
                               lang, "agree")
            good = r.random() < 0.6
            where = critic if flat else (agree if agree and r.random() < 0.4 else critic)
            ans = self.official_reply(platform, critic, lang, aspect, "good" if good else "poor", speed, attach=where)
            followup(critic, ans, good)
        elif scenario == "crit_other":
            # the company answers another user's comment under the critic's post
            root = self.add(platform, None, u(), False, t0, w.criticism(lang, aspect, True), lang, "criticism",
                            aspect=aspect, mentions_company=True)
            other = self.reply(platform, root, u(), False, self.delay("user"), w.simple("agree", lang, False),
                               lang, "agree")
            good = r.random() < 0.7
            ans = self.official_reply(platform, other, lang, aspect, "good" if good else "poor", speed,
                                      attach=root if flat else None)
            followup(root, ans, good)
        elif scenario == "exclude":
            texts = material()["exclude"]
            elang = lang if lang in texts else "nb"
            self.add(platform, None, u(), False, t0, w.fill(w.pick(texts[elang]), elang), elang, "exclude")
        elif scenario == "filler":
            texts = material()["filler"]
            flang = lang if lang in texts else "nb"
            self.add(platform, None, u(), False, t0, w.fill(w.pick(texts[flang]), flang), flang, "filler")

    SCENARIOS: ClassVar[dict[str, float]] = {"praise": 3, "neutral": 3, "job": 1.5, "crit_none": 2.5, "crit_good": 2.5, "crit_poor": 2,
                 "crit_deep": 1.5, "crit_other": 1.2, "exclude": 0.8, "filler": 0.8}

    def searched_platform(self, platform: str, n: int, weights: dict[str, float], flat: bool = False,
                          scenarios: dict[str, float] | None = None) -> None:
        sc = scenarios or self.SCENARIOS
        names = list(sc)
        # make sure every scenario occurs at least once, then draw the rest
        plan = names + self.rng.choices(names, weights=[sc[x] for x in names], k=max(0, n - len(names)))
        for i, scenario in enumerate(plan):
            lang = self.lang(weights) if i >= len(LANGS) or len(weights) < len(LANGS) else LANGS[i]
            if lang not in weights:
                lang = self.lang(weights)
            self.searched_thread(platform, lang, scenario, flat=flat)

    # company channels (linkedin, facebook, instagram) ---------------------------------------------
    def channel_platform(self, platform: str, n_posts: int, weights: dict[str, float]) -> None:
        r, w = self.rng, self.w
        posts_material = material()["channel_posts"]
        for _ in range(n_posts):
            plang = self.lang({k: v for k, v in weights.items() if k in posts_material})
            root = self.add(platform, None, OFFICIAL[platform], True, self.root_time(),
                            w.fill(w.pick(posts_material[plang]), plang), plang, "channel", mentions_company=True)
            if root is None:
                continue
            for _ in range(r.randint(2, 6)):
                lang = self.lang(weights)
                aspect = r.choice(ASPECTS)
                kind = r.choices(["praise", "neutral", "criticism"], weights=[3, 2, 3])[0]
                text = w.criticism(lang, aspect, False) if kind == "criticism" else w.simple(kind, lang, False)
                c = self.reply(platform, root, self.user(platform, lang), False, r.uniform(0.3, 60), text, lang, kind,
                               aspect=aspect if kind == "criticism" else None)
                if c is None:
                    continue
                if kind == "criticism":
                    agree = None
                    if r.random() < 0.35:
                        agree = self.reply(platform, c, self.user(platform, lang), False, self.delay("user"),
                                           w.simple("agree", lang, False), lang, "agree")
                    roll = r.random()
                    if roll < 0.25:
                        continue  # never answered
                    good = roll < 0.7
                    speed = r.choice(["fast", "medium", "medium", "slow"])
                    # flat replies: everything under the top-level comment
                    ans = self.official_reply(platform, agree if agree and r.random() < 0.3 else c, lang, aspect,
                                              "good" if good else "poor", speed, attach=c)
                    if ans is not None and r.random() < 0.6:
                        kind2 = "followup_ok" if good else "followup_bad"
                        f = self.reply(platform, ans, c.author, False, self.delay("user"),
                                       w.simple("followup_mollified" if good else "followup_unhappy", lang, False),
                                       lang, kind2)
                        if f is not None:  # keep it flat: under the top-level comment
                            f.parent = c.key
                elif kind == "neutral" and r.random() < 0.6:
                    self.official_reply(platform, c, lang, r.choice(ASPECTS), "good", r.choice(["fast", "medium"]),
                                        attach=c)

    # reviews (trustpilot, web employer reviews) ----------------------------------------------------
    def review_platform(self, platform: str, n: int, weights: dict[str, float], edits: int) -> None:
        r, w = self.rng, self.w
        titles = material()["review_titles"]
        edited = 0
        for _ in range(n):
            lang = self.lang(weights)
            rating = r.choices([1, 2, 3, 4, 5], weights=[3, 2.5, 1.5, 2, 2.5])[0]
            aspect = r.choice(ASPECTS)
            if rating <= 2:
                text, kind = w.criticism(lang, aspect, False), "criticism"
            elif rating == 3:
                text = w.join(w.simple("neutral", lang, False), w.pick(material()["criticism"][lang][aspect]))
                kind = "neutral"
            else:
                text, kind = w.simple("praise", lang, r.random() < 0.5), "praise"
            review = self.add(platform, None, self.user(platform, lang), False, self.root_time(), text, lang, kind,
                              title=w.pick(titles[rating][lang]), rating=rating,
                              aspect=aspect if rating <= 3 else None, mentions_company=True)
            if review is None:
                continue
            answer_p = 0.6 if rating <= 2 else 0.3
            if r.random() < answer_p:
                good = r.random() < (0.65 if rating <= 2 else 0.9)
                speed = r.choice(["fast", "medium", "medium", "slow", "slow"])
                if good or rating <= 3:
                    ans = self.official_reply(platform, review, lang, aspect, "good" if good else "poor", speed)
                else:  # a terse thank-you, in Norwegian or English whatever the reviewer wrote
                    ans = self.add(platform, review, OFFICIAL[platform], True, review.hours_ago - self.delay(speed),
                                   "Tusen takk! 🙏" if lang in ("nb", "nn") else "Thank you! 🙏", lang, "reply_good")
                if ans is not None and rating <= 2 and edited < edits and ans.hours_ago > 30:
                    review.edited_hours_ago = ans.hours_ago - r.uniform(5, 28)
                    review.text = w.join(review.text, material()["review_update"][lang])
                    edited += 1


# --------------------------------------------------------------------------------------------------


def _articles(rng: random.Random) -> list[Article]:
    nm = news_material()
    out = []
    bylines = ["Anne Kristine Fjeld", "Per Olav Rønning", "Lisa Ström", "Søren Kragh", "Hannah Price"]
    for i, a in enumerate(nm["articles"]):
        pub = nm["publishers"][a["publisher"]]
        out.append(Article(
            key=f"n{i}", publisher=a["publisher"], publisher_name=pub["name"], lang=pub["lang"], slug=a["slug"],
            title=a["title"], lead=a["lead"], body=list(a["body"]), tone=a["tone"], aspect=a.get("aspect"),
            company=a.get("company", True), hours_ago=4 + (SPAN_HOURS - 8) * rng.random() ** 1.1,
            author=bylines[i % len(bylines)],
        ))
    out.sort(key=lambda a: -a.hours_ago)
    return out


ALL_LANGS = {"nb": 4, "nn": 1.2, "sv": 1.5, "da": 1.2, "en": 1.5}


def generate(seed: int = 2026) -> tuple[dict[str, list[Post]], list[Article]]:
    """The anchor-free content (hours before the anchor)."""
    g = Gen(seed)
    g.searched_platform("reddit", 24, ALL_LANGS)
    g.searched_platform("hackernews", 10, {"en": 6, "nb": 1, "sv": 0.5},
                        scenarios={"neutral": 2, "crit_none": 2, "crit_good": 1, "crit_poor": 1, "crit_deep": 2,
                                   "crit_other": 1, "praise": 1, "job": 1, "exclude": 0.5})
    g.searched_platform("mastodon", 22, {"nb": 3, "nn": 1.5, "en": 1.5, "sv": 0.7, "da": 0.5})
    g.searched_platform("bluesky", 22, {"nb": 2.5, "sv": 1.5, "da": 1.5, "en": 1.5, "nn": 0.5})
    g.review_platform("trustpilot", 48, {"nb": 4, "sv": 1.5, "da": 1.5, "en": 1.2, "nn": 0.8}, edits=3)
    g.searched_platform("web", 5, {"nb": 2, "sv": 1, "da": 1},
                        scenarios={"crit_good": 1, "crit_deep": 1, "crit_none": 1, "neutral": 1, "crit_poor": 1})
    g.review_platform("web", 16, {"nb": 3, "nn": 1, "sv": 1, "da": 1, "en": 1}, edits=0)
    g.channel_platform("linkedin", 10, {"nb": 3, "en": 2, "sv": 1, "da": 0.7, "nn": 0.5})
    g.channel_platform("facebook", 11, {"nb": 4, "nn": 1.5, "sv": 0.5, "da": 0.5, "en": 0.5})
    g.channel_platform("instagram", 9, {"nb": 3, "en": 2, "sv": 0.7, "da": 0.7, "nn": 0.5})
    assign_ids(g.posts, seed)
    return g.posts, _articles(random.Random(seed + 1))


def build_content(anchor: datetime | None = None, seed: int = 2026) -> Content:
    """The demo content with real times: ten weeks ending at ``anchor`` (default: the start of the
    current UTC hour). The default is floored so that two runs within the hour serve byte-identical
    pages (a news byline shows its minute): a second crawl then finds nothing changed to re-score."""
    anchor = (anchor or datetime.now(UTC).replace(minute=0, second=0)).astimezone(UTC).replace(microsecond=0)
    posts, articles = generate(seed)
    for ps in posts.values():
        for p in ps:
            p.created = anchor - timedelta(hours=p.hours_ago)
            p.edited = anchor - timedelta(hours=p.edited_hours_ago) if p.edited_hours_ago is not None else None
    for a in articles:
        a.created = anchor - timedelta(hours=a.hours_ago)
    return Content(anchor=anchor, posts=posts, articles=articles, seed=seed)
