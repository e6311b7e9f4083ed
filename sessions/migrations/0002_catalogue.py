"""The catalogue of remote offers, from the LGA's COVID-19 support offer and "Reshaping our
support to councils". Staff edit it in the admin from here on; this loads the first version.
"""

from django.db import migrations

PEER_SUPPORT_SOURCE = "LGA COVID-19 support offer: Peer Support offer"
LEADERSHIP_SOURCE = "LGA COVID-19 support offer: Leadership offer"
COUNCILLOR_WEBINAR_TEXT = (
    "The webinars combine pre-recorded short videos and live discussion, so councillors can "
    "watch the short films and then put their questions to the speakers and each other."
)

SKILLS = [
    ("finance", "Finance"),
    ("recovery-planning", "Recovery planning"),
    ("leadership-coaching", "Leadership coaching"),
    ("mentoring", "Mentoring"),
    ("communications", "Communications"),
    ("health-and-wellbeing", "Health and wellbeing"),
    ("commercial", "Commercial"),
    ("governance", "Governance"),
    ("scrutiny", "Scrutiny"),
    ("childrens-services", "Children's services"),
    ("adult-social-care", "Adult social care"),
    ("public-health", "Public health"),
    ("planning", "Planning"),
    ("digital", "Digital"),
    ("workforce", "Workforce"),
    ("economic-growth", "Economic growth"),
]

LEAD_MEMBER = {"name": "Lead member peer", "kind": "member", "political_rule": "same-as-leader"}

