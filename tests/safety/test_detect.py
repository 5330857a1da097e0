"""The crisis detector: what must trigger, what must not, and how the data file is checked.

Every phrase here is the kind of thing people text: add the ones you hear.
"""

from __future__ import annotations

import copy
import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from safety.crisis import (
    DEFAULT_PATH,
    KINDS,
    Crisis,
    PatternFileError,
    detect,
    explain,
    fold,
    load_patterns,
    parse_patterns,
)

ROOT = Path(__file__).resolve().parents[2]

MUST_TRIGGER_EN: dict[str, list[str]] = {
    "overdose": [
        "my friend is overdosing", "he's not breathing", "she's turning blue", "blue lips",
        "I took too much", "he won't wake up", "I think she's ODing",
        "my buddy OD'd in the washroom",
        "he is unresponsive", "her lips are blue", "I cant wake him up",
        "gave him narcan and he's still not responding", "narcan isnt working",
        "he took too much fent", "found a guy not breathing behind the shelter", "i think hes dead",
        "someone is overdosing outside", "overdose!!!", "he stopped breathing",
        "she's making gurgling sounds", "my roommate wont wake up", "we need narcan now",
        "OD at the park", "his face is going blue", "she did way too much dope",
        "what do i do he's barely breathing", "HELP he is not breathing!!!",
        "he took a hit and fell down and isnt moving", "he's foaming at the mouth",
        "he's making weird snoring sounds and won't respond",
    ],
    "suicide": [
        "I want to kill myself", "I don't want to be alive", "kms", "suicide", "I'm suicidal",
        "i wanna die", "going to jump off the bridge", "took all my pills to end it",
        "I'm going to end it all tonight", "i want to end my life", "thinking about suicide",
        "im gonna hang myself", "I wish I was dead", "gonna unalive myself", "I want to die",
        "I'm going to jump in front of a train", "sucide", "i dont wanna live anymore",
        "I took all my 💊", "I have a plan to kill myself", "ready to end it",
        "I'm going to jump off the Champlain bridge", "i'm going to overdose on purpose tonight",
        "I want to OD", "i just want it all to end", "i want to stop existing",
        "i bought a rope to hang myself", "I've been saving up my pills",
        "i wrote my goodbye letter",
        "how many pills would it take to die", "i'm going to walk into traffic",
        "tonight i'm done living",
    ],
    "self_harm": [
        "I keep cutting myself", "what's the point anymore", "I can't do this anymore",
        "everyone would be better off without me", "i want to hurt myself", "self-harm",
        "I've been burning myself", "no reason to live", "nobody would miss me",
        "I'm a burden to everyone", "I hope I don't wake up tomorrow", "I cant take it anymore",
        "started cutting again", "tired of living", "I can't go on",
        "I don't want to be here anymore", "nobody cares if i live or die",
        "life isn't worth living", "Im done. Goodbye everyone", "i burned myself again",
        "i feel so hopeless", "I scratch my arms until they bleed", "I relapsed on cutting",
        "i deserve to suffer", "i'm just a burden to my family", "i got no future",
    ],
    "danger": [
        "someone is attacking me", "he has a knife", "there's a guy with a gun",
        "someone is following me", "I'm being followed", "they're going to kill me",
        "someone is trying to break in", "I'm in danger", "help I'm being attacked",
        "a guy pulled a knife on me", "he has a 🔪", "🔫 to my head", "I got jumped",
        "someone broke into my tent and is still here", "someone's beating me up",
        "a guy is threatening to stab me", "they're gonna jump me when I leave",
        "he's coming at me with a bat", "they're kicking a guy on the ground",
        "my dealer says he'll kill me",
    ],
    "domestic_violence": [
        "my partner hits me", "he threatened to kill me", "my boyfriend beats me",
        "my husband is abusive", "I'm in an abusive relationship", "domestic violence",
        "he chokes me when he drinks", "I'm scared of my husband", "my bf wont let me leave",
        "I'm not safe at home", "my husband gets violent when he drinks",
        "he pushed me down the stairs", "my partner said he'll kill me if i leave",
        "he smashed my phone so i couldn't call anyone", "my baby's dad beat me",
        "my partner forces me to have sex", "she throws things at me",
    ],
    "trafficking": [
        "they took my passport", "I'm being held against my will", "my boss took my passport",
        "I'm forced to have sex for money", "my pimp takes all my money",
        "I think I'm being trafficked", "they won't let me leave",
        "my boss keeps my ID and makes me work for free", "I owe him money and have to work it off",
        "they threaten my family if i leave", "someone is making me do sex work",
    ],
    "youth_unsafe": [
        "I'm 16 and ran away", "im 15 and my parents kicked me out", "I'm 14 and not safe at home",
        "I am 17 and homeless", "16yo kicked out need somewhere to sleep",
        "I ran away from home and I'm 13", "im a teen and got kicked out", "my stepdad beats me",
        "i'm 14 and my mom's boyfriend hurts me", "im 17 and my parents told me not to come back",
        "I ran away from my group home", "I'm underage and have no place to stay",
    ],
    "medical": [
        "I can't breathe", "having a seizure", "blood everywhere", "chest pain",
        "I think I'm having a heart attack", "she collapsed", "he's bleeding a lot",
        "I can't stop the bleeding", "she's choking", "call an ambulance",
        "I think she's having a stroke", "i have frostbite", "I can't feel my feet",
        "my throat is closing", "i cant breath", "🩸 everywhere", "he got stabbed",
        "help hes dying", "her throat is swelling up", "my toes are white and numb",
        "I'm so cold I can't stop shaking", "he's diabetic and confused and shaking",
        "my abscess has red streaks and I have a fever", "his face is drooping",
        "she's having an allergic reaction", "my son has a severe allergic reaction",
    ],
}

