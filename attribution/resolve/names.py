"""Name handling shared by the resolver and the matcher: folding, titles, metonyms."""

from __future__ import annotations

import re
import unicodedata

_EXTRA_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D",
                             "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "ı": "i", "’": "'"})


def fold(name: str) -> str:
    """Diacritics and case folded, whitespace collapsed: Erdoğan == erdogan."""
    s = unicodedata.normalize("NFKD", name.translate(_EXTRA_FOLD))
    s = "".join(c for c in s if not unicodedata.combining(c))
    return " ".join(s.casefold().split())


def same_speaker(a: str, b: str) -> bool:
    return bool(a) and fold(a) == fold(b)


TITLES = {
    "mr", "mrs", "ms", "miss", "dr", "prof", "professor", "sir", "dame", "lord", "lady",
    "president", "vice", "minister", "prime", "premier", "chancellor", "secretary", "senator",
    "sen", "rep", "representative", "gov", "governor", "mayor", "judge", "justice", "presiding",
    "general", "gen", "lt", "col", "colonel", "capt", "captain", "admiral", "commander", "sgt",
    "king", "queen", "prince", "princess", "pope", "rev", "reverend", "father", "sheikh",
    "ambassador", "commissioner", "chairman", "chairwoman", "chair", "chief", "executive",
    "director", "spokesman", "spokeswoman", "spokesperson", "deputy", "foreign", "interior",
    "defence", "defense", "finance", "economy", "health", "transport", "energy", "justice",
    "coach", "manager", "officer", "inspector", "superintendent", "detective", "agent",
    "ceo", "cfo", "coo", "head", "leader", "speaker", "attorney", "counsel", "state", "house",
}

PRONOUNS = {
    "he": "m", "him": "m", "his": "m", "she": "f", "her": "f", "hers": "f",
    "they": "p", "them": "p", "their": "p", "it": "n", "its": "n", "we": "p", "i": "s",
    "who": "r", "which": "r", "that": "r", "you": "s",
}

# country canonical names as used in "Government of <Country>"
COUNTRIES = {
    "russia": "Russia", "turkey": "Turkey", "türkiye": "Turkey", "uzbekistan": "Uzbekistan",
    "kyrgyzstan": "Kyrgyzstan", "kazakhstan": "Kazakhstan", "tajikistan": "Tajikistan",
    "turkmenistan": "Turkmenistan", "poland": "Poland", "united states": "the United States",
    "u.s.": "the United States", "us": "the United States", "america": "the United States",
    "united kingdom": "the United Kingdom", "britain": "the United Kingdom", "uk": "the United Kingdom",
    "france": "France", "germany": "Germany", "italy": "Italy", "spain": "Spain",
    "portugal": "Portugal", "netherlands": "the Netherlands", "belgium": "Belgium",
    "czech republic": "the Czech Republic", "czechia": "the Czech Republic", "slovakia": "Slovakia",
    "hungary": "Hungary", "austria": "Austria", "switzerland": "Switzerland", "norway": "Norway",
    "sweden": "Sweden", "finland": "Finland", "denmark": "Denmark", "iceland": "Iceland",
    "ireland": "Ireland", "greece": "Greece", "cyprus": "Cyprus", "bulgaria": "Bulgaria",
    "romania": "Romania", "moldova": "Moldova", "ukraine": "Ukraine", "belarus": "Belarus",
    "lithuania": "Lithuania", "latvia": "Latvia", "estonia": "Estonia", "serbia": "Serbia",
    "croatia": "Croatia", "slovenia": "Slovenia", "bosnia": "Bosnia and Herzegovina",
    "montenegro": "Montenegro", "albania": "Albania", "north macedonia": "North Macedonia",
    "kosovo": "Kosovo", "georgia": "Georgia", "armenia": "Armenia", "azerbaijan": "Azerbaijan",
    "iran": "Iran", "iraq": "Iraq", "syria": "Syria", "lebanon": "Lebanon", "israel": "Israel",
    "jordan": "Jordan", "egypt": "Egypt", "saudi arabia": "Saudi Arabia", "qatar": "Qatar",
    "united arab emirates": "the United Arab Emirates", "uae": "the United Arab Emirates",
    "kuwait": "Kuwait", "oman": "Oman", "yemen": "Yemen", "libya": "Libya", "tunisia": "Tunisia",
    "algeria": "Algeria", "morocco": "Morocco", "sudan": "Sudan", "ethiopia": "Ethiopia",
    "kenya": "Kenya", "nigeria": "Nigeria", "ghana": "Ghana", "south africa": "South Africa",
    "afghanistan": "Afghanistan", "pakistan": "Pakistan", "india": "India", "china": "China",
    "japan": "Japan", "south korea": "South Korea", "north korea": "North Korea",
    "taiwan": "Taiwan", "vietnam": "Vietnam", "thailand": "Thailand", "indonesia": "Indonesia",
    "malaysia": "Malaysia", "singapore": "Singapore", "philippines": "the Philippines",
    "australia": "Australia", "new zealand": "New Zealand", "canada": "Canada",
    "mexico": "Mexico", "brazil": "Brazil", "argentina": "Argentina", "chile": "Chile",
    "colombia": "Colombia", "venezuela": "Venezuela", "peru": "Peru", "cuba": "Cuba",
    "mongolia": "Mongolia", "bangladesh": "Bangladesh", "sri lanka": "Sri Lanka",
}

