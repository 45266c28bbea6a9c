"""Free-text comments: Dutch and English sentences per theme and sentiment, chosen to match the
score and the touchpoint."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ingestion.synthetic.organisation import PROCESS_CODES
from ingestion.synthetic.scores import DETRACTOR, PASSIVE, PROMOTER

LANGUAGES = ("nl", "en")
THEMES = (
    "waiting_time", "friendliness", "expertise", "price", "billing", "product_quality", "digital",
)
SENTIMENTS = ("positive", "mixed", "negative")
VARIANTS = 3

# _SENTENCES[language][theme] = (positive x3, mixed x3, negative x3)
_SENTENCES: dict[str, dict[str, tuple[str, ...]]] = {
    "nl": {
        "waiting_time": (
            "Ik werd heel snel geholpen.",
            "Geen wachttijd, binnen een paar minuten geholpen.",
            "Snel opgepakt, dat waardeer ik.",
            "Het wachten duurde wat lang, maar daarna ging het goed.",
            "Redelijke wachttijd, kan iets sneller.",
            "Na even wachten was het opgelost.",
            "Veel te lang in de wacht gestaan.",
            "Ik heb drie keer moeten bellen voordat iemand me hielp.",
            "De wachttijd was echt belachelijk lang.",
        ),
        "friendliness": (
            "Zeer vriendelijke medewerker.",
            "Heel prettig en vriendelijk te woord gestaan.",
            "De medewerker was erg behulpzaam en aardig.",
            "Vriendelijk, maar niet echt betrokken.",
            "Beleefd geholpen, verder niets bijzonders.",
            "De medewerker was aardig maar wat kortaf.",
            "Onvriendelijke en ongeïnteresseerde medewerker.",
            "Ik voelde me totaal niet serieus genomen.",
            "De medewerker was onbeleefd en kortaf.",
        ),
        "expertise": (
            "De monteur wist precies wat hij deed.",
            "Deskundig advies gekregen, alles meteen opgelost.",
            "Goede uitleg, echt iemand met verstand van zaken.",
            "Uiteindelijk opgelost, maar het kostte wat uitzoekwerk.",
            "De uitleg was niet helemaal duidelijk.",
            "Redelijk geholpen, al wist de medewerker niet alles.",
            "De medewerker had geen idee waar hij het over had.",
            "Drie keer een ander antwoord gekregen.",
            "Mijn probleem is nog steeds niet opgelost.",
        ),
        "price": (
            "Prima prijs voor wat je krijgt.",
            "Scherp geprijsd, beter dan de concurrent.",
            "Goede aanbieding gekregen.",
            "De prijs is aan de hoge kant.",
            "Redelijke prijs, maar de korting had wat meer mogen zijn.",
            "Prijs-kwaliteit is oké.",
            "Veel te duur, ik ga overstappen.",
            "Elk jaar weer een prijsverhoging.",
            "Bij de concurrent ben ik goedkoper uit.",
        ),
        "billing": (
            "De factuur is duidelijk en klopt.",
            "Betalen gaat makkelijk en overzichtelijk.",
            "Terugbetaling was snel geregeld.",
            "De factuur is wat onoverzichtelijk.",
            "Het duurde even voordat de correctie op mijn rekening stond.",
            "Factuur klopt, maar de opbouw is lastig te begrijpen.",
            "Er staan onterechte kosten op mijn factuur.",
            "Twee keer afgeschreven en nog geen geld terug.",
            "De rekening klopt alweer niet.",
        ),
        "product_quality": (
            "Het product werkt uitstekend.",
            "Stabiele verbinding, nooit problemen.",
            "Kwaliteit is top, precies wat ik zocht.",
            "Werkt meestal goed, soms een storing.",
            "Het product is oké, niet meer dan dat.",
            "Prima, al valt de snelheid af en toe tegen.",
            "Constant storingen, niet te doen.",
            "Het product doet niet wat beloofd werd.",
            "De verbinding valt steeds weg.",
        ),
        "digital": (
            "De app werkt super handig.",
            "Alles makkelijk online geregeld.",
            "Fijne website, alles snel gevonden.",
            "De app is handig maar soms traag.",
            "Online regelen lukte, maar het was niet erg intuïtief.",
            "De website kan wel wat overzichtelijker.",
            "Inloggen in de app lukt al weken niet.",
            "De website geeft steeds foutmeldingen.",
            "Online kun je bijna niets zelf regelen.",
        ),
    },
    "en": {
        "waiting_time": (
            "I was helped very quickly.",
            "No waiting at all, sorted within minutes.",
            "Quick response, much appreciated.",
            "The wait was a bit long, but after that it went fine.",
            "Acceptable waiting time, could be faster.",
            "Took a while, but it got resolved.",
            "Way too long on hold.",
            "I had to call three times before anyone helped me.",
            "The waiting time was ridiculous.",
        ),
        "friendliness": (
            "Very friendly staff member.",
            "The agent was really kind and helpful.",
            "Pleasant and friendly conversation.",
            "Polite, but not very engaged.",
            "Friendly enough, nothing special.",
            "The agent was nice but a bit abrupt.",
            "Rude and uninterested agent.",
            "I did not feel taken seriously at all.",
            "The person I spoke to was impolite.",
        ),
        "expertise": (
            "The technician knew exactly what he was doing.",
            "Expert advice, everything fixed right away.",
            "Clear explanation from someone who knows the product.",
            "Solved in the end, but it took some figuring out.",
            "The explanation was not entirely clear.",
            "Reasonably helpful, though the agent did not know everything.",
            "The agent had no idea what he was talking about.",
            "I got a different answer every time.",
            "My problem still has not been solved.",
        ),
        "price": (
            "Good price for what you get.",
            "Competitively priced, better than the competition.",
            "Got a great deal.",
            "The price is on the high side.",
            "Fair price, but the discount could have been bigger.",
            "Value for money is okay.",
            "Far too expensive, I am going to switch.",
            "Another price increase every year.",
            "The competition is cheaper.",
        ),
        "billing": (
            "The invoice is clear and correct.",
            "Paying is easy and transparent.",
            "The refund was arranged quickly.",
            "The invoice is somewhat confusing.",
            "It took a while before the correction showed up on my bill.",
            "The bill is right, but hard to understand.",
            "There are incorrect charges on my invoice.",
            "Charged twice and still no refund.",
            "My bill is wrong again.",
        ),
        "product_quality": (
            "The product works perfectly.",
            "Stable connection, never any problems.",
            "Great quality, exactly what I needed.",
            "Works fine most of the time, with the occasional outage.",
            "The product is okay, nothing more.",
            "Fine, although the speed is sometimes disappointing.",
            "Constant outages, unacceptable.",
            "The product does not do what was promised.",
            "The connection keeps dropping.",
        ),
        "digital": (
            "The app is really convenient.",
            "Everything arranged online with ease.",
            "Nice website, found everything quickly.",
            "The app is useful but sometimes slow.",
            "Managed to do it online, but it was not very intuitive.",
            "The website could be clearer.",
            "I have not been able to log in to the app for weeks.",
            "The website keeps showing errors.",
            "You can hardly do anything yourself online.",
        ),
    },
}

# Flat sentence table, index ((language * len(THEMES) + theme) * 3 + sentiment) * VARIANTS + variant
SENTENCES: tuple[str, ...] = tuple(
    sentence
    for language in LANGUAGES
    for theme in THEMES
    for sentence in _SENTENCES[language][theme]
)


def sentences_of(language: str) -> frozenset[str]:
    return frozenset(s for theme in THEMES for s in _SENTENCES[language][theme])


@dataclass(frozen=True)
class CommentModel:
    comment_probability: dict[str, float] = field(
        default_factory=lambda: {"detractor": 0.65, "passive": 0.40, "promoter": 0.45}
    )
    second_sentence_probability: float = 0.3
    # Passives write mixed comments mostly; promoters positive, detractors negative.
    passive_sentiment: dict[str, float] = field(
        default_factory=lambda: {"positive": 0.2, "mixed": 0.6, "negative": 0.2}
    )
    # Theme mix per survey program ("relational" or a process code).
    theme_mix: dict[str, dict[str, float]] = field(
        default_factory=lambda: {
            "purchase": {
                "price": 0.35, "friendliness": 0.25, "digital": 0.25, "expertise": 0.15,
            },
            "onboarding": {
                "digital": 0.35, "expertise": 0.25, "product_quality": 0.25, "waiting_time": 0.15,
            },
            "support_call": {
                "waiting_time": 0.35, "friendliness": 0.25, "expertise": 0.25,
                "product_quality": 0.10, "digital": 0.05,
            },
            "repair": {
                "expertise": 0.30, "waiting_time": 0.30, "product_quality": 0.25,
                "friendliness": 0.15,
            },
            "billing": {"billing": 0.50, "price": 0.30, "digital": 0.20},
            "complaint": {
                "waiting_time": 0.25, "billing": 0.20, "product_quality": 0.25,
                "friendliness": 0.15, "expertise": 0.15,
            },
            "cancellation": {
                "price": 0.45, "product_quality": 0.25, "waiting_time": 0.15, "friendliness": 0.15,
            },
            "relational": {
                "price": 0.30, "product_quality": 0.35, "digital": 0.20, "billing": 0.15,
            },
        }
    )

    def _theme_cumulative(self) -> np.ndarray:
        """Row per program (processes, then relational), cumulative theme probabilities."""
        programs = (*PROCESS_CODES, "relational")
        mix = np.array([[self.theme_mix[p].get(t, 0.0) for t in THEMES] for p in programs])
        cumulative = np.cumsum(mix / mix.sum(axis=1, keepdims=True), axis=1)
        cumulative[:, -1] = 1.0
        return cumulative

    def draw(
        self, program: np.ndarray, category: np.ndarray, dutch: np.ndarray, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """Sentence indices into SENTENCES (first, second; -1 = none). `program` is the process
        code, or len(PROCESS_CODES) for relational responses."""
        count = len(program)
        probability = np.zeros(4)
        for name, code in (("detractor", DETRACTOR), ("passive", PASSIVE), ("promoter", PROMOTER)):
            probability[code] = self.comment_probability[name]
        has_comment = rng.random(count) < probability[category]
        second = has_comment & (rng.random(count) < self.second_sentence_probability)

        passive = np.cumsum([self.passive_sentiment[s] for s in SENTIMENTS])
        passive_sentiment = np.searchsorted(passive, rng.random(count) * passive[-1], side="right")
        sentiment = np.where(
            category == PROMOTER, 0, np.where(category == DETRACTOR, 2, passive_sentiment)
        )
        cumulative = self._theme_cumulative()[program]
        language = np.where(dutch, 0, 1)
        sentences = []
        for _ in range(2):
            theme = (rng.random(count)[:, None] >= cumulative).sum(axis=1)
            variant = rng.integers(0, VARIANTS, count)
            cell = (language * len(THEMES) + theme) * len(SENTIMENTS) + sentiment
            sentences.append(cell * VARIANTS + variant)
        first = np.where(has_comment, sentences[0], -1)
        return first, np.where(second & (sentences[1] != sentences[0]), sentences[1], -1)