MUST_TRIGGER_FR: dict[str, list[str]] = {
    "overdose": [
        "mon ami fait une overdose", "il respire plus", "elle respire pu", "j'en ai trop pris",
        "lèvres bleues", "ses lèvres sont bleues", "il se réveille pas", "elle réagit plus",
        "mon chum est en surdose", "je pense qu'il fait une OD", "y respire pu", "il est tout bleu",
        "je suis pas capable de le réveiller", "il a arrêté de respirer", "elle est inconsciente",
        "le narcan marche pas", "j'ai trop consommé", "il ne respire plus",
        "ma blonde respire presque pas", "jen ai trop pris", "elle veut pas se réveiller",
        "il a pris trop de fent", "il est en train de faire une overdose", "surdose",
        "il a de la mousse à la bouche", "il ronfle bizarre pis il répond pas",
    ],
    "suicide": [
        "je veux en finir", "je veux mourir", "jveux mourir", "je vais me suicider",
        "j'ai envie de me tuer", "je pense au suicide", "je suis suicidaire", "je veux plus vivre",
        "je vais me jeter du pont", "j'ai pris toutes mes pilules pour en finir",
        "mettre fin à mes jours", "je veux m'enlever la vie", "chu suicidaire", "je veux crever",
        "j'ai avalé toutes mes 💊", "je vais sauter en bas du pont", "j'ai le goût de mourir",
        "je veux faire une overdose", "j'ai acheté une corde pour en finir",
        "j'ai écrit mes lettres d'adieu", "combien de pilules pour pas me réveiller",
    ],
    "self_harm": [
        "je me mutile", "à quoi bon", "tout le monde serait mieux sans moi", "je me scarifie",
        "je me fais du mal", "j'en peux plus", "chu pu capable", "je veux disparaître",
        "personne s'ennuierait de moi", "je suis un fardeau", "j'ai pu envie de vivre",
        "jme coupe encore", "j'ai pas envie de me réveiller demain",
        "je me suis brûlée exprès", "j'ai pu d'espoir", "je me gratte jusqu'au sang",
        "j'ai recommencé à me couper", "personne remarquerait si je disparaissais",
        "je peux pus continuer comme ça", "je suis rien qu'un poids pour ma famille",
        "pourquoi chercher un appart, j'ai pas d'avenir de toute façon",
    ],
    "danger": [
        "il a un couteau", "quelqu'un m'attaque", "je me fais attaquer", "il a un gun",
        "je suis en danger", "quelqu'un essaie d'entrer chez moi", "il va me tuer", "on me suit",
        "le gars a un 🔪", "il me pointe avec son fusil", "il veut me faire du mal",
        "il y a un gars avec un couteau", "un gars menace de me poignarder", "on me bat",
        "ils vont me sauter dessus", "quelqu'un est entré dans ma tente",
        "chu pas en sécurité, quelqu'un me cherche", "ils frappent un gars dehors",
    ],
    "domestic_violence": [
        "je suis victime de violence conjugale", "mon chum me frappe", "mon mari me bat",
        "il a menacé de me tuer", "ma blonde me frappe", "j'ai peur de mon conjoint",
        "il m'a frappée", "je suis pas en sécurité chez moi", "mon conjoint devient violent",
        "il m'a poussée dans l'escalier", "mon chum m'a encore frappée",
        "le père de mes enfants m'a battue", "mon ex arrête pas de me menacer",
    ],
    "trafficking": [
        "ils ont pris mon passeport", "on me force à me prostituer",
        "je suis retenue contre mon gré", "traite de personnes", "mon pimp garde tout mon argent",
        "ils me laissent pas partir", "on me garde contre ma volonté",
        "ils me surveillent tout le temps", "quelqu'un me fait faire du travail du sexe",
    ],
    "youth_unsafe": [
        "j'ai 16 ans et j'ai fugué", "j'ai 15 ans pis mes parents m'ont mis dehors",
        "g 14 ans et je suis dans la rue", "j'ai 17 ans, je suis pas en sécurité chez moi",
        "je suis mineure et j'ai fugué", "mon père me frappe", "j'ai fugué du centre jeunesse",
        "j'ai 14 ans et c'est pas safe chez nous", "j'ai 15 ans jpeux pas retourner chez nous",
        "j'ai 12 ans et j'ai peur de mon beau-père",
    ],
    "medical": [
        "je peux pas respirer", "du sang partout", "il fait une crise d'épilepsie",
        "douleur à la poitrine", "elle s'est évanouie", "il saigne beaucoup",
        "j'arrive pas à respirer", "crise cardiaque", "appelle une ambulance", "il fait un AVC",
        "jpeux pu respirer", "je sens plus mes pieds", "il s'étouffe", "🩸 partout",
        "il est en train de mourir", "sa gorge enfle", "mes doigts sont blancs",
        "son visage est croche", "il est en sevrage d'alcool pis il fait une crise",
        "ma fille a une grosse réaction allergique", "il fait une réaction allergique",
        "j'ai une réaction allergique, ma face enfle",
    ],
}

BENIGN_EN = [
    "no future in this job, need a new one", "overdose prevention site hours",
    "allergy clinic near me", "I have allergies, where can I get an epipen",
    "I had an allergic reaction last year, need a doctor",
    "where is the supervised consumption site",
    "I'm dying for a coffee", "just killing time downtown", "this traffic is killing me",
    "dead tired after work", "the battery died", "someone was cutting the line at the shelter",
    "where can I cut my hair for free", "my phone is dead can I charge it",
    "I could kill for a burger", "my feet are killing me", "I'm dying to see my kids",
    "where can I get naloxone", "naloxone training this week?",
    "where can I get a free naloxone kit", "is the safe injection site open",
    "I need a bed tonight", "I nearly died laughing", "my back is killing me",
    "I cut myself some slack today", "I'm 25 and got kicked out of the library",
    "I'm 18 and homeless", "I overdosed on coffee today", "that gave me a heart attack lol",
    "I want to end it with my boyfriend", "the heat is killing me", "my tent collapsed",
    "I'm not suicidal, I just need a bed", "where can I get my ID replaced",
    "took too much time", "that is odd", "they are kicking me out of the shelter",
    "hit me up later", "my boyfriend hits me up every day", "the city is seizing our tents",
    "she is not responding to my texts", "someone stole my documents",
    "the cops locked me up last night", "the shelter wont let me leave my bags",
    "he is following me on instagram", "my stomach is gurgling", "the website is unresponsive",
    "he is not moving out", "she does not wake up until noon", "i cant go on the bus with my dog",
    "he beat me at chess", "where can i buy a knife", "I passed out flyers",
    "take all the pills you need from the clinic", "I drank too much last night",
    "I got kicked out of the shelter", "the OD prevention site", "my friend died last year",
    "is the needle exchange open", "I have a seizure disorder, where is a clinic",
    "i shot myself in the foot with that one", "i want to die my hair purple",
    "my grandma is dying of cancer", "he is dying to see you", "where can I get an overdose kit",
    "od kit", "how to reverse an overdose", "need naloxone in case my friend ODs",
    "i am hopeless at cooking", "done living in ottawa", "set an alarm so i do not wake up late",
    "it is freezing and I am confused about the bus", "the car will not warm up",
    "she pushed me into applying", "they took my ID at the shelter desk",
    "they move us from hotel to hotel", "I am so cold", "I can't stop shaking",
]

BENIGN_FR = [
    "heures du site de prévention des surdoses", "site de consommation supervisée",
    "clinique pour allergies", "où trouver un epipen pour mes allergies",
    "j'ai eu une réaction allergique l'an passé, je cherche un médecin",
    "je meurs de faim", "ça me tue de rire", "je vais crever de faim", "je suis mort de fatigue",
    "ma batterie est morte", "mon cell est mort", "le trafic me tue",
    "je veux me couper les cheveux", "je me suis coupé le doigt", "où trouver de la naloxone",
    "je cherche un lit pour ce soir", "je veux en finir avec cette paperasse",
    "ça me fait mourir de rire", "je suis morte de rire",
    "j'ai 25 ans et j'ai été mis dehors du resto", "j'ai 19 ans et je cherche un refuge",
    "je meurs de soif", "c'est mortel ce film", "ma job me tue", "je vais tuer le temps",
    "je me coupe les ongles", "ça a pris trop de temps", "je dors dehors depuis 15 ans",
    "formation naloxone", "il fait froid", "je suis pas suicidaire, juste fatigué",
    "il réagit pas à mes messages", "c'est inconscient de faire ça", "on m'a volé mes papiers",
    "j'ai été hospitalisé contre mon gré", "je vais me lancer en affaires",
    "je vais me tuer à l'ouvrage", "il se réveille pas le matin", "ma voiture, elle est grise",
    "je cherche du narcan", "j'ai besoin de naloxone", "on va crever de chaud",
    "je me suis fait voler mon sac", "je me suis tiré une balle dans le pied",
    "où trouver une trousse de surdose", "formation pour renverser une surdose",
    "je prends le bus exprès pour te voir", "mes mains sont gelées", "mon ami s'en vient vers moi",
    "je peux pas continuer mes études", "mes parents veulent que je revienne",
    "j'ai pas d'avenir dans cette job-là", "je suis un poids plume",
]


def _cases(table: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(kind, text) for kind, texts in table.items() for text in texts]


# ---------------------------------------------------------------- must trigger

def test_enough_examples_in_each_language_and_kind() -> None:
    for table in (MUST_TRIGGER_EN, MUST_TRIGGER_FR):
        assert set(table) == set(KINDS)
        assert len(_cases(table)) >= 40
    assert len(BENIGN_EN) >= 20 and len(BENIGN_FR) >= 20


@pytest.mark.parametrize(("kind", "text"), _cases(MUST_TRIGGER_EN))
def test_english_crisis_triggers(kind: str, text: str) -> None:
    found = detect(text)
    assert found is not None, f"{text!r} did not trigger"
    assert found.kind == kind, f"{text!r}: {found} ({explain(text)})"
    assert found.language in ("en", None)


