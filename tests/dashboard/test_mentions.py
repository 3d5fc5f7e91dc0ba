"""The Mentions page: word search and filters over a real snapshot (the query and the page), the full
text and the thread of an opened mention, and the CSV/XLSX export of the full rows."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from dashboard import export
from pipeline.store import queries
from pipeline.store.db import connect_writer, utcnow
from pipeline.store.queries.mentions import MentionFilter, search_mentions
from pipeline.store.snapshot import publish_snapshot
from tests.dashboard.world import app, build
from tests.factories import m


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    now = utcnow()
    data = build(tmp_path_factory.mktemp("mentions"), now)
    long_text = "=HYPERLINK(\"http://x\") " + "Lang tekst om lønn og turnus. " * 20  # > 140 characters
    con = connect_writer(data)
    try:
        from tests.factories import load

        load(con, [m("long", author="-lise", text=long_text, p_negative=0.8, aspects=["pay"], at=now - pd.Timedelta(
            hours=2))])
        publish_snapshot(con, data)
    finally:
        con.close()
    return data, now, long_text


def search(data, **kw):
    since, until = queries.read_snapshot(data.snapshot, queries.default_window, utcnow().date())
    return queries.read_snapshot(data.snapshot, search_mentions, since, until, None, MentionFilter(**kw))


def test_search_words_in_any_order_and_filters(world):
    data, _, _ = world
    total, rows = search(data, text="LØNNA sent")  # case-insensitive, every word, word parts
    assert total == 2 and set(rows["author"]) == {"ola", "acme_no"}  # the criticism and the company's reply
    assert search(data, text="sent lønna")[0] == 2
    assert search(data, text="lønna bergen")[0] == 0
    assert search(data, text="100%")[0] == 0  # % is a character, not a wildcard
    assert set(search(data, language="nn")[1]["author"]) == {"nils"}
    assert set(search(data, sentiment="positive")[1]["author"]) == {"siri", "acme_no", "ola"}  # p1, r1, f1
    assert set(search(data, aspect="management")[1]["author"]) == {"ola", "per"}
    crit, rows = search(data, criticism=True)
    assert crit == 8 and rows["is_criticism"].all()
    assert set(search(data, criticism=True, answered=True)[1]["author"]) == {"ola", "kari", "Gunnar", "Stig"}
    assert set(search(data, criticism=True, answered=False)[1]["author"]) == {"per", "nils",
                                                                              "urn:li:person:AbC123", "-lise"}


def test_page_search_opens_the_full_text_and_thread(world, monkeypatch):
    data, _, long_text = world
    at = app(data.root, monkeypatch).run()
    at.switch_page("views/mentions.py").run()
    assert not at.exception
    assert "omtaler passer" in " ".join(md.value for md in at.markdown)
    at.text_input(key="m_text").set_value("lønna").run()
    table = at.dataframe[0].value
    assert len(table) == 3 and set(table["Kilde"]) == {"Reddit", "LinkedIn"}
    assert "medlem (navn ikke oppgitt)" in set(table["Forfatter"])  # never the raw URN
    at.text_input(key="m_text").set_value("lønna sent").run()
    assert len(at.dataframe[0].value) == 2
    at.selectbox(key="m_criticism").set_value(True).run()
    assert list(at.dataframe[0].value["Forfatter"]) == ["ola"]
    at.selectbox(key="m_criticism").set_value(None).run()
    at.text_input(key="m_text").set_value("lang tekst").run()
    table = at.dataframe[0].value
    assert len(table) == 1 and table["Utdrag"].iloc[0].endswith("…")  # the table shows an excerpt
    # open it: the full text (escaped, not a link or a formula)
    at.session_state["m_open"] = int(search(data, text="lang tekst")[1]["id"].iloc[0])
    at.run()
    assert not at.exception
    shown = " ".join(md.value for md in at.markdown).replace("\\", "")
    assert long_text.strip() in shown
    at.text_input(key="m_text").set_value("finnes ikke noe sted").run()
    assert "Ingen omtaler passer" in at.info[0].value


def test_export_has_the_full_rows_in_the_readers_words(world):
    data, _, long_text = world
    total, rows = search(data, text="lang tekst")
    table = export.export_table(rows, "nb", lambda ts: pd.Timestamp(ts).strftime("%d.%m.%Y %H:%M"))
    assert total == 1
    row = table.iloc[0]
    assert row["Tekst"] == "'" + long_text  # the whole text, a leading = kept inert
    assert row["Forfatter"] == "'-lise" and row["Tema"] == "Lønn" and row["Kritikk"] == "Ja"
    assert row["Sentiment"] == "Negativ" and row["Kilde"] == "Reddit"

    csv = export.to_csv(table, "nb").decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("ID;Publisert;Kilde") and ("Lang tekst om lønn og turnus. " * 20).strip() in csv
    book = openpyxl.load_workbook(io.BytesIO(export.to_xlsx(table, "Omtaler")))
    sheet = book["Omtaler"]
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("Tekst") + 1)
    assert cell.data_type == "s" and cell.value == "'" + long_text  # a string, never a formula

    en = export.export_table(rows, "en", str)
    assert list(en.columns[:3]) == ["ID", "Published", "Source"] and en.iloc[0]["Topics"] == "Pay"
    assert export.to_csv(en, "en").decode("utf-8").splitlines()[0].startswith("ID,Published,Source")


def test_every_row_is_exported_not_just_the_page(world):
    data, _, _ = world
    total, first_page = search(data)
    since, until = queries.read_snapshot(data.snapshot, queries.default_window, utcnow().date())
    _, everything = queries.read_snapshot(data.snapshot, search_mentions, since, until, None, MentionFilter(),
                                          limit=None)
    _, small = queries.read_snapshot(data.snapshot, search_mentions, since, until, None, MentionFilter(), limit=3)
    assert len(everything) == total == len(first_page) and len(small) == 3
    assert list(small["id"]) == list(everything["id"][:3])  # newest first in both
