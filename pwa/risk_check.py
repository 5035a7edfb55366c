"""The risk self-check (/check): its questions, what each answer means, and where to get help, in one place.

Informed by the practitioners' tools (the SafeLives Dash risk checklist; the College of Policing's DARA) and the
research behind them, but it is not either of them: it never scores, never rates anyone's danger as small, and
never says anyone is safe. Every "why" was read on the source it names (docs/research/help-services-2026-11-30.md,
section 16, and pages found with the search tool on 2026-11-30). The page renders this data; the browser script
(static/js/check/) only shows the "why" of the questions answered yes, and the cluster when its parts all are.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext

from .i18n import N_

LAST_CHECKED = date(2026, 11, 30)
ANSWERS = {"yes": N_("Yes"), "no": N_("No"), "unsure": N_("Not sure")}


@dataclass(frozen=True)
class Source:
    name: str
    url: str


@dataclass(frozen=True)
class Question:
    slug: str
    factor: str  # what practitioners call it
    question: str
    why: str  # one or two plain sentences: why a yes raises the danger
    sources: tuple[Source, ...]


DASH_FORM = Source(N_("Dash risk checklist (police version, 2009)"), "https://paperzz.com/doc/7134875/dash-risk-form")
PLYMOUTH = Source(N_("Plymouth Safeguarding Children Partnership: Dash and Marac"),
                  "https://plymouthscb.co.uk/safe-lives-dash-ric-checklist")
SHAKTI = Source(N_("Shakti Women's Aid: information about risk"),
                "https://shaktiedinburgh.co.uk/my-situation-issues/some-information-about-risk/")
STALKING_STUDY = Source(N_("Suzy Lamplugh Trust: stalking and homicide research"),
                        "https://www.suzylamplugh.org/news/homicide-research")
COLLEGE_OF_POLICING = Source(N_("College of Policing: the DARA risk assessment"),
                             "https://www.college.police.uk/article/police-better-equipped-spot-controlling-behaviour")

QUESTIONS: tuple[Question, ...] = (
    Question(
        "separation", N_("Separation (recent or planned)"),
        N_("Have you split up with them in the last year, or are you thinking about leaving?"),
        N_("Danger often goes up around the time someone leaves, plans to leave, or when the abuser thinks they might. "
           "You can still leave: services help people plan it so it is less dangerous."),
        (SHAKTI, Source(N_("First Light: if you are worried about someone"),
                        "https://www.firstlight.org.uk/if-you-are-worried-about-someone/"), DASH_FORM)),
    Question(
        "violence", N_("Physical or sexual violence"),
        N_("Have they ever hurt you physically, or made you do sexual things you did not want to do?"),
        N_("Violence in a relationship usually happens more often and gets more serious over time. "
           "It is also one of three things that are most dangerous when they come together (see below)."),
        (Source(N_("Refuge: how can I help?"),
                "https://www.refuge.org.uk/our-work/campaigns/1-in-4-women-avon/how-can-i-help/"),
         PLYMOUTH)),
    Question(
        "strangulation", N_("Strangulation or choking"),
        N_("Have they ever put their hands round your neck, choked you, strangled you or stopped you breathing?"),
        N_("This is one of the strongest warning signs, even if it happened once and left no marks: people strangled "
           "by a partner are seven times more likely to be killed by them. It can also do serious harm to your body."),
        (Source(N_("Faculty of Forensic and Legal Medicine: Institute for Addressing Strangulation"),
                "https://fflm.ac.uk/resources/institute-for-addressing-strangulation/"), PLYMOUTH)),
    Question(
        "threats-to-kill", N_("Threats to kill"),
        N_("Have they ever said they will kill you, or someone close to you?"),
        N_("Take a threat to kill seriously. In a study of more than 350 killings, the killer had threatened to kill "
           "in more than half of them."),
        (STALKING_STUDY, PLYMOUTH)),
    Question(
        "weapons", N_("Weapons"),
        N_("Have they ever used a weapon or an object to hurt you or scare you?"),
        N_("Using a weapon, or anything as a weapon, shows they are ready to cause serious injury. "
           "It is one of the things known to raise the danger."),
        (SHAKTI, DASH_FORM)),
    Question(
        "stalking", N_("Stalking"),
        N_("Do they keep calling, messaging, following or watching you, or turn up where you are, when you do not want "
           "them to?"),
        N_("This is stalking, and it is a serious warning sign. In the same study of more than 350 killings, "
           "stalking behaviour was found in 94 out of 100."),
        (STALKING_STUDY, PLYMOUTH)),
    Question(
        "control", N_("Coercive control"),
        N_("Do they control what you do, who you see or where you go, or control your money or your phone?"),
        N_("Control like this is abuse and has been a crime since 2015. It was found in 92 out of 100 of the killings "
           "studied, and the police's newer risk assessment (DARA) asks more about it."),
        (COLLEGE_OF_POLICING, STALKING_STUDY)),
    Question(
        "escalation", N_("Escalation"),
        N_("Is it getting worse, or happening more often?"),
        N_("When abuse gets worse or happens more often, the danger is growing. "
           "Things getting worse was found in 79 out of 100 of the killings studied."),
        (SHAKTI, STALKING_STUDY, PLYMOUTH)),
    Question(
        "pregnancy", N_("Pregnancy or a new baby"),
        N_("Are you pregnant, or have you had a baby in the last 18 months?"),
        N_("Abuse often starts or gets worse during pregnancy or after a baby is born, and it puts you and the baby in "
           "danger. You can talk in confidence to a midwife, GP or health visitor."),
        (Source(N_("NHS: domestic abuse in pregnancy"),
                "https://www.nhs.uk/pregnancy/support/domestic-abuse-in-pregnancy/"),
         DASH_FORM)),
    Question(
        "fear", N_("Your own fear"),
        N_("Are you very frightened of what they might do?"),
        N_("You know them best. Services take your fear seriously: how frightened you are is one of the things they "
           "weigh."),
        (PLYMOUTH, DASH_FORM)),
)

# Separation, coercive control and physical or sexual violence together: shown only when all three are "yes".
CLUSTER_PARTS = ("separation", "control", "violence")
CLUSTER = Question(
    "cluster", N_("Separation, coercive control and violence together"),
    "",
    N_("You said yes to leaving (or thinking about it), to being controlled, and to being hurt. Research found that "
       "when these three come together, the risk of being killed goes up by 300%. Services treat this mix as high "
       "danger even when little else is true."),
    (PLYMOUTH,))

# Where to get help: every fact from docs/research/help-services-2026-11-30.md (sections 1, 12 and 16).
HELPLINE = {
    # Translators: the name of the national helpline in England. People may need its English name to find it.
    "name": N_("National Domestic Abuse Helpline"),
    "phone": "0808 2000 247",
    "tel": "tel:08082000247",
    "about": N_("Free, confidential, open 24 hours a day."),
    "source": Source(N_("Cheshire Police: how do I report domestic abuse?"),
                     "https://cheshire.police.uk/advice-and-support/domestic-abuse/how-do-i-report-domestic-abuse/"),
}
SILENT_SOLUTION_SOURCE = Source(N_("Cambridgeshire Police: silent 999 calls"),
                                "https://www.cambs.police.uk/information-and-services/Contact/Silent-999-Calls")
MARAC = N_("A Marac is a regular local meeting where the police, health, housing, children's services, domestic abuse "
           "services and others share what they know about people in high danger, and agree a plan together to keep "
           "them safer; you do not go, but an IDVA usually speaks for you.")
MARAC_SOURCE = Source(N_("HM Inspectorate of Constabulary: Marac"),
                      "https://hmicfrs.justiceinspectorates.gov.uk/glossary/multi-agency-risk-assessment-conference/")
IDVA = N_("An IDVA (Independent Domestic Violence Adviser) is a trained specialist who supports people in high danger: "
          "they look at the risks with you, talk through your choices and make a safety plan with you.")
IDVA_SOURCE = Source(N_("Mersey Care NHS: Marac and IDVAs"), "https://yourspace.merseycare.nhs.uk/safeguarding/"
                     "domestic-abuse-1/multi-agency-risk-assessment-conference-marac")
FULL_ASSESSMENT_SOURCES = (
    Source(N_("SafeLives: how the Dash is used"),
           "https://safelives.org.uk/policy_blog/no-return-first-come-first-served-victims-domestic-abuse"),
    Source(N_("Gwent Safeguarding: risk assessment and safety planning"),
           "https://www.gwentsafeguarding.org.uk/en/vawdasv/support-and-advice/risk-assessment-and-safety-planning"),
    COLLEGE_OF_POLICING,
)


def question(slug: str) -> Question:
    return next(q for q in QUESTIONS if q.slug == slug)


def translate(text: str) -> str:
    """Text from this module (marked for pybabel with N_) in the page's language.

    Python's gettext, not Jinja's `_()`: that reads every "%" as a placeholder (CLUSTER's "300%" is not one) and
    returns markup, which Jinja would then not escape."""
    return gettext(text) if text else text  # gettext("") is the catalogue's header


def all_sources() -> list[Source]:
    """Every source the page names, each once, in the order they first appear."""
    named = [s for q in (*QUESTIONS, CLUSTER) for s in q.sources]
    named += [SILENT_SOLUTION_SOURCE, HELPLINE["source"], IDVA_SOURCE, MARAC_SOURCE, *FULL_ASSESSMENT_SOURCES]
    return list(dict.fromkeys(named))
