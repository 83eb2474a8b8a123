"""The words the claims extractor reads: what each means, one spelling per meaning.

Colours, materials, sizes, numbers and clothing come from ``diffforge.vocabulary``; the rest
(directions, events, positions, poses, the phrases read as one word, the words that end a noun
phrase) is how captions and their rewrites say changes.
"""

from __future__ import annotations

import re

from diffforge.vocabulary import (
    CLOTHING_WORDS,
    COLOR_SYNONYMS,
    COLORS,
    MATERIAL_ADJECTIVES,
    MATERIAL_PREDICATES,
    NUMBER_WORDS,
    SIZE_WORDS,
)

COLOR_WORDS: dict[str, str] = {c: c for c in COLORS} | COLOR_SYNONYMS
MATERIAL_WORDS: dict[str, str] = (
    {m: m for m in MATERIAL_ADJECTIVES}
    | {a: m for m, a in MATERIAL_ADJECTIVES.items()}
    | {p: m for m, p in MATERIAL_PREDICATES.items()}
    | {"metal": "metal", "wood": "wood", "glassy": "glass", "metallic": "metal"}
)
SIZE_ATTRIBUTES: dict[str, str] = {w: w for w in SIZE_WORDS} | {
    "big": "large",
    "little": "small",
    "tiny": "small",
    "mid-sized": "medium",
    "medium-sized": "medium",
}
NUMBERS: dict[str, int] = {w: i for i, w in enumerate(NUMBER_WORDS)}
PART_WORDS: dict[str, str] = {w: w for w in CLOTHING_WORDS.values()} | {
    "shirt": "top",
    "pants": "trousers",
    "bottom": "trousers",
    "tops": "top",
}

# Nouns people use for the library's objects, word -> the noun the records use ("the ball"
# for a CLEVR sphere); grounded evaluation reads free captions with them.
NOUN_SYNONYMS: dict[str, str] = {
    "tv": "television",
    "ball": "sphere",
    "block": "cube",
    "couch": "sofa",
    "plant": "potted plant",
    "picture": "poster",
    "lamp": "table lamp",
}

# Direction words: how something changed (size, turning, light, camera), word -> canonical.
DIRECTIONS: dict[str, str] = {
    **dict.fromkeys(("larger", "bigger", "grown", "enlarged", "scaled-up"), "larger"),
    **dict.fromkeys(("smaller", "shrunk", "shrunken", "tinier", "scaled-down"), "smaller"),
    **dict.fromkeys(("clockwise",), "clockwise"),
    **dict.fromkeys(
        ("counterclockwise", "counter-clockwise", "anticlockwise", "anti-clockwise"),
        "counterclockwise",
    ),
    **dict.fromkeys(("brighter", "lighter", "brightened", "brightening"), "brighter"),
    **dict.fromkeys(("darker", "dimmer", "darkened", "gloomier"), "darker"),
    **dict.fromkeys(("warmer",), "warmer"),
    **dict.fromkeys(("cooler", "colder"), "cooler"),
    **dict.fromkeys(("neutral",), "neutral"),
    **dict.fromkeys(("increased", "risen"), "more"),
    **dict.fromkeys(("decreased", "dropped"), "fewer"),
    **dict.fromkeys(("switched-on", "lit"), "on"),
    **dict.fromkeys(("switched-off", "unlit"), "off"),
}

# A person's poses (the asset library's pose phrases), word -> canonical.
POSE_WORDS: dict[str, str] = {
    **dict.fromkeys(("standing",), "standing"),
    **dict.fromkeys(("waving",), "waving"),
    **dict.fromkeys(("arms-raised",), "arms_raised"),
    **dict.fromkeys(("pointing",), "pointing"),
    **dict.fromkeys(("sitting", "seated"), "sitting"),
    **dict.fromkeys(("walking",), "walking"),
    **dict.fromkeys(("crouching", "squatting"), "crouching"),
    **dict.fromkeys(("arms-crossed",), "arms_crossed"),
    **dict.fromkeys(("head-turned",), "head_turned"),
    # what a pose reads as in the picture (vocabulary.POSE_SEEN_PHRASES, POSE_MOVED_PHRASES)
    **dict.fromkeys(("arm-out",), "arm_out"),
    **dict.fromkeys(("arm-across",), "arm_across"),
    **dict.fromkeys(("limbs-moved",), "moved_limbs"),
}

# Events: what happened, word -> canonical (removing is a disappearance a viewer sees).
EVENTS: dict[str, str] = {
    **dict.fromkeys(("added", "appeared", "placed", "new"), "appeared"),
    **dict.fromkeys(
        ("disappeared", "vanished", "gone", "removed", "erased", "lost"),
        "disappeared",
    ),
    **dict.fromkeys(("replaced", "swapped", "replacing", "replacement"), "replaced"),
    **dict.fromkeys(("moved", "shifted", "relocated", "moving"), "moved"),
    **dict.fromkeys(("rotated", "turned-round"), "rotated"),
    **dict.fromkeys(("camera", "viewpoint", "perspective"), "camera"),
    **dict.fromkeys(("sun", "sunlight"), "sun"),
    **dict.fromkeys(("unchanged-scene",), "none"),
}