# capitals and seats of government used as metonyms; the EU by its seat
CAPITALS = {
    "moscow": "Russia", "ankara": "Turkey", "tashkent": "Uzbekistan", "bishkek": "Kyrgyzstan",
    "astana": "Kazakhstan", "dushanbe": "Tajikistan", "ashgabat": "Turkmenistan",
    "warsaw": "Poland", "washington": "the United States", "london": "the United Kingdom",
    "paris": "France", "berlin": "Germany", "rome": "Italy", "madrid": "Spain", "lisbon": "Portugal",
    "the hague": "the Netherlands", "prague": "the Czech Republic", "bratislava": "Slovakia",
    "budapest": "Hungary", "vienna": "Austria", "bern": "Switzerland", "oslo": "Norway",
    "stockholm": "Sweden", "helsinki": "Finland", "copenhagen": "Denmark", "dublin": "Ireland",
    "athens": "Greece", "nicosia": "Cyprus", "sofia": "Bulgaria", "bucharest": "Romania",
    "chisinau": "Moldova", "kyiv": "Ukraine", "kiev": "Ukraine", "minsk": "Belarus",
    "vilnius": "Lithuania", "riga": "Latvia", "tallinn": "Estonia", "belgrade": "Serbia",
    "zagreb": "Croatia", "ljubljana": "Slovenia", "sarajevo": "Bosnia and Herzegovina",
    "podgorica": "Montenegro", "tirana": "Albania", "skopje": "North Macedonia",
    "pristina": "Kosovo", "tbilisi": "Georgia", "yerevan": "Armenia", "baku": "Azerbaijan",
    "tehran": "Iran", "baghdad": "Iraq", "damascus": "Syria", "beirut": "Lebanon",
    "jerusalem": "Israel", "amman": "Jordan", "cairo": "Egypt", "riyadh": "Saudi Arabia",
    "doha": "Qatar", "abu dhabi": "the United Arab Emirates", "kabul": "Afghanistan",
    "islamabad": "Pakistan", "new delhi": "India", "delhi": "India", "beijing": "China",
    "tokyo": "Japan", "seoul": "South Korea", "pyongyang": "North Korea", "taipei": "Taiwan",
    "hanoi": "Vietnam", "bangkok": "Thailand", "jakarta": "Indonesia", "manila": "the Philippines",
    "canberra": "Australia", "wellington": "New Zealand", "ottawa": "Canada",
    "mexico city": "Mexico", "brasilia": "Brazil", "buenos aires": "Argentina",
    "santiago": "Chile", "bogota": "Colombia", "caracas": "Venezuela", "lima": "Peru",
    "havana": "Cuba", "nairobi": "Kenya", "abuja": "Nigeria", "pretoria": "South Africa",
    "addis ababa": "Ethiopia", "tripoli": "Libya", "algiers": "Algeria", "rabat": "Morocco",
    "ulaanbaatar": "Mongolia", "dhaka": "Bangladesh",
}
SUPRANATIONAL = {"brussels": "European Union"}

