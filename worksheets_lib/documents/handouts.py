"""The client's handouts and reflection pages, made from the client file alone.

Handouts explain (the attachment patterns, feelings words); reflection pages
give room to write (feelings under the surface, then or now, values and
culture). Like the worksheets, client words arrive as data and are never
joined into grammar.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..models.history import PATTERNS
from ..models.vocabulary import PATTERN_NAMES
from .registry import Document, Inputs, register

#: The four patterns on the handout, in the order the history map names them. The
#: wording is here, beside the pattern names it is keyed by; a practice can replace the
#: whole page's body with its own template.
PATTERN_TEXT: dict[str, dict[str, str]] = {
    "secure": {
        "title": "Steady",
        "sense": "Comfort came often enough when you needed it. So you learned that "
                 "reaching out works and that people can be trusted.",
        "close": "Being close feels good, and so does time apart. You can ask for what "
                 "you need.",
        "conflict": "You can say what hurts and still listen. A fight does not feel like "
                    "the end.",
        "helps": "Keep doing what works. Even steady people wobble when life is hard, and "
                 "that is normal.",
    },
    "anxious": {
        "title": "Holding on",
        "sense": "Comfort came some of the time, but not always. Staying watchful and "
                 "asking again was a smart way to get care.",
        "close": "You may long to be near the people you love and to hear that they care. "
                 "A slow reply can feel like a loud alarm.",
        "conflict": "You may want to sort it out right now. Space can feel unsafe, so you "
                    "may push, protest or ask again and again.",
        "helps": "Noticing the alarm and naming it. Calming your body before you reach "
                 "out. Asking for what you need in clear words. People who answer you in a "
                 "steady way.",
    },
    "dismissive-avoidant": {
        "title": "Keeping space",
        "sense": "Asking for comfort often did not bring it, for whatever reason. So you "
                 "learned to handle things on your own. Relying on yourself kept you safe.",
        "close": "Your own space may matter a lot to you. Too much closeness can feel like "
                 "pressure, and feelings may stay inside.",
        "conflict": "You may go quiet, change the subject or leave the room. It is a way to "
                    "calm down, but others may feel shut out.",
        "helps": "Small steps of sharing one feeling. Saying “I need a break, and I will "
                 "come back.” Noticing what your body feels before you push it away.",
    },
    "fearful-avoidant": {
        "title": "Torn between near and far",
        "sense": "Life around you was at times hard to predict, or even scary. A child in "
                 "that spot needs to go toward people and away from them at the same time. "
                 "Both made sense.",
        "close": "You may long to be close, then want to pull away when it comes. This can "
                 "be confusing for you and for others.",
        "conflict": "Feelings can get very big very fast. You may fight, freeze or shut "
                    "down, and that can change from one day to the next.",
        "helps": "Feeling safe in your body first. Going slowly. Grounding skills. A steady "
                 "person, like your therapist, who stays when things feel hard.",
    },
}


def _attachment_patterns(inputs: Inputs, scratch: Path, paper: str = "a4",
                         hints: dict | None = None) -> dict[str, Any]:
    patterns = [{**PATTERN_TEXT[key], "called": PATTERN_NAMES[key].lower()}
                for key in PATTERNS]
    return {"patterns": patterns}


register(Document(
    "attachment-patterns", "Attachment patterns",
    "The four patterns as ways of coping that once made sense: how each shows up in "
    "closeness and in a disagreement, what tends to help, and that patterns can change.",
    "client", "attachment_patterns.html.j2", _attachment_patterns, purpose="understanding"))


#: Feelings under the surface: the quick, strong feelings that show first, and the
#: softer ones that may be under them (the page adds "longing for" the closeness word).
ON_TOP: tuple[str, ...] = ("angry", "annoyed", "blaming", "cold", "going quiet",
                           "shutting down", "walking away")
UNDERNEATH: tuple[str, ...] = ("scared", "sad", "hurt", "ashamed", "lonely", "left out")
#: How many moments the page has room for.
UNDER_MOMENTS = 3


def _feelings_under(inputs: Inputs, scratch: Path, paper: str = "a4",
                    hints: dict | None = None) -> dict[str, Any]:
    # underneath_keys name each word's tick box in a fillable page ("left-out").
    return {"on_top": list(ON_TOP), "underneath": list(UNDERNEATH),
            "underneath_keys": [word.replace(" ", "-") for word in UNDERNEATH],
            "moments": list(range(1, UNDER_MOMENTS + 1))}


register(Document(
    "feelings-under", "Feelings under the surface",
    "The quick feeling on top and the softer one underneath, with an example and room "
    "for three moments of my own.",
    "client", "feelings_under.html.j2", _feelings_under, purpose="understanding"))


#: Then or now: signs a client may tick when they are true today (only then), each with
#: the name of its tick box in a fillable page (docs/form-fields.md).
SAFE_NOW_SIGNS: tuple[tuple[str, str], ...] = (
    ("know-where-and-when", "I know where I am, and what day it is."),
    ("older-now", "I am older now, with choices I did not have then."),
    ("can-leave", "I can leave, or ask for a break."),
    ("can-reach-someone", "I can reach someone I trust."),
    ("body-settling", "My body is starting to settle."),
)


def _then_or_now(inputs: Inputs, scratch: Path, paper: str = "a4",
                 hints: dict | None = None) -> dict[str, Any]:
    return {"signs": [text for _, text in SAFE_NOW_SIGNS],
            "sign_keys": [key for key, _ in SAFE_NOW_SIGNS], "scale": list(range(11))}


register(Document(
    "then-or-now", "Then or now?",
    "When a feeling is big: is it about now, about then, or both? What tells me I am safe "
    "now, and what to bring to my therapist.",
    "client", "then_or_now.html.j2", _then_or_now, purpose="calming"))


#: Values and culture: what closeness, independence, family duty and showing feelings
#: mean in the client's family and culture, two questions each. The keys name the
#: questions' form fields (``values-culture.closeness.looks-like``).
VALUES_PARTS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    ("closeness", "Closeness", (
        ("looks-like", "In my family and culture, being close looks like:"),
        ("too-much-or-too-little", "What feels like too much closeness, or too little:"))),
    ("standing-on-my-own", "Standing on my own", (
        ("leaning-on-each-other", "How much we lean on each other, and how much on ourselves:"),
        ("asking-for-help", "What I was taught about asking for help:"))),
    ("family-duty", "Family duty", (
        ("expectations", "What my family expects of me, and what I expect of them:"),
        ("good-or-heavy", "Where this feels good to me, and where it feels heavy:"))),
    ("showing-feelings", "Showing feelings", (
        ("fine-to-show", "Which feelings are fine to show, and to whom:"),
        ("love-and-care", "How people show love and care, with or without words:"))),
    ("keeping-and-changing", "Keeping and changing", (
        ("keep", "From my family's ways, what I want to keep:"),
        ("my-own-way", "And what I would like to do in my own way:"))),
)


def _values_culture(inputs: Inputs, scratch: Path, paper: str = "a4",
                    hints: dict | None = None) -> dict[str, Any]:
    terms = inputs.client.terms
    # key names the row's "word I would like" field (``values-culture.word.partner``).
    words = [{"what": "The person I am close to", "now": terms.partner, "key": "partner"},
             {"what": "Our bond", "now": terms.relationship, "key": "relationship"},
             {"what": "Being close", "now": terms.closeness, "key": "closeness"},
             {"what": "Feeling safe", "now": None, "key": "feeling-safe"},
             {"what": "My family or community", "now": None, "key": "family"}]
    return {"parts": [{"title": title, "prompts": [text for _, text in prompts], "key": key,
                       "prompt_keys": [name for name, _ in prompts]}
                      for key, title, prompts in VALUES_PARTS], "words": words}


register(Document(
    "values-culture", "My values and culture",
    "What closeness, standing on my own, family duty and showing feelings mean in my family "
    "and culture; the words I want used; what feeling safe looks like for me.",
    "client", "values_culture.html.j2", _values_culture, purpose="understanding"))


#: Feelings words: each family's words from a little to a lot, and how it may feel in the
#: body. One page on either paper.
FEELING_FAMILIES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("Happy", ("content", "pleased", "glad", "cheerful", "happy", "excited", "full of joy"),
     ("light", "warm", "smiling", "loose shoulders", "full of energy")),
    ("Calm and safe", ("settled", "at ease", "relaxed", "calm", "peaceful", "safe"),
     ("slow breath", "soft belly", "warm, heavy arms and legs", "a steady heart")),
    ("Close and loved", ("liked", "accepted", "cared for", "close", "grateful", "loving",
                         "tender"),
     ("warm chest", "soft face", "wanting to hug or lean in")),
    ("Sad", ("low", "let down", "lonely", "sad", "missing someone", "hurt", "heartbroken"),
     ("heavy", "tired", "a lump in the throat", "tears", "slumped")),
    ("Scared", ("uneasy", "nervous", "worried", "afraid", "panicky", "terrified"),
     ("racing heart", "tight chest", "butterflies", "shaky", "fast breath", "cold hands")),
    ("Angry", ("bothered", "annoyed", "frustrated", "cross", "angry", "furious"),
     ("hot face", "tight jaw or fists", "tense shoulders", "pounding heart", "loud voice")),
    ("Ashamed", ("awkward", "silly", "embarrassed", "guilty", "ashamed", "small"),
     ("hot cheeks", "looking down", "sinking stomach", "wanting to hide")),
    ("Shut down", ("flat", "bored", "far away", "empty", "numb", "frozen"),
     ("hard to move", "blank mind", "not feeling much", "far from my body")),
)


def _feelings_words(inputs: Inputs, scratch: Path, paper: str = "a4",
                    hints: dict | None = None) -> dict[str, Any]:
    return {"families": [{"name": name, "words": list(words), "body": list(body)}
                         for name, words, body in FEELING_FAMILIES]}


register(Document(
    "feelings-words", "Feelings words",
    "Feeling words on one page, grouped by family from a little to a lot, with how each "
    "may feel in the body: for naming feelings in the journal.",
    "client", "feelings_words.html.j2", _feelings_words, purpose="practising"))
