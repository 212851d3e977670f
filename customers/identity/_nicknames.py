"""Given-name variants: a nickname is the same person's name, not a different person (Bill is William)."""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz.distance import JaroWinkler

#: Below this Jaro-Winkler similarity two given names are different, unless one is a nickname or initial of the other.
DIFFERENT_GIVEN_NAME = 0.75

_GROUPS = (
    "abigail abby abbie gail",
    "abraham abe bram",
    "albert al bert bertie",
    "alexander alex alec sandy xander lex",
    "alexandra alex alexa sandra sandy lexi",
    "alfred alf alfie fred",
    "andrew andy drew",
    "angela angie",
    "anthony tony ant",
    "antonia toni",
    "arthur art artie",
    "barbara barb babs",
    "benjamin ben benny benji",
    "bernard bernie",
    "beverly bev",
    "bradley brad",
    "catherine cathy kate katie kat cat",
    "katherine kathy kate katie kat kathryn kath",
    "kathleen kathy kath",
    "charles charlie chuck chas chaz",
    "charlotte charlie lottie",
    "christine chris chrissy tina",
    "christina chris chrissy tina",
    "christopher chris kit topher",
    "clifford cliff",
    "cynthia cindy",
    "daniel dan danny",
    "danielle dani",
    "david dave davey",
    "deborah debbie deb debra",
    "dennis denny",
    "dominic dom",
    "donald don donny",
    "dorothy dot dottie",
    "douglas doug",
    "edward ed eddie ted ned",
    "edwin ed eddie",
    "eleanor ellie nell nora",
    "elizabeth liz lizzie beth betty eliza libby bess elisabeth",
    "emily em emmy",
    "eugene gene",
    "florence flo",
    "frances fran fanny",
    "francis frank frankie",
    "frederick fred freddie",
    "gabriel gabe",
    "gabrielle gabby",
    "geoffrey geoff jeff",
    "gerald gerry jerry",
    "gregory greg",
    "harold harry hal",
    "henry harry hank hal",
    "herbert herb bert",
    "isabella bella izzy isabel",
    "jacob jake",
    "james jim jimmy jamie",
    "janet jan",
    "jeffrey jeff",
    "jennifer jen jenny jenn",
    "jessica jess jessie",
    "joanne jo joanna",
    "john jack johnny jon",
    "jonathan jon jonny nathan",
    "joseph joe joey",
    "josephine jo josie",
    "joshua josh",
    "judith judy",
    "kenneth ken kenny",
    "kimberly kim kimberley",
    "lawrence larry laurie",
    "leonard len lenny leo",
    "leslie les",
    "lillian lily lil",
    "louis lou louie",
    "louise lou",
    "madeline maddie maddy",
    "margaret maggie meg peggy marge madge greta",
    "matilda tilly mattie",
    "matthew matt matty",
    "melissa mel missy",
    "melanie mel",
    "michael mike mick mickey mikey",
    "michelle shelly",
    "nathaniel nate nat",
    "nicholas nick nicky",
    "nicole nikki",
    "oliver ollie",
    "pamela pam",
    "patricia pat patty trish tricia",
    "patrick pat paddy",
    "penelope penny",
    "peter pete",
    "philip phil pip phillip",
    "rachel rach",
    "raymond ray",
    "rebecca becky becca",
    "richard rick ricky dick rich richie",
    "robert bob bobby rob robbie bert",
    "roberta bobbie",
    "rodney rod",
    "ronald ron ronnie",
    "rosemary rose rosie",
    "samantha sam sammy",
    "samuel sam sammy",
    "sarah sally sadie sara",
    "stephanie steph stevie",
    "stephen steve stevie steven",
    "susan sue susie suzy",
    "suzanne sue suzy",
    "theodore ted teddy theo",
    "thomas tom tommy",
    "timothy tim timmy",
    "valerie val",
    "veronica ronnie",
    "victoria vicky tori",
    "vincent vince vinny",
    "walter walt wally",
    "william bill billy will willie liam",
    "zachary zach zack",
)


def _index() -> dict[str, frozenset[int]]:
    groups: dict[str, set[int]] = {}
    for number, group in enumerate(_GROUPS):
        for name in group.split():
            groups.setdefault(name, set()).add(number)
    return {name: frozenset(numbers) for name, numbers in groups.items()}


_NAME_GROUPS = _index()


def _initial(a: str, b: str) -> bool:
    short = a.rstrip(".")
    return len(short) == 1 and b.startswith(short)


@lru_cache(maxsize=1 << 16)
def clearly_different_given_names(a: str, b: str) -> bool:
    """True when two present given names cannot be the same person's: dissimilar and not a nickname or initial."""
    if not a or not b or a == b:
        return False
    if JaroWinkler.normalized_similarity(a, b) >= DIFFERENT_GIVEN_NAME:
        return False
    if _initial(a, b) or _initial(b, a):
        return False
    return not (_NAME_GROUPS.get(a, frozenset()) & _NAME_GROUPS.get(b, frozenset()))
