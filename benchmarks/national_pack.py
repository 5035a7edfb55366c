"""Writes a generated content pack at national scale, for tests and benchmarks (never shipped content).

    python benchmarks/national_pack.py DIR [--areas 350] [--services 25] [--guides 40]

The pack has the layout of content/ (areas.toml, services.toml, guides/*.md, plan.toml, read by
pwa/content.py read_pack): a national area and AREAS local areas with generated names, SERVICES services in each
(descriptions, some open 24 hours, some weekday hours, categories), and GUIDES guides of the seed guides' length.
Nothing in it is a real organisation, and every record's source is this generator (an address under example.org,
reserved for documentation by RFC 2606). The plan's questions are the seed pack's own (content/plan.toml).

Postcode districts (for the local finder) are made up and cannot be real: each area lists one district in the
made-up postcode areas QA to QZ (QA1, QA2, ...). No UK postcode starts with Q: "the letters Q, V and X are not used
in the first position" of a postcode, https://studylib.net/doc/18359331/postcode-format (stored page,
read 2026-11-30).

Phone numbers never reach a real line: only numbers Ofcom keeps for TV and radio drama, never allocated.
- 07700 900000 to 07700 900999 (mobile): "anything from 07700 900000 to 07700 900999 will not work if you try
  to call it", http://www.upyourego.com/blog/index.php/2008/06/30/calling-the-doctor (stored page, read
  2026-11-30).
- 01632 960000 to 01632 960999: "1,000 UK numbers are set aside in a fictional geographic area with the dialling
  code 01632", http://www.bbc.com/news/blogs-magazine-monitor-32348371 (stored page, read 2026-11-30; the block
  960 within it is as the brief gives it: the whole 01632 code is fictional in any case).
"""
from __future__ import annotations

import argparse
import random
import shutil
from datetime import date
from pathlib import Path

SOURCE = "https://example.org/open-door/benchmarks/national_pack.py"
CHECKED = date(2026, 11, 1)
SEED_PLAN = Path(__file__).resolve().parent.parent / "content" / "plan.toml"

FIRST = ["Ash", "Bram", "Cal", "Dun", "Elm", "Fen", "Glen", "Hart", "Ivy", "Kings", "Lang", "Mill", "North",
         "Oak", "Pen", "Queens", "Rock", "South", "Thorn", "Upper", "Wood", "West", "East", "Brook", "Stan"]
SECOND = ["ford", "wick", "mere", "by", "ton", "field", "ley", "bury", "dale", "stow", "mouth", "haven", "worth",
          "combe", "holm"]
SHAPES = ["{}", "{} and District", "{} Vale", "{} Borough", "North {}", "{} Valley"]
KINDS = [  # (name pattern, categories, description)
    ("{} Domestic Abuse Service", ["local-support", "advice"],
     "One-to-one support from an independent domestic violence adviser (IDVA): safety planning, help with the "
     "police and courts, and someone on your side. You can refer yourself."),
    ("{} Refuge", ["refuge", "housing"],
     "Safe, confidential accommodation for women and their children escaping domestic abuse, with support staff "
     "on site. Call to ask about a space; the address is never given out."),
    ("{} Housing Options", ["housing"],
     "The council's homelessness team: if you are not safe at home, they must help you find somewhere to stay. "
     "Ask for the domestic abuse officer."),
    ("{} Children's Services", ["children"],
     "Advice and support for children and young people affected by abuse at home, and for parents worried "
     "about their children."),
    ("{} Men's Support Line", ["men", "helpline"],
     "Confidential support for men experiencing domestic abuse from a partner, ex-partner or family member."),
    ("{} LGBT+ Advocacy", ["lgbt", "local-support"],
     "Specialist support for lesbian, gay, bisexual, trans and queer people experiencing abuse, from people who "
     "understand."),
    ("{} Rape and Sexual Abuse Centre", ["sexual-violence"],
     "Free, confidential support for anyone who has experienced rape or sexual abuse, however long ago, "
     "including counselling and independent advisers."),
    ("{} Citizens' Advice Desk", ["advice", "money", "legal"],
     "Free advice on money, debt, benefits and legal rights, including what to do about joint accounts and "
     "tenancies."),
    ("{} Family Law Clinic", ["legal"],
     "Free first appointments with a family solicitor: non-molestation orders, occupation orders and child "
     "arrangements. Ask about legal aid."),
    ("{} Older People's Support", ["older-people"],
     "Support for people over 60 experiencing abuse from a partner, family member or carer."),
    ("{} Disability Advocacy", ["disability"],
     "Independent advocacy for disabled people experiencing abuse, including from a carer. Easy Read and BSL "
     "on request."),
    ("{} Stalking Advocacy Service", ["stalking"],
     "Specialist advocates for people being stalked or harassed: keeping a record, reporting, and staying "
     "safer online and offline."),
    ("{} Honour-Based Abuse Support", ["honour-based"],
     "Confidential help for anyone at risk of honour-based abuse or forced marriage, in several languages."),
    ("{} Migrant Women's Project", ["immigration", "local-support"],
     "Support for women whose immigration status depends on a partner: advice on the Domestic Violence "
     "Concession and safe housing."),
    ("{} Change Programme", ["own-behaviour"],
     "For people worried about their own behaviour towards a partner: a confidential programme to help "
     "stop abuse."),
    ("{} Friends and Family Line", ["friends-family"],
     "For anyone worried about someone they know: how to help safely, and what not to do."),
]
DAY_SETS = [["mon", "tue", "wed", "thu", "fri"], ["mon", "tue", "wed", "thu"], ["tue", "thu"],
            ["mon", "wed", "fri"], ["sat", "sun"]]