# Position words, word -> canonical; compounds keep both halves ("upper-left").
POSITIONS: dict[str, str] = {
    "left": "left",
    "right": "right",
    "leftmost": "left",
    "rightmost": "right",
    "left-hand": "left",
    "right-hand": "right",
    "centre": "centre",
    "center": "centre",
    "middle": "centre",
    "foreground": "front",
    "front": "front",
    "background": "back",
    "behind": "back",
    "back": "back",
    "upper": "up",
    "lower": "down",
    "toward-camera": "front",
    "away-from-camera": "back",
    "up-high": "up",
    "down-low": "down",
    "zoom-in": "closer",
    "zoom-out": "farther",
    "next-to": "next to",
    "beside": "next to",
    "above": "above",  # a moved object's place over a landmark (captioner.seen)
    "below": "below",
    "closest-to-camera": "nearest",
    "nearest": "nearest",
    "farthest": "farthest",
}
for _v in ("upper", "lower"):
    for _h in ("left", "right"):
        POSITIONS[f"{_v}-{_h}"] = f"{POSITIONS[_v]}-{_h}"

ORDINALS = frozenset({"first", "second", "first-image", "second-image"})
# "still" asserts what "no longer" denies: a rewrite may not add it
NEGATIONS = frozenset({"not", "no", "never", "n't", "no-longer", "nor", "neither", "still"})

