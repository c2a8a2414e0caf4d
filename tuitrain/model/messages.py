"""Keras' exception text made fit for one line of a message that names the preset key."""

from __future__ import annotations

import re


def clean_keras_message(err: BaseException) -> str:
    text = str(err).strip() or type(err).__name__
    text = re.sub(r"\s*\n\s*", " ", text)
    text = re.sub(r"^Exception encountered when calling \w+\.call\(\)\.\s*", "", text)
    text = re.sub(r"Arguments received by .*$", "", text).strip()
    return text[:600]