TIMES = [("09:00", "17:00"), ("08:30", "16:30"), ("10:00", "14:00"), ("09:30", "20:00"), ("18:00", "22:00")]
GUIDE_TOPICS = ["Your rights at home", "Talking to your GP", "Money of your own", "Staying safer online",
                "When children are involved", "Going to court", "After you leave", "Getting a refuge place",
                "Reporting to the police", "Coercive control", "Abuse by a family member", "Tech and tracking",
                "Pets and abuse", "At work", "Abuse in later life", "Teenage relationships"]


def place_names(count: int, rng: random.Random) -> list[str]:
    names, seen = [], set()
    while len(names) < count:
        base = rng.choice(FIRST) + rng.choice(SECOND)
        name = rng.choice(SHAPES).format(base)
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def slugify(name: str) -> str:
    return "-".join("".join(ch if ch.isalnum() else " " for ch in name.lower()).split())


def phone(index: int) -> str:
    """A drama number (see the docstring): landline-looking and mobile-looking in turn."""
    return f"01632 960{index % 1000:03d}" if index % 2 else f"07700 900{index % 1000:03d}"


def toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def service_tables(slug: str, area: str, name: str, description: str, categories: list[str], number: int,
                   position: int, rng: random.Random) -> str:
    lines = ["[[service]]", f"slug = {toml_string(slug)}", f"area = {toml_string(area)}",
             f"name = {toml_string(name)}",
             f"description = {toml_string(description + ' Generated test record: not a real service.')}"]
    if rng.random() < 0.85:
        lines.append(f'phone = "{phone(number)}"')
    else:
        lines.append(f'text_number = "{phone(number)}"')
    shape = rng.random()
    if shape < 0.2:
        lines.append("open_24_hours = true")
    elif shape < 0.85:
        days, (opens, closes) = rng.choice(DAY_SETS), rng.choice(TIMES)
        periods = [f'{{ days = [{", ".join(toml_string(d) for d in days)}], opens = "{opens}", closes = "{closes}" }}']
        if rng.random() < 0.3:
            periods.append('{ days = ["sat"], opens = "10:00", closes = "13:00" }')
        lines.append(f"hours = [{', '.join(periods)}]")
    else:
        lines.append('hours_note = "Hours vary: leave a message and they will call back at a time you say is safe."')
    lines += [f"categories = [{', '.join(toml_string(c) for c in categories)}]", f'source = "{SOURCE}"',
              f"last_checked = {CHECKED.isoformat()}", f"position = {position}"]
    return "\n".join(lines) + "\n"


def guide_text(title: str, number: int, rng: random.Random) -> str:
    """About the length of the seed guides (1.2 to 1.7 KB): paragraphs and a list, no links, no numbers of note."""
    para = ("This is a generated guide for testing the app at national scale. It reads like advice but is not "
            "advice: every sentence here was written by a program, and nothing in it has been checked.")
    points = ["Think about who you could tell, and when it would be safe to talk.",
              "Keep notes of what happens, with dates, somewhere the other person cannot see.",
              "Find out which services near you can help, before you need them.",
              "Plan how you would leave quickly if you had to, and what you would take.",
              "Remember that abuse is never your fault, whatever you have been told."]
    rng.shuffle(points)
    body = [f"{para} This part is about {title.lower()}.", "",
            "Some things that may help:", "", *(f"- {p}" for p in points), "",
            f"{para} Section {number} of the generated set.", "",
            "If you are in danger now, call 999. If it is not safe to speak, the call handler will guide you.", ""]
    return "\n".join(body)