@pytest.mark.parametrize(("kind", "text"), _cases(MUST_TRIGGER_FR))
def test_french_crisis_triggers(kind: str, text: str) -> None:
    found = detect(text)
    assert found is not None, f"{text!r} did not trigger"
    assert found.kind == kind, f"{text!r}: {found} ({explain(text)})"
    assert found.language in ("fr", None)


@pytest.mark.parametrize(("text", "language"), [
    ("my friend is overdosing", "en"),
    ("mon ami fait une overdose", "fr"),
    ("overdose", None),
    ("suicide", None),
    ("je pense au suicide", "fr"),
    ("I'm thinking about suicide", "en"),
    ("il a un 🔫", "fr"),
    ("ambulance", None),
    ("appelle une ambulance", "fr"),
])
def test_language_is_that_of_the_matching_pattern(text: str, language: str | None) -> None:
    found = detect(text)
    assert found is not None and found.language == language


# ---------------------------------------------------------------- must not trigger

@pytest.mark.parametrize("text", BENIGN_EN)
def test_english_look_alikes_do_not_trigger(text: str) -> None:
    assert detect(text) is None, explain(text)


@pytest.mark.parametrize("text", BENIGN_FR)
def test_french_look_alikes_do_not_trigger(text: str) -> None:
    assert detect(text) is None, explain(text)


def test_directory_requests_do_not_trigger() -> None:
    """Every label and synonym people use to ask for a service (except crisis lines)."""
    taxonomy = yaml.safe_load((ROOT / "directory" / "data" / "taxonomy.yaml").read_text("utf-8"))
    triggered = [
        (category["code"], text, detect(text))
        for category in taxonomy["categories"] if category["code"] != "crisis_line"
        for lang in ("en", "fr")
        for text in [category["label"][lang], category["description"][lang],
                     *category["synonyms"][lang]]
        if detect(text) is not None
    ]
    assert not triggered


@pytest.mark.parametrize("text", [
    "", " ", "\n\t", "💊", "🔪", "🔫", "🩸", "😵", "💀💀💀", "💀😭", "💊💊💊", "😭😭 lol",
    "\x00\x01\x02\x1b", "\u200b\u200d\ufeff", "\x00💊\x07", "?!?!...", "👍🏽", "🏳️‍🌈",
])
def test_empty_emoji_only_and_control_characters_give_none(text: str) -> None:
    assert detect(text) is None


@pytest.mark.parametrize("value", [None, 42, b"kill myself", ["suicide"]])
def test_non_strings_give_none(value: object) -> None:
    assert detect(value) is None  # type: ignore[arg-type]


# ---------------------------------------------------------------- folding

@pytest.mark.parametrize(("text", "kind"), [
    ("MY FRIEND IS OVERDOSING!!!", "overdose"),
    ("Il Respire Plus...", "overdose"),
    ("levres bleues", "overdose"),
    ("LÈVRES BLEUES", "overdose"),
    ("lèvres bleues", "overdose"),
    ("le\u0300vres bleues", "overdose"),  # decomposed accent
    ("I...want...to...kill...myself", "suicide"),
    ("I-want-to-KILL-myself", "suicide"),
    ("k.m.s", "suicide"),
    ("ＫＭＳ", "suicide"),  # full-width letters
    ("JE VEUX EN FINIR", "suicide"),
    ("Je veux... en finir.", "suicide"),
    ("quelqu’un m’attaque", "danger"),
    ("quelqu'un m'attaque", "danger"),
    ("quelquun mattaque", "danger"),
    ("I’m 16 and I ran away", "youth_unsafe"),
    ("he's NOT BREATHING!!", "overdose"),
    ("hes not breathin", "overdose"),
    ("he is not breathing", "overdose"),
    ("iiiii waaaant to dieeee", "suicide"),
    ("pleeeease he is bleeeeding a lot", "medical"),
    ("I want\x00 to kill myself", "suicide"),
    ("I want to kill\u200bmyself", "suicide"),
    ("i wanna kill my self", "suicide"),
    ("Je VEUX MOURIR", "suicide"),
    ("jveu mourrir", "suicide"),
    ("chui pu capable", "self_harm"),
    ("J'PEUX PAS RESPIRER", "medical"),
    ("jpeux pas respirer", "medical"),
    ("im being followed", "danger"),
    ("Î\u0308l rèspïre plùs", "overdose"),
])
def test_case_accents_punctuation_and_texting_forms(text: str, kind: str) -> None:
    found = detect(text)
    assert found is not None and found.kind == kind, (text, found)


def test_fold() -> None:
    assert fold("  Ça   ME TUE!!! ") == "ca me tue"
    assert fold("Quelqu’un, m'attaque") == "quelquun mattaque"
    assert fold("cœur") == "coeur"
    assert fold("he has a 🔪!!") == "he has a 🔪"
    assert fold("a\x00b\u200bc") == "a b c"
    assert fold("") == ""


# ---------------------------------------------------------------- messages with more in them

def test_crisis_at_the_end_of_a_long_message_triggers() -> None:
    filler = "I need a place to sleep tonight and some food, where is the drop-in? " * 200
    text = filler[:10_000 - len(" he is not breathing")] + " he is not breathing"
    assert len(text) == 10_000
    found = detect(text)
    assert found is not None and found.kind == "overdose"


def test_crisis_at_the_end_of_a_long_french_message_triggers() -> None:
    text = ("Je cherche un refuge pour ce soir près du marché. " * 250)[:9_980] + " je veux mourir"
    found = detect(text)
    assert found is not None and found.kind == "suicide" and found.language == "fr"


@pytest.mark.parametrize(("text", "kind"), [
    ("killing time before I kill myself", "suicide"),
    ("overdose prevention site hours? my friend is not breathing", "overdose"),
    ("je meurs de faim et je veux mourir", "suicide"),
    ("ça me tue de rire... non en vrai il a un couteau", "danger"),
    ("I'm dying for a coffee lol. Actually I can't breathe", "medical"),
    ("I cut my hair and I keep cutting myself", "self_harm"),
])
def test_benign_words_do_not_hide_a_crisis_in_the_same_message(text: str, kind: str) -> None:
    found = detect(text)
    assert found is not None and found.kind == kind, explain(text)


@pytest.mark.parametrize(("text", "kind"), [
    ("I took all my pills to end it and now he's not breathing", "overdose"),
    ("he has a knife and I want to die", "danger"),
    ("I want to die, my chest pain is bad", "medical"),
    ("my boyfriend hits me and I want to kill myself", "suicide"),
    ("I'm 15 and my boyfriend hits me", "domestic_violence"),
    ("they took my passport and I'm 16 and ran away", "trafficking"),
    ("I'm 16, kicked out, and I keep cutting myself", "youth_unsafe"),
    ("j'ai un couteau sous la gorge et il respire plus", "overdose"),
    ("à quoi bon, j'ai 15 ans et j'ai fugué", "youth_unsafe"),
])
def test_most_urgent_kind_wins(text: str, kind: str) -> None:
    found = detect(text)
    assert found is not None and found.kind == kind, explain(text)


def test_kinds_are_in_urgency_order() -> None:
    assert KINDS == ("overdose", "medical", "danger", "suicide", "domestic_violence",
                     "trafficking", "youth_unsafe", "self_harm")


def test_crisis_is_frozen_and_reports_what_matched() -> None:
    found = detect("Help, he's NOT breathing!!")
    assert found == Crisis(kind="overdose", matched="not breathing", language="en")
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.kind = "medical"  # type: ignore[misc]


def test_explain_lists_every_matching_pattern() -> None:
    hits = explain("he has a knife and I want to die")
    kinds = [kind for kind, *_ in hits]
    assert "danger" in kinds and "suicide" in kinds
    assert all(where.startswith("kinds.") for _, where, _, _ in hits)


# ---------------------------------------------------------------- the data file

