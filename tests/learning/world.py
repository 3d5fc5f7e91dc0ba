"""A tiny company world for the correction-loop tests: our own mentions (written for these tests) in
the import format, with the label a careful HR reader would give each, and a data dir whose models/
reuses the installed base but keeps its own versions/ and features/ (never the shared install's).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INSTALLED_MODELS = ROOT / "data" / "models"

# (external_id, parent external_id or None, text, label)
MENTIONS: list[tuple[str, str | None, str, str]] = [
    ("p1", None, "Fjordkraft Bygg is hiring twenty carpenters in Bergen this spring.", "neutral"),
    ("m1", None, "Ledelsen i Fjordkraft Bygg lyttet aldri, jeg sluttet etter tre måneder.", "negative"),
    ("m2", None, "Lønna kom for sent igjen denne måneden hos Fjordkraft Bygg. Helt uholdbart.", "negative"),
    ("m3", None, "Fjordkraft Bygg ignored every safety complaint we raised on the site.", "negative"),
    ("m4", None, "Turnusen hos Fjordkraft Bygg knekker folk, ingen orker å bli der.", "negative"),
    ("m5", None, "Worst onboarding I have ever had, nobody at Fjordkraft Bygg knew I was starting.", "negative"),
    ("m6", None, "Sjefen min i Fjordkraft Bygg kjefter på lærlingene foran kundene.", "negative"),
    ("m7", None, "They promised overtime pay at Fjordkraft Bygg and never paid a single hour.", "negative"),
    ("m8", None, "Fjordkraft Bygg har flyttet hovedkontoret til Sandviken.", "neutral"),
    ("m9", None, "Fjordkraft Bygg publishes its annual report on Thursday.", "neutral"),
    ("m10", None, "Hvor mange ansatte har Fjordkraft Bygg i Trondheim nå?", "neutral"),
    ("m11", None, "Fjordkraft Bygg opened a new office in Stavanger last week.", "neutral"),
    ("m12", None, "Fjordkraft Bygg har fått ny personaldirektør fra første mars.", "neutral"),
    ("m13", None, "The interview at Fjordkraft Bygg is scheduled for Monday at ten.", "neutral"),
    ("m14", None, "Fjordkraft Bygg er med på jobbmessen i Tromsø i år.", "neutral"),
    ("m15", None, "Beste arbeidsplassen jeg har hatt, Fjordkraft Bygg tar vare på folka sine.", "positive"),
    ("m16", None, "My manager at Fjordkraft Bygg really supports my growth, great team.", "positive"),
    ("m17", None, "Fantastisk kollegaer og god lønn hos Fjordkraft Bygg, anbefales!", "positive"),
    ("m18", None, "Fjordkraft Bygg gave me proper training and a fair contract, very happy here.", "positive"),
    ("m19", None, "Trives veldig godt i Fjordkraft Bygg, fleksibel arbeidstid og gode sjefer.", "positive"),
    ("m20", None, "Fjordkraft Bygg paid for my certification, I am grateful.", "positive"),
    ("m21", None, "Så glad for at jeg begynte i Fjordkraft Bygg, endelig en arbeidsgiver som bryr seg.", "positive"),
    ("r1", "p1", "Hope the pay is better than last year, Fjordkraft Bygg still owes me for June.", "negative"),
    ("r2", "p1", "Søkte i fjor, fikk aldri svar fra Fjordkraft Bygg.", "negative"),
    ("r3", "p1", "Great news, my brother loves working at Fjordkraft Bygg.", "positive"),
    ("r4", "p1", "Is the application deadline for Fjordkraft Bygg in April?", "neutral"),
    ("m22", None, "Fjordkraft Bygg sier opp femti ansatte, og ingen fikk beskjed på forhånd.", "negative"),
    ("m23", None, "Fjordkraft Bygg is moving its warehouse to Ås in May.", "neutral"),
    ("m24", None, "Takk til Fjordkraft Bygg for en flott sommerjobb!", "positive"),
    ("m25", None, "Ingen ved Fjordkraft Bygg svarer på mail om feriepengene mine.", "negative"),
    ("m26", None, "Fjordkraft Bygg's new parental leave policy is generous and clear.", "positive"),
    ("m27", None, "Fjordkraft Bygg holder allmøte for alle ansatte på fredag.", "neutral"),
]
WRONG = {"negative": "positive", "positive": "negative", "neutral": "negative"}


def write_import(path: Path) -> Path:
    """The mentions as an import file (SPEC §3): one source, replies under p1, all of the last week
    (inside the dashboard's default window, whatever day the test runs)."""
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=7)
    with path.open("w", encoding="utf-8") as f:
        for i, (eid, parent, text, _label) in enumerate(MENTIONS):
            f.write(json.dumps({"source": "forum", "external_id": eid, "parent_id": parent,
                                "thread_id": parent or eid, "author": f"user{i}",
                                "published_at": (start + timedelta(hours=5 * i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                                "text": text}, ensure_ascii=False) + "\n")
    return path


def private_models_dir(data_dir: Path) -> Path:
    """`data_dir/models` as a real directory linking the installed base and ONNX graphs entry by entry,
    so versions/ and features/ written by a test stay in the test's data dir."""
    models = data_dir / "models"
    if models.is_symlink():
        models.unlink()
    models.mkdir(parents=True, exist_ok=True)
    for entry in INSTALLED_MODELS.iterdir():
        if entry.name not in ("versions", "features") and not (models / entry.name).exists():
            (models / entry.name).symlink_to(entry.resolve(), target_is_directory=entry.is_dir())
    return models
