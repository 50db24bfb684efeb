"""How data/store-v7.sqlite3 and data/store-v7.json were made: run once with studydeck at
schema v7 (commit 060903d): ``PYTHONPATH=<that checkout> python3 make_store_v7.py tests/data``.
It cannot run on later code (the store it makes must be v7's); kept as the record of what
the files hold. (The JSON was then laid out one review, state or undo per line.)"""

import json
import random
import shutil
import sqlite3
import sys
from dataclasses import asdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

from studydeck.config import Settings
from studydeck.loading import open_deck
from studydeck.stats import compute
from studydeck.store import Store
from studydeck.store.schema import SCHEMA_VERSION

assert SCHEMA_VERSION == 7
out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
TZ = timezone(timedelta(hours=8))
START = datetime(2026, 1, 5, 9, 0, tzinfo=TZ)
HEADER = "| 年份 | 论文 | 关键词 | 核心贡献 | 图 | 笔记 |\n| :- | :- | :- | :- | :- | :- |\n"
kws = ["vision", "audio", "graphs"]
rows = [
    f"| {2015 + i % 8} | Paper {i} on things | {kws[i % 3]}, {kws[(i + 1) % 3]} | contribution {i} | | 笔记。问题：不足 {i} |"
    for i in range(12)
]
notes = out / "notes.md"
notes.write_text("# 论文阅读\n\n" + HEADER + "\n".join(rows) + "\n", encoding="utf-8")
db = out / "store-v7.sqlite3"
for p in out.glob("store-v7.sqlite3*"):
    p.unlink()
rnd = random.Random(8)
with Store.open(db) as store:
    deck, _ = open_deck(store, [notes], START)
    ids = [c.id for c in deck.cards]
    for day in range(12):
        now0 = START + timedelta(days=day)
        for n, cid in enumerate(rnd.sample(ids, 10)):
            now = now0 + timedelta(minutes=n)
            a = store.record_answer(
                cid, rnd.choice([0, 2, 3, 4, 4, 5]), now=now, today=now.date(), duration_ms=1000 + n
            )
            if rnd.random() < 0.2:  # a same-day repeat
                store.record_answer(
                    cid,
                    rnd.choice([3, 4, 5]),
                    now=now + timedelta(seconds=30),
                    today=now.date(),
                    repeat=True,
                )
            if rnd.random() < 0.08:
                store.undo(a.review_id, now + timedelta(seconds=40)) if not a.repeat else None
        if day == 3:
            store.bury(ids[0], (now0 + timedelta(days=2)).date(), now=now0)
        if day == 5:
            store.set_suspended(ids[1], True, now=now0)
        if day == 9:
            store.send_to_review(ids[2:5], (now0 + timedelta(days=1)).date())
    today = (START + timedelta(days=12)).date()
    with store.transaction() as c:
        c.execute("DELETE FROM deck_cache")
    store._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    stats = asdict(compute(store, deck, today, Settings()))
    states = {
        k: [
            s.sm2.repetitions,
            s.sm2.easiness,
            s.sm2.interval,
            s.sm2.due.isoformat() if s.sm2.due else None,
            s.lapses,
            s.suspended,
            s.leech,
            s.buried_until.isoformat() if s.buried_until else None,
        ]
        for k, s in sorted(store.states().items())
    }
    reviews = store.tuples(
        "SELECT r.id, c.card_id, r.at, r.day, r.quality, r.duration_ms, r.repeat, r.was_new, r.event_id FROM reviews r JOIN cards c USING (cid) ORDER BY r.id"
    )
    # each card's last answer undone (on a copy): the state v7's undo restores
    last = store.tuples(
        "SELECT max(r.id), c.card_id FROM reviews r JOIN cards c USING (cid) GROUP BY r.cid ORDER BY c.card_id"
    )
sqlite3.connect(db).execute("VACUUM").connection.close()
undone = {}
for rid, cid in last:
    tmp = out / "copy.sqlite3"
    for p in out.glob("copy.sqlite3*"):
        p.unlink()
    shutil.copy(db, tmp)
    with Store.open(tmp) as s:
        assert s.undo(rid, START + timedelta(days=12)) == cid

        def lst(st):
            return [
                st.sm2.repetitions,
                st.sm2.easiness,
                st.sm2.interval,
                st.sm2.due.isoformat() if st.sm2.due else None,
                st.lapses,
                st.suspended,
                st.leech,
                st.buried_until.isoformat() if st.buried_until else None,
            ]

        was = lst(s.state(cid))
        s.rebuild()  # what v7's own log says the state is after the undo
        undone[cid] = [rid, was, lst(s.state(cid))]
for p in out.glob("copy.sqlite3*"):
    p.unlink()
(out / "store-v7.json").write_text(
    json.dumps(
        {
            "today": today.isoformat(),
            "stats": stats,
            "states": states,
            "reviews": reviews,
            "undone": undone,
        },
        ensure_ascii=False,
        indent=0,
        sort_keys=True,
    )
    + "\n",
    encoding="utf-8",
)
print(len(reviews), "reviews", len(undone), "undos", db.stat().st_size, "bytes")