def _data() -> dict:
    return copy.deepcopy(yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8")))


def test_shipped_pattern_file_is_valid() -> None:
    patterns = load_patterns()
    assert all(patterns.by_kind[kind] for kind in KINDS)
    assert patterns.exclusions


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda d: d["kinds"].__setitem__("overdoze", {"en": {"phrases": ["x"]}}),
     r"kinds\.overdoze: unknown kind 'overdoze'"),
    (lambda d: d["kinds"].pop("trafficking"), "missing kind.*trafficking"),
    (lambda d: d["kinds"]["danger"]["fr"]["regex"].insert(0, "il a (un couteau"),
     r"kinds\.danger\.fr\.regex\[0\].*bad regex"),
    (lambda d: d["kinds"]["danger"]["en"]["regex"].insert(0, "{nobody} has a knife"),
     r"kinds\.danger\.en\.regex\[0\].*unknown macro \{nobody\}"),
    (lambda d: d["kinds"]["overdose"]["fr"]["regex"].insert(0, "lèvres bleues"),
     r"kinds\.overdose\.fr\.regex\[0\].*folded text"),
    (lambda d: d["kinds"]["overdose"]["en"]["regex"].insert(0, "Not Breathing"),
     r"kinds\.overdose\.en\.regex\[0\].*folded text"),
    (lambda d: d["kinds"]["suicide"]["en"]["regex"].insert(0, "(?:kill myself)?"),
     r"kinds\.suicide\.en\.regex\[0\].*matches empty text"),
    (lambda d: d["kinds"]["overdose"]["en"]["emoji"].insert(0, "(?:not breathing )?💊"),
     r"kinds\.overdose\.en\.emoji\[0\].*emoji .* alone"),
    (lambda d: d["kinds"]["overdose"]["en"]["emoji"].insert(0, "not breathing"),
     r"kinds\.overdose\.en\.emoji\[0\].*has no emoji"),
    (lambda d: d["kinds"]["medical"]["en"].__setitem__("words", ["x"]),
     r"kinds\.medical\.en.*unknown entry type"),
    (lambda d: d["kinds"]["medical"].__setitem__("es", {"phrases": ["x"]}),
     r"kinds\.medical.*unknown language"),
    (lambda d: d["kinds"]["medical"]["en"]["phrases"].insert(0, "?!"),
     r"kinds\.medical\.en\.phrases\[0\]"),
    (lambda d: d["exclusions"]["en"]["regex"].insert(0, "dying (for"),
     r"exclusions\.en\.regex\[0\].*bad regex"),
    (lambda d: d["texting"].insert(0, ["wanna"]), r"texting\[0\]"),
    (lambda d: d["texting"].append(["gimme", "wanna"]), r"rewritten again"),
    (lambda d: d.__setitem__("version", 2), "version"),
])
def test_broken_pattern_file_is_refused_naming_the_entry(mutate, message: str) -> None:
    data = _data()
    mutate(data)
    with pytest.raises(PatternFileError, match=message):
        parse_patterns(data, "crisis_patterns.yaml")


def test_unreadable_pattern_file_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "crisis_patterns.yaml"
    broken.write_text("kinds: [unclosed", encoding="utf-8")
    with pytest.raises(PatternFileError, match="cannot read"):
        load_patterns(broken)


# ---------------------------------------------------------------- independence