# Multi-word phrases read as one word first (same meaning, one spelling). Order matters: the
# longer phrase first. Negated phrases that state an event are turned into the event here, so
# what stays a negation afterwards is a negation the caption adds.
PHRASES: tuple[tuple[str, str], ...] = (
    (r"\bcounter[- ]clockwise\b", "counterclockwise"),
    (r"\b(?:raised|raising|lifted|lifting|put up) (?:both|their|his|her) arms\b", "arms-raised"),
    (r"\b(?:both )?arms raised\b", "arms-raised"),
    (r"\b(?:crossed|crossing|folded|folding) (?:their |his |her )?arms\b", "arms-crossed"),
    (r"\barms (?:crossed|folded)\b", "arms-crossed"),
    (r"\b(?:turned|turning) (?:their|his|her) head\b", "head-turned"),
    (r"\bhead turned\b", "head-turned"),
    (r"\bpointing forward\b", "pointing"),
    (r"\b(?:with )?one arm held out\b", "arm-out"),
    (r"\b(?:with )?one arm (?:held )?across the body\b", "arm-across"),
    (r"\bmoved (?:one arm|both arms|their legs)\b", "limbs-moved"),
    (r"\bposed differently\b", "limbs-moved"),
    (r"\banti[- ]clockwise\b", "counterclockwise"),
    (r"\bno longer gives any light\b", "is switched-off"),
    (r"\bgives no light\b", "is switched-off"),
    (r"\bno longer in the same place\b", "moved"),
    (r"\bno longer holds\b", "has lost"),
    (r"\b(has|have) taken (.+?) (?:off|away from)\b", r"\1 removed \2 from"),
    (r"\b(?:which|that) (?:was|were) visible in the first image\b", ""),
    (r"\b(?:was|were) (?:not there|missing|absent|not present) in the second image\b", "never"),
    # said of the second image, these invert a change's direction: counted as a negation
    (r"\b(?:which|that) (?:was|were) visible in the second image\b", "still"),
    (r"\bcompared (?:with|to) the second image\b", "still"),
    (r"\bthan (?:it|they) (?:was|were) in the second image\b", "than still"),
    (r"\bcompared (?:with|to) the first image,? ", ""),
    (
        r"\bthe objects(?: themselves)? (?:stay where they were|have not moved|did not move|"
        r"remain in place|stay in place|are where they were)\b",
        "objects-in-place",
    ),
    (r"\b(?:has|have) gone (?=from \w+ to\b|from q\d+ to\b|up from|down from)", "has changed "),
    (r"\b(?:the )?second picture was taken from\b", "the camera moved to"),
    (r"\bpoint of view\b", "viewpoint"),
    (r"\blit more (?:strongly|brightly)\b", "brighter"),
    (r"\blit (?:more (?:weakly|dimly)|less)\b", "darker"),
    (r"\b(?:is|are) no longer on\b", "removed from"),
    (r"\bno longer reads\b", "used to read"),
    (r"\b(?:is|are) no longer (?:there|present|visible)\b", "disappeared"),
    (r"\bcan no longer be seen\b", "disappeared"),
    (r"\bcannot be seen anymore\b", "disappeared"),
    (r"\bis not there anymore\b", "disappeared"),
    (r"\b(?:was|were) not there(?: in the first image| before| earlier)?\b", "appeared"),
    (
        r"\b(?:was|were) (?:missing|absent|not present)(?: in the first image| before)?\b",
        "appeared",
    ),
    (r"\bcannot\b", "can not"),
    (r"\bdid not exist\b", "appeared"),
    (r"\b(?:has|have) not changed\b", "unchanged"),
    (r"\b(?:did|does|do) not change\b", "unchanged"),
    (r"\bnothing else (?:is different|has changed|differs|changed)\b", "unchanged"),
    (r"\bstays? exactly as (?:it was|they were|before)\b", "unchanged"),
    (r"\b(?:is|are) where (?:it was|they were)\b", "unchanged"),
    (r"\blooks? the same\b", "unchanged"),
    (r"\bremains? the same\b", "unchanged"),
    (r"\bthere is no (?:difference|change)\b", "unchanged-scene"),
    (r"\bnothing has changed\b", "unchanged-scene"),
    (r"\bno object, light or camera change can be seen\b", "unchanged-scene"),
    (r"\bno change to describe\b", "unchanged-scene"),
    (r"\bshadows look less dark\b", "shadows look brighter"),
    (r"\bless dark\b", "brighter"),
    (r"\bless bright\b", "darker"),
    (
        r"\b(?:the )?(?:overall )?brightness(?: of (?:the |this )?\w+)? (?:has )?"
        r"(?:increased|gone up|risen)\b",
        "brighter",
    ),
    (
        r"\b(?:the )?(?:overall )?brightness(?: of (?:the |this )?\w+)? (?:has )?"
        r"(?:decreased|gone down|dropped)\b",
        "darker",
    ),
    (r"\b(?:more strongly|more brightly|better) lit\b", "brighter"),
    (r"\b(?:more dimly|more weakly|less) lit\b", "darker"),
    (r"\bdimly\b", "darker"),
    (r"\b(?:switched|turned) on\b", "switched-on"),
    (r"\b(?:switched|turned) off\b", "switched-off"),
    (r"\bswitch(?:ed)? (?:the|that|it) ([a-z ]+?) on\b", r"switched-on the \1"),
    (r"\bis on\b", "is switched-on"),
    (r"\bis off\b", "is switched-off"),
    (r"\bwas off\b", "was switched-off"),
    (r"\bwas on\b(?! the\b| a\b| an\b)", "was switched-on"),
    (r"\bturned (?:up|brighter)\b", "brighter"),
    (r"\bturned (?:down|dimmer)\b", "darker"),
    (r"\bscaled (?:down|smaller)\b", "scaled-down"),
    (r"\bscaled (?:up|larger)\b", "scaled-up"),
    (r"\bcloser to the camera\b", "toward-camera"),
    (r"\bnearer to the camera\b", "toward-camera"),
    (r"\b(?:further|farther) (?:away )?from the camera\b", "away-from-camera"),
    (r"\b(?:further|farther) back\b", "away-from-camera"),
    (r"\b(?:further|farther) away\b", "away-from-camera"),
    (r"\bcloser to the scene\b", "zoom-in"),
    (r"\b(?:further|farther) (?:away )?from the scene\b", "zoom-out"),
    (r"\bhigher up\b", "up-high"),
    (r"\blower down\b", "down-low"),
    (r"\bclosest to the camera\b", "closest-to-camera"),
    (r"\bnext to\b", "next-to"),
    (r"\bupper ([a-z]+)\b", r"upper-\1"),
    (r"\blower ([a-z]+)\b", r"lower-\1"),
    (r"\bupper-left-hand\b", "upper-left"),
    (r"\bupper-right-hand\b", "upper-right"),
    (r"\blower-left-hand\b", "lower-left"),
    (r"\blower-right-hand\b", "lower-right"),
    (r"\b(?:further|farther) to\b", "to"),
    (r"\btaken (?:away|off)\b", "removed"),
    (r"\btaken (?:it|them) off\b", "removed"),
    (r"\btook (?:away|off)\b", "removed"),
    (r"\bin (?:its|their) place\b", "replacing"),
    (r"\b(?:taken|took) the place of\b", "replacing"),
    (r"\bin the place of\b", "replacing"),
    (r"\binstead of\b", "instead-of"),
    (r"\brather than\b", "instead-of"),
    (r"\bin place of\b", "instead-of"),
    (r"\bused to (?:be|read|show|say|have)\b", "used-to"),
    (r"\bno longer\b", "no-longer"),
    (r"\bcan't\b", "can n't"),
    (r"\b(\w+)n't\b", r"\1 n't"),
    (r"\bcolou?r\b", "colour"),
    (r"\bgrey\b", "gray"),
    # "Someone has turned the green chair in the foreground around." (orientation_around.j2)
    (r"\bturned ((?:the|a|an) [a-z' -]{1,80}?) (?:around|round)(?= *[.,;]|$)", r"turned-round \1"),
    (r"\bturned (?:around|round)\b", "turned-round"),
    # a turn stated without its direction ("has been turned.", "now faces another way")
    (r"\b(?:has been|has|was|been|being) turned(?= *[.,;]| to face\b)", "rotated"),
    (r"\bfaces? (?:another way|a different direction|the other way)\b", "rotated"),
    (r"\bfaces? roughly the opposite (?:way|direction)\b", "rotated"),
    (r"\bthan before\b", "than earlier-state"),
    (r"\bthan (?:it|they) (?:was|were) in the first image\b", "than earlier-state"),
    (r"\b(?:the )?(first|second) (?:image|picture|photo|frame|view)\b", r"\1-image"),
    (r"\bin the (first|second)\b(?= *[,.;:]| and\b)", r"\1-image"),
)
COMPILED_PHRASES = tuple((re.compile(p), r) for p, r in PHRASES)


