"""Language detection: English by its function words at once, everything else by py3langid."""

import pytest

from rapport.triage import language
from rapport.triage.language import detect_language, looks_english

ENGLISH = [
    "Acme Bank froze my card again and nobody at the branch could tell me why",
    "@acmebank how do I change the address on my account? The app just spins",
    "Thanks to the team at Acme for sorting out my mortgage so quickly, really impressed",
    "is there any way to get a statement from before 2020? the website says no",
]

# Posts in other languages, each with a stray English word or phrase in it.
FOREIGN = [
    ("es", "El banco me cobró dos veces la comisión y nadie responde, the worst"),
    ("fr", "Le service client ne répond jamais, c'est vraiment nul. Thanks Acme"),
    ("de", "Die App stürzt ständig ab und der Support ist nicht erreichbar, sorry but"),
    ("pt", "O aplicativo do banco não abre desde ontem, alguém sabe o que fazer? the app"),
    ("nl", "De klantenservice van de bank is echt heel slecht, ik wacht al een week. The end"),
    ("it", "La banca non risponde mai alle mie email, che vergogna davvero. Thanks"),
    ("es", "Me encanta la nueva tarjeta de Acme, the best para viajar por Europa"),
]


@pytest.fixture
def langid_calls(monkeypatch):
    """Counts the texts py3langid is asked about (the cache is emptied first)."""
    import py3langid

    language._detect.cache_clear()
    calls: list[str] = []
    classify = py3langid.classify

    def counting(text):
        calls.append(text)
        return classify(text)

    monkeypatch.setattr(py3langid, "classify", counting)
    yield calls
    language._detect.cache_clear()


@pytest.mark.parametrize("text", ENGLISH)
def test_english_is_recognised_without_py3langid(text, langid_calls):
    assert looks_english(text)
    assert detect_language(text) == "en"
    assert langid_calls == []


@pytest.mark.parametrize(("expected", "text"), FOREIGN)
def test_a_stray_english_word_does_not_make_a_post_english(expected, text, langid_calls):
    assert not looks_english(text)
    assert detect_language(text) == expected
    assert len(langid_calls) == 1  # the shortcut stood aside


@pytest.mark.parametrize("text", ["", "   ", "the", "lol", "🔥🔥🔥", "the and you"])
def test_too_little_text_is_not_called_english_by_the_shortcut(text, langid_calls):
    assert not looks_english(text)
    assert detect_language("") == ""


def test_only_the_start_of_a_long_text_is_read(langid_calls):
    text = "Le service client ne répond jamais, c'est vraiment nul. " * 50
    assert detect_language(text) == "fr"
    assert len(langid_calls[0]) == language.LANGUAGE_SAMPLE