OFFERS = [
    {
        "slug": "recovery-and-renewal-panel",
        "programme": "peer-support",
        "title": "LGA Recovery & Renewal Panel",
        "summary": "A two to three-hour virtual session for lead politicians and senior officers to pause and reflect on recovery and renewal.",
        "audience": "Lead politicians and senior officers of a council",
        "description": (
            "A universal offer of a two to three-hour virtual session, available to lead politicians "
            "and senior officers. Panels are led by the LGA with a small panel of LGA member and "
            "officer peers, where participants can pause and reflect upon their response to COVID-19, "
            "with an aim to facilitate an open and honest conversation around their emerging plans on "
            "moving through recovery to renewal, as well as to capture and share learning and "
            "developing practice across the sector."
        ),
        "contact_email": "PeerChallenge@local.gov.uk",
        "delivery": "panel",
        "duration_minutes": 180,
        "duration_text": "2–3 hours",
        "source": PEER_SUPPORT_SOURCE,
        "roles": [
            LEAD_MEMBER,
            {"name": "Member peer", "kind": "member"},
            {"name": "Officer peer", "kind": "officer", "skill": "recovery-planning"},
        ],
    },
    {
        "slug": "finance-recovery-panel",
        "programme": "financial-resilience",
        "title": "Finance-themed Recovery Panel",
        "summary": "A Recovery Panel focused on the council's finances, with peers who know local government finance.",
        "audience": "Lead politicians, finance portfolio holders and senior officers",
        "description": (
            "Collaborative panels and workshop pilots from the LGA's financial resilience offer: a "
            "finance themed Recovery Panel, in the format of the LGA Recovery & Renewal Panel, with "
            "member and officer peers who bring financial expertise. It helps councils with tracking "
            "the full costs of COVID-19, in-year cost reduction, modelling the impact into future "
            "years and kick-starting the budget process in conditions of huge uncertainty."
        ),
        "contact_email": "PeerChallenge@local.gov.uk",
        "delivery": "panel",
        "duration_minutes": 180,
        "duration_text": "2–3 hours",
        "status": "coming-soon",
        "source": "LGA COVID-19 support offer: Financial resilience offer",
        "roles": [
            LEAD_MEMBER,
            {"name": "Finance member peer", "kind": "member", "skill": "finance"},
            {"name": "Section 151 officer peer", "kind": "officer", "profession": "s151-finance"},
        ],
    },
    {
        "slug": "bespoke-remote-peer-support",
        "programme": "peer-support",
        "title": "LGA Bespoke Remote Peer Support",
        "summary": "Detailed interviews and discussions with a council on a specific issue, delivered remotely over 2–3 days.",
        "audience": "A council's leadership, on an issue it chooses",
        "description": (
            "Involving detailed ongoing interviews and discussions with a council, similar to the "
            "peer-based approach used in traditional peer challenges, with council input informing "
            "the design. This bespoke peer support offer focuses on a specific issue or issues and "
            "will be delivered over 2-3 days."
        ),
        "contact_email": "PeerChallenge@local.gov.uk",
        "delivery": "multi-day",
        "duration_minutes": 360,
        "duration_text": "2–3 days",
        "session_count": 3,
        "spacing_days": 1,
        "min_notice_days": 21,
        "conflict_same_region": True,
        "source": PEER_SUPPORT_SOURCE,
        "roles": [
            LEAD_MEMBER,
            {"name": "Chief executive peer", "kind": "officer", "profession": "chief-executive"},
            {"name": "Officer peer", "kind": "officer"},
        ],
    },
    {
        "slug": "corporate-peer-challenge",
        "programme": "peer-support",
        "title": "Corporate Peer Challenge",
        "summary": "The traditional on-site peer challenge, suspended until November 2020 while remote peer support was offered instead.",
        "audience": "A council's leadership and senior officers",
        "description": (
            "Peer Challenges were suspended until November 2020, while the LGA refocused its peer "
            "support activity to provide remote peer support: see the LGA Recovery & Renewal Panel "
            "and LGA Bespoke Remote Peer Support."
        ),
        "contact_email": "PeerChallenge@local.gov.uk",
        "delivery": "multi-day",
        "duration_minutes": 420,
        "duration_text": "Usually 4 days on site",
        "session_count": 4,
        "spacing_days": 1,
        "status": "suspended",
        "suspended_until": "2020-11-01",
        "conflict_same_region": True,
        "source": PEER_SUPPORT_SOURCE,
        "roles": [
            LEAD_MEMBER,
            {"name": "Member peer", "kind": "member"},
            {"name": "Chief executive peer", "kind": "officer", "profession": "chief-executive"},
            {"name": "Officer peer", "kind": "officer"},
        ],
    },
    {
        "slug": "one-to-one-leadership-development",
        "programme": "leadership",
        "title": "One-to-one leadership development",
        "summary": "Three structured coaching calls with the same Leadership Academy facilitator.",
        "audience": "Councillors in leadership positions",
        "description": (
            "This development opportunity offers councillors in leadership positions access to "
            "one-to-one conversations with Leadership Academy Facilitators over three structured "
            "coaching calls. Sessions are focussed on helping councillors adapt their leadership "
            "style in response to the COVID outbreak. The same facilitator takes all three calls."
        ),
        "delivery": "series",
        "duration_minutes": 60,
        "duration_text": "1 hour",
        "session_count": 3,
        "spacing_days": 14,
        "min_notice_days": 5,
        "source": LEADERSHIP_SOURCE,
        "roles": [
            {"name": "Leadership Academy facilitator", "skill": "leadership-coaching"},
        ],
    },
    {
        "slug": "emergency-coaching-and-mentoring",
        "programme": "leadership",
        "title": "Emergency Coaching and Mentoring Support",
        "summary": "Coaching and mentoring for chief executives and nominated senior officers leading responses to COVID-19.",
        "audience": "Chief executives and nominated senior officers leading responses to COVID-19",
        "description": (
            "Available to chief executives and nominated senior officers leading responses to "
            "COVID-19: confidential coaching and mentoring from an experienced chief executive. "
            "Delivered in partnership with SOLACE."
        ),
        "partner": "SOLACE",
        "delivery": "series",
        "duration_minutes": 60,
        "duration_text": "1 hour",
        "session_count": 3,
        "spacing_days": 7,
        "min_notice_days": 2,
        "source": LEADERSHIP_SOURCE,
        "roles": [
            {
                "name": "Coach and mentor",
                "kind": "officer",
                "profession": "chief-executive",
                "skill": "mentoring",
            },
        ],
    },
    {
        "slug": "virtual-communications-health-check",
        "programme": "communications",
        "title": "Virtual communications health check",
        "summary": "Desk research and interviews to review a council's recovery communications plans.",
        "audience": "A council's head of communications and communications team",
        "description": (
            "A mixture of desk research and interviews to support councils to review their recovery "
            "communications plans and learnings from the COVID-19 response. Health checks focus on "
            "communications strategy, structure of the team and capacity and are led by a member of "
            "the communications support and improvement team or an LGA associate, alongside a "
            "council head of communications or communications manager."
        ),
        "delivery": "series",
        "duration_minutes": 120,
        "duration_text": "2 hours",
        "session_count": 2,
        "spacing_days": 7,
        "source": "LGA COVID-19 support offer: Communications offer",
        "roles": [
            {"name": "Communications peer", "kind": "officer", "profession": "communications"},
        ],
    },
    {
        "slug": "hwb-reset-virtual-peer-support",
        "programme": "healthier-places",
        "title": "Health and Wellbeing Board reset: virtual peer support",
        "summary": "Bespoke virtual peer support for Health and Wellbeing Board chairs moving to the next stage of the COVID-19 response.",
        "audience": "Health and Wellbeing Board chairs and members",
        "description": (
            "Part of the Health and Wellbeing Board Reset Tool, developed to support HWB chairs as "
            "they move to the next stage of the COVID-19 response; includes bespoke virtual peer "
            "support, developed following the review 'HWB Chairs touch base debrief and moving into "
            "the next phase of COVID-19'."
        ),
        "delivery": "panel",
        "duration_minutes": 150,
        "duration_text": "2½ hours",
        "source": "LGA COVID-19 support offer: Leading Healthier Places",
        "roles": [
            {"name": "Health and wellbeing member peer", "kind": "member", "skill": "health-and-wellbeing"},
            {"name": "Director of public health peer", "kind": "officer", "profession": "public-health"},
        ],
    },
    {
        "slug": "virtual-commercial-surgeries",
        "programme": "productivity",
        "title": "Virtual commercial surgeries",
        "summary": "A virtual surgery with a commercial adviser to help rebuild commercial activity in the recovery phase.",
        "audience": "Council officers and members leading commercial activity",
        "description": (
            "Part of the LGA's range of commercialisation offers, which support local authorities' "
            "rebuilding of commercial activity during the recovery phase, alongside good practice "
            "guidance, network groups and commercial case studies."
        ),
        "contact_email": "productivity@local.gov.uk",
        "delivery": "single",
        "duration_minutes": 60,
        "duration_text": "1 hour",
        "min_notice_days": 5,
        "source": "LGA COVID-19 support offer: Productivity offer",
        "roles": [
            {"name": "Commercial adviser", "kind": "officer", "skill": "commercial"},
        ],
    },
    # Webinars
    {
        "slug": "webinar-role-of-the-ward-councillor",
        "programme": "leadership",
        "title": "The role of the ward councillor",
        "summary": "The first of the councillor webinars: the role of ward councillors in responding to COVID-19.",
        "audience": "Councillors",
        "description": COUNCILLOR_WEBINAR_TEXT,
        "delivery": "webinar",
        "duration_minutes": 60,
        "seats": 100,
        "topic": "leadership",
        "source": LEADERSHIP_SOURCE,
    },
    {
        "slug": "webinar-importance-of-opposition",
        "programme": "leadership",
        "title": "The importance of opposition",
        "summary": "Why opposition matters in local government, during the pandemic and through reset and recovery.",
        "audience": "Councillors, particularly opposition group leaders and members",
        "description": COUNCILLOR_WEBINAR_TEXT,
        "delivery": "webinar",
        "duration_minutes": 60,
        "seats": 100,
        "topic": "opposition",
        "source": LEADERSHIP_SOURCE,
    },
    {
        "slug": "webinar-what-good-opposition-looks-like",
        "programme": "leadership",
        "title": "What good opposition looks like",
        "summary": "Effective opposition in practice: holding the executive to account constructively.",
        "audience": "Councillors, particularly opposition group leaders and members",
        "description": COUNCILLOR_WEBINAR_TEXT,
        "delivery": "webinar",
        "duration_minutes": 60,
        "seats": 100,
        "topic": "opposition",
        "source": LEADERSHIP_SOURCE,
    },
    {
        "slug": "webinar-rapid-innovation",
        "programme": "leadership",
        "title": "Rapid innovation",
        "summary": "How councils innovated at speed in response to COVID-19, and how to keep doing so.",
        "audience": "Councillors and political leaders",
        "description": COUNCILLOR_WEBINAR_TEXT,
        "delivery": "webinar",
        "duration_minutes": 60,
        "seats": 100,
        "topic": "leadership",
        "source": LEADERSHIP_SOURCE,
    },
    {
        "slug": "webinar-leading-a-council-with-a-multi-party-cabinet",
        "programme": "leadership",
        "title": "Leading a council with a multi-party cabinet",
        "summary": "Leading well when the cabinet is drawn from more than one political group.",
        "audience": "Leaders, cabinet members and group leaders",
        "description": COUNCILLOR_WEBINAR_TEXT,
        "delivery": "webinar",
        "duration_minutes": 60,
        "seats": 100,
        "topic": "leadership",
        "status": "coming-soon",
        "source": LEADERSHIP_SOURCE,
    },
    {
        "slug": "webinar-finance-portfolio-holders",
        "programme": "leadership",
        "title": "The role of finance portfolio holders",
        "summary": "Specific content for finance portfolio holders assessing the impact of COVID-19 on council finances.",
        "audience": "Finance portfolio holders and cabinet members",
        "description": COUNCILLOR_WEBINAR_TEXT,
        "delivery": "webinar",
        "duration_minutes": 60,
        "seats": 100,
        "topic": "finance",
        "status": "coming-soon",
        "source": "Reshaping our support to councils",
    },
    {
        "slug": "hwb-webinar-mental-health",
        "programme": "healthier-places",
        "title": "COVID-19 and mental health",
        "summary": "Health and Wellbeing Board webinar series: the relationship between COVID-19 and mental health.",
        "audience": "Health and Wellbeing Board chairs, members and officers",
        "description": "Part of the webinar series on the relationship between COVID-19 and a series of topics.",
        "delivery": "webinar",
        "duration_minutes": 90,
        "seats": 150,
        "topic": "health-and-wellbeing",
        "source": "LGA COVID-19 support offer: Leading Healthier Places",
    },
    {
        "slug": "hwb-webinar-ethnicity",
        "programme": "healthier-places",
        "title": "COVID-19 and ethnicity",
        "summary": "Health and Wellbeing Board webinar series: the relationship between COVID-19 and ethnicity.",
        "audience": "Health and Wellbeing Board chairs, members and officers",
        "description": "Part of the webinar series on the relationship between COVID-19 and a series of topics.",
        "delivery": "webinar",
        "duration_minutes": 90,
        "seats": 150,
        "topic": "health-and-wellbeing",
        "source": "LGA COVID-19 support offer: Leading Healthier Places",
    },
    {
        "slug": "hwb-webinar-health-inequalities",
        "programme": "healthier-places",
        "title": "COVID-19 and health inequalities",
        "summary": "Health and Wellbeing Board webinar series: the relationship between COVID-19 and health inequalities.",
        "audience": "Health and Wellbeing Board chairs, members and officers",
        "description": "Part of the webinar series on the relationship between COVID-19 and a series of topics.",
        "delivery": "webinar",
        "duration_minutes": 90,
        "seats": 150,
        "topic": "health-and-wellbeing",
        "source": "LGA COVID-19 support offer: Leading Healthier Places",
    },
    {
        "slug": "workforce-regional-webinars",
        "programme": "workforce",
        "title": "Workforce regional webinars",
        "summary": "Regular online regional webinars on the workforce implications of COVID-19.",
        "audience": "HR and workforce leads, and councillors with a workforce portfolio",
        "description": (
            "The Workforce team provides regular guidance and support on the workforce implications "
            "of COVID-19 via online regional webinars, forums and networks, which provide "
            "opportunities to share good practice examples and other information, such as "
            "workforce data."
        ),
        "contact_email": "workforce@local.gov.uk",
        "delivery": "webinar",
        "duration_minutes": 60,
        "seats": 200,
        "topic": "workforce",
        "source": "LGA COVID-19 support offer: Workforce capacity and support",
    },
    {
        "slug": "one-public-estate-regional-webinars",
        "programme": "one-public-estate",
        "title": "One Public Estate regional webinars",
        "summary": "A re-focused offer of regional webinars with good practice examples, now in development.",
        "audience": "Council property and estates leads and their public sector partners",
        "description": (
            "A re-focused offer responding to current needs and opportunities, including good "
            "practice examples, is currently in development. Contact your regional OPE programme "
            "manager for more information."
        ),
        "contact_email": "onepublicestate@local.gov.uk",
        "delivery": "webinar",
        "duration_minutes": 60,
        "seats": 150,
        "topic": "one-public-estate",
        "status": "coming-soon",
        "source": "LGA COVID-19 support offer: One Public Estate (OPE) offer",
    },
    {
        "slug": "pas-fireside-chats",
        "programme": "planning",
        "title": "PAS Fireside Chats",
        "summary": "A series of Fireside Chats exploring the views of councillors and planners on planning during COVID-19.",
        "audience": "Planning committee members, chairs and planning officers",
        "description": (
            "From the Planning Advisory Service's COVID-19 and planning page: a series of Fireside "
            "Chats to explore the views of councillors and planners, alongside guides, FAQs and "
            "protocols for running virtual planning committees."
        ),
        "contact_email": "PAS@local.gov.uk",
        "delivery": "webinar",
        "duration_minutes": 60,
        "seats": 100,
        "topic": "planning",
        "source": "LGA COVID-19 support offer: Planning Advisory Service (PAS) Offer",
    },
]


def load_catalogue(apps, schema_editor):
    Skill = apps.get_model("peers", "Skill")
    Offer = apps.get_model("offer_sessions", "Offer")
    RoleSlot = apps.get_model("offer_sessions", "RoleSlot")
    skills = {}
    for slug, name in SKILLS:
        skills[slug], _ = Skill.objects.get_or_create(slug=slug, defaults={"name": name})
    for order, data in enumerate(OFFERS):
        data = dict(data)
        roles = data.pop("roles", [])
        offer, _ = Offer.objects.update_or_create(
            slug=data.pop("slug"), defaults={**data, "order": order * 10}
        )
        for role_order, role in enumerate(roles):
            role = dict(role)
            skill = skills[role.pop("skill")] if "skill" in role else None
            RoleSlot.objects.update_or_create(
                offer=offer, name=role.pop("name"), defaults={**role, "skill": skill, "order": role_order}
            )


def unload_catalogue(apps, schema_editor):
    Offer = apps.get_model("offer_sessions", "Offer")
    Offer.objects.filter(slug__in=[o["slug"] for o in OFFERS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("offer_sessions", "0001_initial"),
        ("peers", "0001_initial"),
    ]

    operations = [migrations.RunPython(load_catalogue, unload_catalogue)]