# Words that end a noun phrase: prepositions, verbs, conjunctions, pronouns, adverbs.
def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOP = _wordset(
    """in on at of to from with by into onto off near under over above below across towards
    toward through around between than for as while whereas although though but and or so
    because since after before then has have had is are was were be been being can could will
    would does did do now no not n't longer there which who whom whose that it its they them
    their he she his her someone something also again just still only here where when what how
    very much more less most least ever anymore any each every all both either other others
    this these those one's reads read says say shows show wears wear stands stand looks look
    appears appear seems seem used-to instead-of no-longer made got get gets become becomes
    became turned turns turn changed changes change moved shifted rotated faces face
    previously originally earlier later first-image second-image like such including
    apart except rest nothing everything unchanged same exactly whole entire up down said
    remain remains remained stay stays stayed sit sits sat stood lie lies lay fall falls hold
    holds themselves lost cannot overall because
    , ; : . ! ?"""
)
# Words that name one of the two images, not a thing in them ("the two images", "both pictures",
# "the second photo"): stripped before nouns and numbers are read, so that a scene holding a
# picture on a wall does not make "in the second picture" an object, nor "two images" a count.
IMAGE_REFERENCE = re.compile(
    r"\b(?:two|2|both|either|first|second|earlier|later|original|former|latter|initial|final"
    r"|before|after) (?:images?|pictures?|photos?|photographs?|frames?|views?|shots?)\b",
    re.IGNORECASE,
)
DETERMINERS = frozenset({"the", "a", "an", "that", "this", "these", "those", "its", "their"})
# Head nouns that name no object (aspects, the scene, the images).
FILLER_HEADS = _wordset(
    """colour number count material surface size position orientation pose text writing word
    words lighting light environment scene image images picture pictures photo photos camera
    viewpoint point view angle direction shadow shadows sun sunlight object objects place part
    rest everything nothing area surroundings tint cast tones tone temperature finish look
    change changes difference differences thing things way ways perspective brightness
    intensity side corner sky shading illumination tints kind version copy copies one ones
    lights time bit lot"""
)
CONNECTORS = (
    "the first change is that",
    "the second change is that",
    "the third change is that",
    "the fourth change is that",
    "the fifth change is that",
    "first of all",
    "to begin with",
    "after that",
    "in addition",
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "firstly",
    "secondly",
    "thirdly",
    "fourthly",
    "fifthly",
    "next",
    "then",
    "also",
    "moreover",
    "furthermore",
    "finally",
    "lastly",
    "besides",
    "additionally",
    "on top of that",
)
CONNECTOR = re.compile(r"^(?:" + "|".join(re.escape(c) for c in CONNECTORS) + r")\b[ ,]*")
HEADER = re.compile(
    r"\b(\w+) (?:differences|changes|things have changed|things are different|ways|"
    r"things differ|modifications|alterations)\b"
)
QUOTE = re.compile(r'"([^"]+)"|“([^”]+)”')
TOKEN = re.compile(r"q\d+|[a-z]+(?:[-'][a-z]+)*|\d+|[,;:.!?]")
CLAUSE_BREAK = frozenset({",", ";", ":", "but", "while", "whereas", "although", "and", "so"})
BEFORE_CUES = frozenset(
    {"first-image", "earlier", "previously", "originally", "used-to", "before", "formerly"}
)
AFTER_CUES = frozenset({"second-image", "now", "anymore"})
WEAK_BEFORE = frozenset({"was", "were", "had"})
WEAK_AFTER = frozenset({"is", "are", "become", "becomes", "became", "turned", "has", "have"})