def made_up_districts(index: int) -> str:
    """One postcode district per area that no real postcode has (Q is never a postcode's first letter): QA1 to QA99,
    then QB1, and so on."""
    letter, number = divmod(index - 1, 99)
    return (f'postcode_districts = ["Q{chr(ord("A") + letter % 26)}{number + 1}"]\n'
            f'postcode_source = "Made up by the generator (no UK postcode starts with Q): {SOURCE}"\n'
            f"postcode_last_checked = {CHECKED.isoformat()}\n")


def write_pack(folder: Path, areas: int = 350, services: int = 25, guides: int = 40, seed: int = 15) -> Path:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "guides").mkdir(exist_ok=True)
    area_tables = ['[[area]]\nslug = "national"\nname = "Anywhere in the UK"\nkind = "national"\n'
                   'description = "Generated services anyone in the UK could use (test data)."\nposition = 0\n']
    service_text = []
    number = 0
    # The national area: a few services, as a real pack has (the home page leads with the first three).
    for position, (name, categories, description) in enumerate(
            [("Generated National Helpline", ["helpline", "friends-family"],
              "Free, confidential support for anyone experiencing domestic abuse, day and night."),
             ("Generated Police Contact", ["police"], "Report a crime or a concern when it is not an emergency."),
             ("Generated Text Relay", ["deaf-or-speech"], "For people who cannot make a voice call."),
             ("Generated Men's Advice Line", ["men", "helpline"], "Support for men experiencing domestic abuse."),
             ("Generated Forced Marriage Unit", ["honour-based"], "Help for anyone facing forced marriage."),
             ("Generated Stalking Helpline", ["stalking"], "Advice for anyone being stalked or harassed.")]):
        service_text.append(service_tables(f"national-{slugify(name)}", "national", name, description,
                                           categories, number, position, rng))
        number += 1
    for index, name in enumerate(place_names(areas, rng), start=1):
        slug = f"{slugify(name)}-{index:03d}"  # numbered: generated names may repeat in other packs' seeds
        area_tables.append(f"[[area]]\nslug = {toml_string(slug)}\nname = {toml_string(name)}\nkind = \"local\"\n"
                           f"position = {index}\n{made_up_districts(index)}")
        for position in range(services):
            pattern, categories, description = KINDS[(index + position) % len(KINDS)]
            service_name = pattern.format(name) + (f" {position // len(KINDS) + 1}" if position >= len(KINDS) else "")
            service_text.append(service_tables(f"{slug}-{position + 1:02d}", slug, service_name, description,
                                                categories, number, position, rng))
            number += 1
    header = f"# Generated by benchmarks/national_pack.py (test data, not real services): {SOURCE}\n\n"
    (folder / "areas.toml").write_text(header + "\n".join(area_tables), encoding="utf-8")
    (folder / "services.toml").write_text(header + "\n".join(service_text), encoding="utf-8")
    for old in (folder / "guides").glob("*.md"):
        old.unlink()
    for index in range(guides):
        topic = GUIDE_TOPICS[index % len(GUIDE_TOPICS)]
        title = topic if index < len(GUIDE_TOPICS) else f"{topic} ({index // len(GUIDE_TOPICS) + 1})"
        front = (f'+++\ntitle = {toml_string(title)}\nsummary = "Generated guide about {title.lower()} (test data)."\n'
                 f'audience = "{"worried" if index % 8 == 7 else "you"}"\nposition = {index + 1}\n'
                 f'source = "{SOURCE}"\nlast_checked = {CHECKED.isoformat()}\n+++\n')
        (folder / "guides" / f"generated-guide-{index + 1:02d}.md").write_text(
            front + guide_text(title, index + 1, rng), encoding="utf-8")
    shutil.copyfile(SEED_PLAN, folder / "plan.toml")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--areas", type=int, default=350)
    parser.add_argument("--services", type=int, default=25)
    parser.add_argument("--guides", type=int, default=40)
    args = parser.parse_args()
    write_pack(args.directory, args.areas, args.services, args.guides)
    print(f"wrote {args.directory}: {args.areas} local areas x {args.services} services, {args.guides} guides")


if __name__ == "__main__":
    main()