def test_safety_imports_no_rasa_and_reads_nothing_at_import() -> None:
    """The safety net must work when Rasa, the database and the action server are down."""
    code = (
        "import sys\n"
        "import safety.crisis, safety.replies, conversation.sms\n"
        "assert safety.crisis.load_patterns.cache_info().currsize == 0, 'read at import'\n"
        "assert safety.replies.load_hotlines.cache_info().currsize == 0, 'read at import'\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('rasa', 'rasa_sdk', 'sqlalchemy', 'directory', 'tensorflow', 'spacy'))\n"
        "assert not bad, bad\n"
        "found = safety.crisis.detect('he is not breathing')\n"
        "assert found.kind == 'overdose', found\n"
        "assert '911' in safety.replies.reply(found.kind, 'en')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr


# Families added after the first held-out measurement (see the closing note: the
# held-out crisis recall is contaminated by these).
@pytest.mark.parametrize("text, kind", [
    ("bought a gun to end things", "suicide"),
    ("gonna take all my pills tonight", "suicide"),
    ("they'd be happier without me", "self_harm"),
    ("no hope left for me", "self_harm"),
    ("je me suis coupée encore", "self_harm"),
    ("guys are threatening to hurt me", "danger"),
    ("they locked me in the basement", "trafficking"),
    ("mon père s'est effondré dans la cuisine", "medical"),
    ("she just collapsed", "medical"),
])
def test_more_crisis_families(text: str, kind: str) -> None:
    found = detect(text)
    assert found is not None and found.kind == kind


@pytest.mark.parametrize("text", ["no hope of a job lol",
                                  "I'm hopeless at cooking", "done living in Ottawa"])
def test_more_look_alikes(text: str) -> None:
    assert detect(text) is None


# Phrasings the net missed before the development split was read (third person, questions
# about means, a partner's injury, choking, mixing, debt bondage); the kind is checked too.
WIDENED = [
    ("suicide", "she wants to kill herself"), ("suicide", "elle veut se suicider"),
    ("suicide", "my friend says he is going to shoot himself"),
    ("suicide", "mon ami dit qu'il va se tirer une balle"),
    ("suicide", "how much fent would kill me"), ("suicide", "combien de pilules pour mourir"),
    ("suicide", "comment mourir sans douleur"), ("suicide", "ce soir je mets fin à tout"),
    ("suicide", "im checking out for good tonight"),
    ("suicide", "je veux m'endormir pis jamais me réveiller"),
    ("danger", "people are chasing me"), ("danger", "des gars me courent après"),
    ("danger", "my dealer says he's going to kill me"), ("danger", "ils vont me casser la gueule"),
    ("domestic_violence", "my husband broke my arm"),
    ("domestic_violence", "mon mari m'a cassé le bras"),
    ("domestic_violence", "my boyfriend won't let me leave the house"),
    ("domestic_violence", "mon conjoint me laisse pas sortir"),
    ("medical", "the baby is choking"), ("medical", "le petit s'étouffe"),
    ("medical", "he fell and hit his head"), ("medical", "elle est tombée pis elle s'est cogné la tête"),
    ("overdose", "i mixed pills and alcohol and i cant stay awake"),
    ("overdose", "j'ai mélangé des pilules pis de l'alcool pis je reste pas réveillé"),
    ("overdose", "he's nodding out and going grey"), ("overdose", "il pique du nez pis il devient gris"),
    ("self_harm", "i burn myself with cigarettes"), ("self_harm", "je me brûle avec des cigarettes"),
    ("self_harm", "ça sert à rien de continuer"),
    ("trafficking", "they took my ID and won't give it back"),
    ("trafficking", "ils ont pris mes cartes pis veulent pas me les redonner"),
    ("trafficking", "he makes me sleep with guys for money"),
    ("trafficking", "je leur dois de l'argent pis ils me laissent pas partir"),
    ("youth_unsafe", "im 16 and need a bed tonight"),
    ("youth_unsafe", "j'ai 15 ans pis j'ai besoin d'une place pour dormir"),
    ("youth_unsafe", "i am 14, my parents can't find out"),
    ("youth_unsafe", "j'ai 14 ans, mes parents doivent pas savoir"),
    # signs of an overdose told by a worker or a friend, and plans and means of suicide
    ("overdose", "guy slumped in the alley with the needle still in his arm"),
    ("overdose", "une fille effondrée avec la seringue encore dans le bras"),
    ("overdose", "he's breathing like once every 10 seconds"),
    ("overdose", "elle respire genre une fois aux dix secondes"),
    ("overdose", "gave her narcan twice and she's still not waking up"),
    ("overdose", "j'ai donné du narcan pis il se réveille toujours pas"),
    ("overdose", "resident unresponsive in room 4"),
    ("overdose", "le down était trop fort, il est tout mou"),
    ("suicide", "this is my last night, I have it all planned"),
    ("suicide", "c'est ma dernière nuit, j'ai tout prévu"),
    ("suicide", "what's the quickest way to die"),
    ("suicide", "c'est quoi la façon la plus rapide de mourir"),
    ("suicide", "my brother texted me he was going to hang himself"),
    ("suicide", "mon frère m'a texté qu'il allait se pendre"),
    ("suicide", "I know where I'm going to do it"), ("suicide", "je sais où je vais le faire"),
    # danger from strangers, dealers and gangs; trafficking by documents, debt and clients
    ("danger", "some guy outside the drop-in is waving a machete"),
    ("danger", "un gars rôde dehors avec une barre de fer"),
    ("danger", "i owe the wrong people and they know where i sleep"),
    ("danger", "je dois du cash pis ils savent où je dors, ils viennent ce soir"),
    ("danger", "they set my tent on fire"), ("danger", "ils ont mis le feu à ma tente"),
    ("trafficking", "my boss keeps our passports and we can't leave the farm"),
    ("trafficking", "le patron garde nos passeports pis on peut pas partir"),
    ("trafficking", "I have to work off the debt for the trip, no pay"),
    ("trafficking", "je dois rembourser le voyage en travaillant pour rien"),
    ("trafficking", "he books all my dates and keeps the cash from the clients"),
    ("trafficking", "y m'obligent à voir des clients pis gardent tout l'argent"),
    # self-harm told by a worker, passive ideation; medical emergencies without drugs
    ("self_harm", "my client has fresh cuts all over her arms"),
    ("self_harm", "ma cliente a des coupures fraîches partout"),
    ("self_harm", "everyone would be better off without me"),
    ("self_harm", "tout le monde serait mieux sans moi"),
    ("self_harm", "i wish i could just disappear"), ("self_harm", "je voudrais juste disparaître"),
    ("medical", "she's throwing up blood"), ("medical", "elle vomit du sang"),
    ("medical", "his face is drooping and his words are coming out wrong"),
    ("medical", "il a la face qui tombe pis il parle tout croche"),
    ("medical", "my sugar is crashing"), ("medical", "mon sucre est trop bas"),
    ("medical", "my toes are white and I cant feel my feet"),
    ("medical", "jsens pu mes pieds, ils sont blancs"),
    ("medical", "red streaks going up my arm from the abscess"),
    ("medical", "la rougeur monte dans mon bras vite"),
    ("danger", "a client is being threatened with a bat right now"),
    ("danger", "un client se fait menacer avec un bâton au campement"),
    ("domestic_violence", "my ex keeps showing up at my work"),
    ("domestic_violence", "mon ex arrête pas de se pointer devant chez nous"),
    ("domestic_violence", "my boyfriend takes all my money"),
    ("domestic_violence", "mon chum prend toute ma paye"),
    ("overdose", "think the batch is bad, 2 people down at the park"),
    ("self_harm", "ça sert à rien que j'existe"), ("self_harm", "no point in me being alive"),
    ("suicide", "I lost my brother to suicide and I want to die too"),
    ("domestic_violence", "my ex follows me to the shelter and waits outside"),
    ("domestic_violence", "mon ex me suit jusqu'au refuge"),
    ("trafficking", "a guy is making me sell myself for him"),
    ("trafficking", "un gars me force à voir des clients"),
    ("trafficking", "the boss keeps our passports"), ("trafficking", "le boss garde nos passeports"),
    ("suicide", "no need to find me a bed, tomorrow i won't be here"),
    ("suicide", "pas besoin de lit pour moi, demain je serai pu là"),
    ("self_harm", "my life is worthless, why keep trying"), ("self_harm", "ma vie vaut pu rien"),
    ("suicide", "dont hold my bed, i wont need it after tonight"),
    ("suicide", "gardez pas mon lit, j'en aurai pus besoin après à soir"),
    ("suicide", "this is my last message, thanks for trying"),
    ("suicide", "c'est mon dernier message, merci pour tout"),
    ("suicide", "please tell my daughter i loved her"),
    ("suicide", "dites à ma soeur que chu désolé"),
    ("suicide", "i picked the date for it, it's friday"), ("suicide", "j'ai choisi la date, c'est vendredi"),
    ("suicide", "i'll be dead before the weekend"), ("suicide", "d'ici dimanche c'est fini pour moi"),
    ("suicide", "he gave away all his stuff and said see you on the other side"),
    ("suicide", "il a donné toutes ses affaires pis il m'a dit adieu"),
    ("suicide", "im on the roof of the parking garage and im not coming down"),
    ("suicide", "chu sur le toit du stationnement pis jredescends pas"),
]

WIDENED_BENIGN = [
    "survived an overdose last year and want to start treatment",
    "j'ai fait une surdose l'an passé pis je veux commencer une thérapie",
    "I burned myself cooking, where is a clinic", "je me brûle avec le café, où est la clinique",
    "ça sert à rien de continuer à chercher", "how much to dye my hair at the school",
    "my kids keep chasing me around the park", "I'm choking up, thanks for this",
    "I'm 25 and need a bed tonight", "j'ai 25 ans pis j'ai besoin d'un lit pour ce soir",
    "my last night in the shelter is friday", "ma dernière nuit au refuge c'est vendredi",
    "the website went down after the update", "je me tue à l'ouvrage pour payer le loyer",
    "slow breathing exercises for anxiety", "quick way to get to the shelter",
    "where can I keep my ID safe", "le refuge garde mes papiers dans un casier",
    "my friend is following me on the bus to the clinic", "i owe rent, where is help with that",
    "how do I make my debts disappear", "je veux faire disparaître mes dettes",
    "à quoi ça sert de continuer à chercher", "je me suis coupé les cheveux",
    "my friend died of an overdose last month and i need grief counselling",
    "mon ami est mort d'une surdose le mois passé, je cherche du soutien pour le deuil",
    "support group for people who lost someone to suicide",
    "groupe de soutien pour ceux qui ont perdu quelqu'un par suicide",
    "le client se fait suivre par une travailleuse sociale",
    "grief group after an overdose death", "soutien pour les familles endeuillées par une surdose",
    "my friend is following me to the clinic",
    "tomorrow i won't be here for the morning meal", "demain je serai plus là pour le déjeuner",
    "je serai plus là-bas demain, je change de refuge",
    "this is my last message for today, bye", "c'est mon dernier message pour aujourd'hui",
    "got housing so i won't need the shelter after tonight",
    "i'll be gone by the weekend, moving to my aunt's in kingston",
    "tonight i'm ending things with my boyfriend, can i get a bed",
    "demain je serai pus là, je m'en vais chez ma soeur", "ma dernière journée de job c'est vendredi",
    "tell my mom sorry i missed dinner",
]


@pytest.mark.parametrize(("kind", "text"), WIDENED)
def test_widened_phrasings_trigger_in_both_languages(kind: str, text: str) -> None:
    found = detect(text)
    assert found is not None and found.kind == kind, f"{text!r}: {found} ({explain(text)})"


@pytest.mark.parametrize("text", WIDENED_BENIGN)
def test_widened_patterns_leave_look_alikes_alone(text: str) -> None:
    assert detect(text) is None, explain(text)


# An audit with fresh phrasings, and the phrasings written near each fix. Threats to
# kill or hurt are domestic violence when a partner is named in the message, danger
# otherwise; "unresponsive" stays an overdose, as "he is unresponsive" above.
AUDIT = [
    # threats, no partner named: danger
    ("danger", "I'm scared he'll kill me when he gets home"), ("danger", "j'ai peur qu'il me tue"),
    ("danger", "i'm afraid he'll hurt me when he gets back"), ("danger", "scared theyll kill me"),
    ("danger", "he'll kill me if he finds me"), ("danger", "i fear for my life"),
    ("danger", "they're going to kill me at the park"), ("danger", "j'ai peur qu'y me tue"),
    ("danger", "chu terrifiée, j'ai peur qu'il me fasse du mal"), ("danger", "j'ai peur pour ma vie"),
    ("danger", "j'ai peur qu'ils me battent"), ("danger", "le gars voulait me tuer"),
    # the same threats with a partner named: domestic violence
    ("domestic_violence", "mon chum m'a menacée de mort"),
    ("domestic_violence", "my boyfriend said he will kill me"),
    ("domestic_violence", "my bf said hell kill me"), ("domestic_violence", "my husband is going to kill me"),
    ("domestic_violence", "im scared my boyfriend will kill me when he gets home"),
    ("domestic_violence", "my girlfriend is threatening to stab me"),
    ("domestic_violence", "my baby daddy said he will kill me"),
    ("domestic_violence", "mon chum va me tuer"), ("domestic_violence", "ma blonde menace de me tuer"),
    ("domestic_violence", "mon chum m'a dit qu'il allait me tuer"),
    ("domestic_violence", "j'ai peur que mon conjoint me tue"), ("domestic_violence", "mon époux me bat"),
    ("domestic_violence", "le père de mes enfants va me tuer"),
    # held against one's will
    ("trafficking", "on me retient contre mon gré"), ("trafficking", "ils me retiennent ici contre mon gré"),
    ("trafficking", "on nous retient de force"), ("trafficking", "je suis retenue ici contre mon gre"),
    ("trafficking", "they're holding me here against my will"),
    ("trafficking", "they keep me here against my will"),
    # someone not responding: an overdose, like "he is unresponsive"
    ("overdose", "he's not responsive"), ("overdose", "she's unresponsive"),
    ("overdose", "my friend isnt responsive"), ("overdose", "hes unconcious"),
    ("overdose", "il répond plus"), ("overdose", "y répond pu"),
    ("overdose", "il répond pas quand je le secoue"),
    ("overdose", "elle réagit pas même quand je la secoue"), ("overdose", "il est pas conscient"),
    ("overdose", "I think I OD'd"), ("overdose", "i think my friend OD'd"), ("overdose", "we OD'd"),
    # suicide in slang
    ("suicide", "I'm gonna off myself"), ("suicide", "im going to off myself tonight"),
    ("suicide", "thinking of offing myself"), ("suicide", "i'm gonna delete myself"),
    ("suicide", "je vais me crisser en l'air"), ("suicide", "il veut se crisser en l'air"),
    # passive ideation and cutting
    ("self_harm", "la vie vaut pas la peine"), ("self_harm", "la vie vaut plus la peine"),
    ("self_harm", "ma vie vaut pas la peine d'être vécue"), ("self_harm", "ca vaut pu la peine de vivre"),
    ("self_harm", "life isn't worth it"), ("self_harm", "lifes not worth it anymore"),
    ("self_harm", "i cant stop cutting"), ("self_harm", "I keep cutting"),
    ("self_harm", "the urge to cut is bad tonight"), ("self_harm", "i cut again tonight"),
    ("self_harm", "jpeux pas arrêter de me couper"), ("self_harm", "j'arrive pas à arrêter de me couper"),
    ("self_harm", "l'envie de me couper revient"),
    # young people put out, or abused at home
    ("youth_unsafe", "I'm 15 and my dad kicks me out"), ("youth_unsafe", "im 14 my mom keeps kicking me out"),
    ("youth_unsafe", "i'm 13 and my stepdad locked me out"), ("youth_unsafe", "15 and on the street"),
    ("youth_unsafe", "grade 9 and homeless"), ("youth_unsafe", "13 and scared to go back home bro"),
    ("youth_unsafe", "my stepdad touches me"), ("youth_unsafe", "my mom's boyfriend touches me"),
    ("youth_unsafe", "mon beau-père me touche"), ("youth_unsafe", "le chum de ma mère me touche"),
    ("youth_unsafe", "j'ai 15 ans pis mon père me met dehors"),
    ("youth_unsafe", "ma mère m'a chassée de la maison"), ("youth_unsafe", "15 ans pis dans la rue"),
    ("youth_unsafe", "chu en secondaire 2 pis je dors dehors"),
    # weapons as emoji and words
    ("danger", "he's got a 🔫"), ("danger", "hes got a 🔪"), ("danger", "dude's got a 🔫"),
    ("danger", "guy pulled a 🔫 on me"), ("danger", "they've got a gun"), ("danger", "il a sorti un 🔫"),
    ("danger", "un gars avec un 🔪"), ("danger", "y'a un homme armé devant moi"),
    ("danger", "there's an armed man outside"),
    # a bug: "collapsed at" was read as "collapsed a(n object)"
    ("medical", "a guy collapsed at the bus stop"),
]

AUDIT_BENIGN = [
    "I'm killing myself laughing", "i killed myself laughing", "suicide prevention training for staff",
    "any suicide intervention workshops for volunteers?",
    "formation en prévention du suicide pour le personnel",
    "atelier sur la prévention du suicide", "semaine de prévention du suicide",
    "il répond pas", "il répond pas au téléphone", "il répond plus à mes textos",
    "elle répond plus depuis hier", "il est pas conscient de ses problèmes",
    "she's not responsive to texts", "he is not responsive to treatment",
    "I paid it off myself", "took the day off myself", "i find it odd",
    "la vie vaut pas la peine de se stresser pour ça", "ça vaut pas la peine de venir",
    "i can't stop cutting coupons", "they keep cutting funding", "i keep cutting my hair short",
    "i cant stop cutting corners", "i got my hair cut again",
    "my dad touched me on the shoulder", "ton message me touche", "ça me touche beaucoup",
    "ce froid-là va me tuer", "ce lundi-là va me tuer lol", "armé de patience",
    "armed forces recruitment office",
    "i am afraid for my dog", "I'm afraid they will beat us in the finals", "he'll kill it on stage tonight",
    "j'ai été hospitalisé contre mon gré", "the hospital kept me against my will",
    "where can I learn to give naloxone", "je voudrais suivre une formation pour donner le narcan",
    "groupe de soutien pour ceux qui ont perdu quelqu'un d'une overdose",
    "c'est sans espoir ton affaire", "j'ai peur qu'il pleuve", "im scared he will be late",
    "i'm 30 and got kicked out",
]


@pytest.mark.parametrize(("kind", "text"), AUDIT)
def test_audit_phrasings_trigger_with_their_kind(kind: str, text: str) -> None:
    found = detect(text)
    assert found is not None and found.kind == kind, f"{text!r}: {found} ({explain(text)})"


@pytest.mark.parametrize("text", AUDIT_BENIGN)
def test_audit_look_alikes_do_not_trigger(text: str) -> None:
    assert detect(text) is None, explain(text)


@pytest.mark.parametrize(("without_partner", "with_partner"), [
    ("he said he will kill me", "my boyfriend said he will kill me"),
    ("i'm scared he'll kill me", "i'm scared my husband will kill me"),
    ("il va me tuer", "mon chum dit qu'il va me tuer"),
    ("il m'a menacée de mort", "mon ex m'a menacée de mort"),
])
def test_a_threat_is_domestic_violence_only_when_a_partner_is_named(
        without_partner: str, with_partner: str) -> None:
    alone, named = detect(without_partner), detect(with_partner)
    assert alone is not None and alone.kind == "danger", explain(without_partner)
    assert named is not None and named.kind == "domestic_violence", explain(with_partner)


# Phrasings near each fix made after a probe of fresh crisis messages (bench/crisis_probe.yml,
# a probe written to find misses, not a test set): signs of an overdose in other words,
# means and plans, passive ideation, people hunted or stalked, a partner named anywhere in
# the message, trafficking by ads and debt, minors told about in the third person, and
# medical emergencies with no drugs. The kind is checked, so the reply has the right line.
PROBE_FIXES = [
    # overdose: colour and snoring, a needle beside someone, shaken with no response
    ("overdose", "guy by the dumpster is grey and snoring funny"),
    ("overdose", "she's slumped in the stall, a rig on the floor next to her"),
    ("overdose", "his breathing sounds like snoring and we just used"),
    ("overdose", "shook her and screamed, nothing, she shot up 5 min ago"),
    ("overdose", "cant get him to open his eyes after the fent"),
    ("overdose", "her lips are kinda blue"),
    ("overdose", "j'arrive pas à la réveiller, on a fumé ensemble"),
    ("overdose", "mon chum est affalé sur le divan avec l'aiguille à côté"),
    ("overdose", "elle respire bizarre depuis qu'elle a consommé"),
    ("overdose", "je l'ai secouée pis rien, elle réagit pas"),
    ("overdose", "y ouvre pu les yeux"), ("overdose", "ses pupilles sont toutes petites"),
    ("overdose", "il s'est piqué pis j'ai sorti le narcan, il est tombé raide"),
    # suicide: pills ready, walking off a bridge, brains out, joining the dead, voices
    ("suicide", "got my meds all counted out for tonight"),
    ("suicide", "thinking of walking off the bridge"),
    ("suicide", "he says he's going to blow his brains out"),
    ("suicide", "the only way out is death"),
    ("suicide", "i want to join my brother, he died in june"),
    ("suicide", "i'm planning to be dead by sunday"),
    ("suicide", "jai mes pilules prêtes pour à soir"),
    ("suicide", "je veux juste m'endormir pour toujours"),
    ("suicide", "la seule sortie c'est la mort"),
    ("suicide", "les voix me disent de me suicider"),
    ("suicide", "il dit qu'il va se faire sauter la cervelle"),
    ("suicide", "j'ai envie de me buter"), ("suicide", "je veux plus exister"),
    ("suicide", "je serai plus là samedi"),
    ("suicide", "je veux rejoindre mon père, il est décédé"),
    # self-harm: cutting seen by others, passive ideation in other words
    ("self_harm", "my son has been cutting, i found blades under his mattress"),
    ("self_harm", "i relapsed and cut"), ("self_harm", "i'm just a waste of space"),
    ("self_harm", "i can't see a future for myself"),
    ("self_harm", "it wouldn't even matter if i died"),
    ("self_harm", "i can't keep living like this"),
    ("self_harm", "i don't care if i live or die"), ("self_harm", "i don't deserve to live"),
    ("self_harm", "i just want to vanish"),
    ("self_harm", "she has cuts all over her wrists"),
    ("self_harm", "je me suis tailladée encore"), ("self_harm", "à quoi bon essayer encore"),
    ("self_harm", "j'en ai marre de tout"), ("self_harm", "je sers à rien sur cette terre"),
    ("self_harm", "je vois pas d'avenir pour moi"),
    ("self_harm", "je peux pas continuer à vivre comme ça"),
    ("self_harm", "je veux juste que ça arrête de faire mal"),
    ("self_harm", "je m'en fous de vivre ou mourir"), ("self_harm", "je mérite pas de vivre"),
    ("self_harm", "j'aimerais m'effacer de la terre"),
    ("self_harm", "mon ami a des coupures sur les bras"),
    # danger: hunted, stalked, a fire set, a friend jumped, a door forced
    ("danger", "im hiding in the bathroom, a guy is waiting for me outside"),
    ("danger", "the guy i owe sent people after me"),
    ("danger", "some guy is looking for me with a hammer"),
    ("danger", "a stranger is stalking me"),
    ("danger", "someone is trying to set fire to our tents"),
    ("danger", "guys jumped my buddy behind the shelter"),
    ("danger", "someone is trying to kick my door in"),
    ("danger", "je me cache dans le dépanneur, des gars me cherchent"),
    ("danger", "mon dealer a envoyé des gars me chercher"),
    ("danger", "un homme a essayé de me traîner dans son char"),
    ("danger", "des gars tabassent un homme devant le refuge"),
    ("danger", "un gars me cherche avec un marteau"),
    ("danger", "y a un inconnu qui me harcèle"),
    ("danger", "il a sorti un couteau devant moi"),
    ("danger", "ce gars va me flinguer"),
    ("danger", "ils ont mis le feu au campement"),
    # domestic violence: a partner named anywhere, family at home for an adult
    ("domestic_violence", "my ex says he knows where i sleep now"),
    ("domestic_violence", "my husband drinks and i'm scared of him"),
    ("domestic_violence", "my boyfriend said if i leave he'll hurt the kids"),
    ("domestic_violence", "my girlfriend grabbed me by the throat"),
    ("domestic_violence", "my wife throws dishes when she's mad"),
    ("domestic_violence", "my friend's boyfriend beats her"),
    ("domestic_violence", "my ex kicked in my door last night"),
    ("domestic_violence", "my partner gave me a black eye"),
    ("domestic_violence", "my boyfriend choked me until i passed out"),
    ("domestic_violence", "my son beats me, i'm 70"),
    ("domestic_violence", "mon chum m'a frappée pis m'a barrée dehors"),
    ("domestic_violence", "mon ex sait où je reste maintenant"),
    ("domestic_violence", "mon mari a pris ma carte de débit"),
    ("domestic_violence", "le chum de ma soeur la frappe"),
    ("domestic_violence", "mon conjoint boit pis me frappe"),
    ("domestic_violence", "mon chum dit qu'il va faire du mal aux enfants si je pars"),
    ("domestic_violence", "mon ex a défoncé ma porte"),
    ("domestic_violence", "ma blonde me tire par les cheveux"),
    ("domestic_violence", "mon mec me frappe"), ("domestic_violence", "mon ex me harcèle"),
    ("domestic_violence", "mon mari menace de partir avec les enfants pis de me tuer"),
    ("domestic_violence", "mon père me bat, j'ai 40 ans"),
    # trafficking: ads, clients brought, moved around, debt and blackmail
    ("trafficking", "he posts me online and books the guys"),
    ("trafficking", "my pimp takes the money from the johns"),
    ("trafficking", "he drives me to clients every night"),
    ("trafficking", "if i run they'll post videos of me"),
    ("trafficking", "they move me from motel to motel"),
    ("trafficking", "the boss locks them in at night"),
    ("trafficking", "they took our passports at the farm"),
    ("trafficking", "i have to keep turning tricks to pay him"),
    ("trafficking", "il me met sur internet pis garde l'argent des clients"),
    ("trafficking", "si je me sauve ils vont publier des photos de moi"),
    ("trafficking", "ils m'amènent des clients à l'hôtel"),
    ("trafficking", "ils me trimballent de ville en ville"),
    ("trafficking", "je dois faire des clients pour rembourser"),
    ("trafficking", "mon proxo garde tout"),
    ("trafficking", "ils me faisaient faire le trottoir pis là ils me cherchent"),
    # youth: a minor told about by someone else, thrown out in other words
    ("youth_unsafe", "my friend is 14 and sleeping in the park"),
    ("youth_unsafe", "just turned 16 and my mom threw my stuff outside"),
    ("youth_unsafe", "im 15 and my parents said i cant live there anymore"),
    ("youth_unsafe", "im 16 and living in a tent"),
    ("youth_unsafe", "im 13, my dad gets violent"),
    ("youth_unsafe", "im 15 and hiding from my stepdad"),
    ("youth_unsafe", "teen here, ran from my foster home"),
    ("youth_unsafe", "im 12 and my mom hasnt come home in days"),
    ("youth_unsafe", "my sister is 13 and ran off"),
    ("youth_unsafe", "my uncle keeps coming into my room at night"),
    ("youth_unsafe", "mon frère a 14 ans pis il dort au parc"),
    ("youth_unsafe", "j'ai 15 ans pis mes parents m'ont foutue dehors"),
    ("youth_unsafe", "j'ai 16 ans, ma famille d'accueil m'a dit de partir"),
    ("youth_unsafe", "j'ai 14 ans pis je me cache de mon beau-père"),
    ("youth_unsafe", "ado ici, je suis partie de chez nous"),
    ("youth_unsafe", "j'ai 13 ans pis ma mère revient pas depuis des jours"),
    ("youth_unsafe", "j'ai 15 ans, je me suis sauvé du foyer de groupe"),
    ("youth_unsafe", "mon beau-père vient dans ma chambre la nuit"),
    # medical: asthma, falls, burns, batteries, heart, sepsis after injecting
    ("medical", "she's having a bad asthma attack"), ("medical", "he fell off the roof"),
    ("medical", "his eyes rolled back and he's jerking on the floor"),
    ("medical", "i can barely breathe"), ("medical", "worst headache of my life"),
    ("medical", "the baby swallowed a battery"),
    ("medical", "burned on the stove and the skin is peeling off"),
    ("medical", "she fell and can't get up"), ("medical", "i think my appendix burst"),
    ("medical", "a man got hit by a truck on king edward"),
    ("medical", "my cut is full of pus and i have a fever"),
    ("medical", "his head is bleeding"),
    ("medical", "chest is tight and my left arm is numb"),
    ("medical", "fever and chills since i injected in my leg"),
    ("medical", "il fait une crise d'asthme"), ("medical", "elle est tombée du balcon"),
    ("medical", "ses yeux sont révulsés"), ("medical", "j'arrive à peine à respirer"),
    ("medical", "pire mal de tête de ma vie"), ("medical", "le bébé a avalé une pile"),
    ("medical", "il s'est brûlé pis la peau décolle"),
    ("medical", "il peut pas se relever"), ("medical", "mon appendice a éclaté"),
    ("medical", "elle s'est fait frapper par une auto"),
    ("medical", "il est tombé dans les pommes"),
    ("medical", "la plaie est pleine de pus pis j'ai de la fièvre"),
    ("medical", "sa tête saigne"), ("medical", "j'ai mal à la poitrine pis au bras gauche"),
    ("medical", "j'ai des frissons depuis que je me suis injecté"),
]

PROBE_FIXES_BENIGN = [
    "where can i take a first aid course on overdose response",
    "overdose response training for volunteers",
    "i don't want to live in a shelter anymore, any apartments?",
    "tired of living in my car, need housing", "food bank open late, i'm dying of hunger",
    "my buddy passed out drunk last month, where can he get help with drinking",
    "almost had a heart attack when i saw the rent lol",
    "je veux plus vivre en refuge, je cherche un appart",
    "chu tanné de vivre dans les refuges", "je suis tannée de vivre dans mon char",
    "j'en peux plus de ce bot", "mon ami a perdu connaissance au party le mois passé",
    "j'ai fait une crise cardiaque en voyant le prix lol",
    "my dad kicked me out when i was 16, i'm 30 now",
    "mon père m'a mis dehors à 16 ans, j'en ai 30 maintenant",
    "my friend is 15 minutes away", "she is 16 and looking for a summer job",
    "ma fille a 15 ans et cherche une job", "y a 15 ans que je vis ici",
    "the pills are lined up at the pharmacy counter", "les médicaments sont prêts à la pharmacie",
    "je veux plus exister sur facebook", "i don't care if i live in vanier or hull",
    "he keeps cutting and cutting the budget", "someone sent people to find me a job",
    "someone tried to break my window last month", "he was stalking me on instagram",
    "mon ex a pris ma carte de bibliothèque", "la peau pèle après un coup de soleil",
    "left arm is sore from the flu shot", "she throws stuff away all the time",
    "im 17 and the store told me to leave", "j'ai 16 ans, le gardien m'a dit de partir du parc",
    "they move me from city to city for work", "tombé de l'échelle l'an passé, physio?",
    "i fell off the wagon lol", "i had an asthma attack last week, need an inhaler",
    "je veux m'effacer de ta liste",
]


@pytest.mark.parametrize(("kind", "text"), PROBE_FIXES)
def test_probe_fixes_trigger_with_their_kind(kind: str, text: str) -> None:
    found = detect(text)
    assert found is not None and found.kind == kind, f"{text!r}: {found} ({explain(text)})"


@pytest.mark.parametrize("text", PROBE_FIXES_BENIGN)
def test_probe_look_alikes_do_not_trigger(text: str) -> None:
    assert detect(text) is None, explain(text)


@pytest.mark.parametrize(("minor", "adult"), [
    ("my dad beats me", "my dad beats me and i'm 34"),
    ("mon père me frappe", "mon père me frappe, j'ai 40 ans"),
])
def test_a_parent_hitting_an_adult_is_family_violence_not_a_runaway(minor: str, adult: str) -> None:
    young, grown = detect(minor), detect(adult)
    assert young is not None and young.kind == "youth_unsafe", explain(minor)
    assert grown is not None and grown.kind == "domestic_violence", explain(adult)


@pytest.mark.parametrize("text", [
    "i don't want to live in this world anymore", "je veux plus vivre dans ce monde",
    "i don't want to live in a shelter anymore and i want to die",
    "chu tanné de vivre dans les refuges, je veux mourir",
])
def test_place_exclusions_leave_a_real_wish_to_die(text: str) -> None:
    found = detect(text)
    assert found is not None and found.kind in ("suicide", "self_harm"), explain(text)


# Phrasings near each fix made after a second probe of fresh crisis messages
# (bench/crisis_probe_2.yml, by an author who saw only the labelling guide; a probe, not a
# test set): a partner named before "he hurt me", a fight that "got physical", papers taken
# and forced work, being moved between cities, being sold, a whole bottle of pills, a plan
# "to end it" stated in passing, walking into traffic, and a self-harm relapse.
PROBE_2_FIXES = [
    ("domestic_violence", "need a bed, my girlfriend went crazy last night and she hit me"),
    ("domestic_violence", "my husband and i argued and then it got physical with my husband again"),
    ("domestic_violence", "ma blonde est rentrée saoule pis elle m'a frappé"),
    ("domestic_violence", "ça a brassé avec mon chum hier, j'ai besoin d'une place"),
    ("trafficking", "the boss keeps my papers and forces me to work every night"),
    ("trafficking", "they keep moving me town to town and i do not know where i am"),
    ("trafficking", "ma cousine se fait vendre par un gars à Hull"),
    ("trafficking", "ils nous déplacent de ville en ville, on sait pas où on est"),
    ("suicide", "what if someone swallowed all of their sleeping pills"),
    ("suicide", "je vais avaler toutes mes pilules à soir"),
    ("suicide", "j'ai décidé d'en finir cette semaine"),
    ("suicide", "je m'en vais marcher dans la circulation"),
    ("suicide", "j'ai envie de me jeter devant un autobus"),
    ("self_harm", "had a self harm relapse last night"),
    ("self_harm", "relapsed on sh after 6 months"),
    ("self_harm", "j'ai recommencé à me couper"),
    # after the ninth round, the new model let these kinds through (the net had not
    # caught them either): naloxone wanted now for someone who fell, bad stock and a
    # collapse, hiding fresh cuts, people being sold
    ("overdose", "apportez du narcan vite, mon chum est tombé dans la ruelle"),
    ("overdose", "y a du mauvais fent qui circule pis mon coloc vient de tomber"),
    ("overdose", "faut de la naloxone maintenant au coin Rideau"),
    ("self_harm", "how do i hide my fresh cuts from the shelter staff"),
    ("self_harm", "comment cacher mes brûlures à ma travailleuse"),
    ("trafficking", "do you help girls who are being sold"),
]

PROBE_2_BENIGN = [
    "they move me from city to city for work",
    "what if I took 2 of my pills by mistake",
    "il a pris toute la bouteille d'eau",
    "my ex hurt my feelings",
    "je veux me faire vendre du pot",
    "mon chum m'a fait un gâteau",
    "je compte en finir avec ce dossier d'aide sociale",
    "we move from hotel to hotel with the kids",
    "how do I hide my scars for a job interview",
    "the house we rent is being sold",
    "tickets are being sold out fast",
    "je suis tombé hier, je voudrais une trousse de naloxone",
    "où avoir une trousse de naloxone",
]


@pytest.mark.parametrize(("kind", "text"), PROBE_2_FIXES)
def test_second_probe_fixes_trigger_with_their_kind(kind: str, text: str) -> None:
    found = detect(text)
    assert found is not None and found.kind == kind, explain(text)


@pytest.mark.parametrize("text", PROBE_2_BENIGN)
def test_second_probe_look_alikes_do_not_trigger(text: str) -> None:
    assert detect(text) is None, explain(text)