BUILDINGS = {
    "kremlin": "Russia", "white house": "the United States", "pentagon": "the United States",
    "state department": "the United States", "downing street": "the United Kingdom",
    "number 10": "the United Kingdom", "elysee": "France", "élysée": "France",
    "elysee palace": "France", "quai d'orsay": "France", "national palace": "Mexico",
    "los pinos": "Mexico", "blue house": "South Korea", "presidential office": "",
    "chancellery": "Germany", "zhongnanhai": "China", "quirinale": "Italy",
    "palazzo chigi": "Italy", "moncloa": "Spain", "bankova": "Ukraine", "belvedere": "Poland",
    "beştepe": "Turkey", "bestepe": "Turkey", "foggy bottom": "the United States",
    "whitehall": "the United Kingdom", "kasumigaseki": "Japan", "akasaka palace": "Japan",
}

DEMONYMS = {
    "russian": "Russia", "turkish": "Turkey", "uzbek": "Uzbekistan", "kyrgyz": "Kyrgyzstan",
    "kazakh": "Kazakhstan", "tajik": "Tajikistan", "polish": "Poland", "american": "the United States",
    "u.s.": "the United States", "us": "the United States", "british": "the United Kingdom",
    "french": "France", "german": "Germany", "italian": "Italy", "spanish": "Spain",
    "portuguese": "Portugal", "dutch": "the Netherlands", "belgian": "Belgium",
    "czech": "the Czech Republic", "slovak": "Slovakia", "hungarian": "Hungary",
    "austrian": "Austria", "swiss": "Switzerland", "norwegian": "Norway", "swedish": "Sweden",
    "finnish": "Finland", "danish": "Denmark", "irish": "Ireland", "greek": "Greece",
    "bulgarian": "Bulgaria", "romanian": "Romania", "ukrainian": "Ukraine",
    "belarusian": "Belarus", "lithuanian": "Lithuania", "latvian": "Latvia",
    "estonian": "Estonia", "serbian": "Serbia", "croatian": "Croatia", "albanian": "Albania",
    "macedonian": "North Macedonia", "georgian": "Georgia", "armenian": "Armenia",
    "iranian": "Iran", "iraqi": "Iraq", "syrian": "Syria", "israeli": "Israel",
    "egyptian": "Egypt", "saudi": "Saudi Arabia", "afghan": "Afghanistan", "pakistani": "Pakistan",
    "indian": "India", "chinese": "China", "japanese": "Japan", "korean": "South Korea",
    "south korean": "South Korea", "north korean": "North Korea", "vietnamese": "Vietnam",
    "australian": "Australia", "canadian": "Canada", "mexican": "Mexico", "brazilian": "Brazil",
    "argentine": "Argentina", "cuban": "Cuba", "kenyan": "Kenya", "nigerian": "Nigeria",
    "singaporean": "Singapore", "mongolian": "Mongolia", "azerbaijani": "Azerbaijan",
    "lebanese": "Lebanon", "jordanian": "Jordan", "libyan": "Libya", "moroccan": "Morocco",
    "thai": "Thailand", "indonesian": "Indonesia", "filipino": "the Philippines",
}


def metonym_government(mention: str) -> str | None:
    """`Government of <Country>` (or the EU) for a capital, seat or country name, else None."""
    key = fold(re.sub(r"^(?:the)\s+", "", mention.strip(), flags=re.I)).rstrip(".")
    key = re.sub(r"['’]s$", "", key)
    if key in SUPRANATIONAL:
        return SUPRANATIONAL[key]
    country = CAPITALS.get(key) or BUILDINGS.get(key) or COUNTRIES.get(key)
    if country:
        return f"Government of {country}"
    return None


def is_country(mention: str) -> bool:
    key = fold(re.sub(r"^(?:the)\s+", "", mention.strip(), flags=re.I))
    return key in COUNTRIES


def strip_titles(words: list[str]) -> list[str]:
    """Drop leading titles and lowercase words: ["Presiding", "Judge", "Kim", "Hye-won"] → ["Kim", "Hye-won"]."""
    i = 0
    while i < len(words) - 1 and (fold(words[i]).rstrip(".") in TITLES or not words[i][:1].isupper()):
        i += 1
    out = words[i:]
    while out and out[-1] in {"'s", "’s", ",", "."}:
        out = out[:-1]
    return out
