//! The built-in **Baby Steps** programme: five small steps for a couple where one partner
//! longs for more emotional connection and the other for more physical closeness.
//!
//! Roles come only from what a partner *seeks* (`emotional`, `physical` or `unsure`), never
//! from gender. A partner who is not sure yet is shown both role-specific question sets.
//! The per-wish answers of steps 3 and 4 (responses, offers, agreements) are handled by the
//! wish exchange, not by questions here.

use super::{
    exercise::{Audience, ExerciseTemplate, Programme, Question, QuestionKind},
    InvalidInput,
};
use serde::{Deserialize, Serialize};

/// The stable key of the Baby Steps programme.
pub const PROGRAMME_KEY: &str = "baby_steps";

/// Most characters in a long reflective answer in step 1, 3, 4 or 5.
const LONG_CHARS: u32 = 4000;
/// Most characters in a long answer in step 2.
const TALK_CHARS: u32 = 2000;
/// Most items in the step 1 list of behaviours.
const MAX_BEHAVIOURS: u32 = 20;
/// Most characters in one behaviour of that list.
const MAX_BEHAVIOUR_CHARS: u32 = 280;

/// A checklist for the one more guided conversation a couple may have before the pact.
pub const GUIDED_CONVERSATION: &[&str] = &[
    "Pick a calm moment when neither of you is tired, hungry or in a hurry, and set aside \
     around 45 minutes.",
    "Open by each saying one thing you appreciate about the other.",
    "Take turns to talk about what has been weighing on you, speaking about your own \
     experience (\"I felt …\") rather than your partner's faults.",
    "Whoever is listening stays quiet until the speaker has finished: no interrupting, \
     defending or correcting.",
    "Before you reply, sum up what you heard and check: \"Have I understood you?\"",
    "Either of you may ask for a pause if things heat up; agree on when you will come back \
     to it.",
    "Each name what you feel ready to set down, and one thing you would like from the other \
     from here on.",
    "End on something kind: a thank-you, a hug if it is welcome, or a few quiet minutes side \
     by side.",
];

/// The kinds a wish can be tagged with: a stable key and the label people read.
pub const WISH_KINDS: &[(&str, &str)] = &[
    ("emotional", "Emotional"),
    ("physical", "Physical affection"),
    ("sexual", "Sexual"),
    ("everyday", "Everyday life"),
];

/// [`WISH_KINDS`] for a couple whose programme leaves sexual content out.
const WISH_KINDS_WITHOUT_SEXUAL: &[(&str, &str)] =
    &[("emotional", "Emotional"), ("physical", "Physical affection"), ("everyday", "Everyday life")];

/// Whether the programme speaks of sexual intimacy with a couple. The therapist chooses
/// when assigning it: without sexual content, no question, example, wish kind or consent
/// sentence the couple reads mentions it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProgrammeContent {
    /// The whole programme.
    #[default]
    Full,
    /// Sexual intimacy left out.
    WithoutSexual,
}

impl ProgrammeContent {
    /// The content a case's stored flag (`cases.without_sexual_content`) stands for.
    pub fn from_flag(without_sexual_content: bool) -> Self {
        if without_sexual_content {
            ProgrammeContent::WithoutSexual
        } else {
            ProgrammeContent::Full
        }
    }

    /// True when sexual content is left out.
    pub fn leaves_out_sexual(self) -> bool {
        self == ProgrammeContent::WithoutSexual
    }

    /// The kinds a wish or a step 1 item may be tagged with.
    pub fn wish_kinds(self) -> &'static [(&'static str, &'static str)] {
        match self {
            ProgrammeContent::Full => WISH_KINDS,
            ProgrammeContent::WithoutSexual => WISH_KINDS_WITHOUT_SEXUAL,
        }
    }

    /// Checks a wish's kind against [`Self::wish_kinds`].
    pub fn parse_wish_kind(self, kind: &str) -> Result<&'static str, InvalidInput> {
        self.wish_kinds().iter().map(|(name, _)| *name).find(|name| *name == kind).ok_or_else(|| {
            InvalidInput::new(match self {
                ProgrammeContent::Full => "Choose emotional, physical, sexual or everyday.",
                ProgrammeContent::WithoutSexual => "Choose emotional, physical or everyday.",
            })
        })
    }

    /// Said plainly wherever a partner gives, agrees or practises: consent can change.
    pub fn consent_note(self) -> &'static str {
        match self {
            ProgrammeContent::Full => CONSENT_NOTE,
            ProgrammeContent::WithoutSexual => CONSENT_NOTE_WITHOUT_SEXUAL,
        }
    }

    /// The key of a step's built-in exercise (each content has its own versions).
    pub fn built_in_key(self, step: i16) -> String {
        match self {
            ProgrammeContent::Full => format!("{PROGRAMME_KEY}.{step}"),
            ProgrammeContent::WithoutSexual => format!("{PROGRAMME_KEY}.without_sexual.{step}"),
        }
    }
}

/// The first step whose page is the wishes page (answering wishes, offering smaller steps).
pub const WISHES_STEP: i16 = 3;
/// The step that opens agreements to practise and the weekly check-in.
pub const AGREEMENTS_STEP: i16 = 4;
/// The step that opens letting go and the pact.
pub const PACT_STEP: i16 = 5;

/// What has to happen before a step of the exchange opens, in the words a partner reads on
/// a page that is not open yet (and in the refusal of a move made too early).
pub fn what_comes_first(step: i16) -> &'static str {
    match step {
        WISHES_STEP => {
            "Wishes open with step 3. Before that, you each write your list in step 1, share it, \
             and talk both lists through together in step 2. Your therapist can also open this \
             step for you."
        }
        AGREEMENTS_STEP => {
            "Agreements and the weekly check-in open with step 4, once each of you has answered \
             every wish the other sent in step 3. Your therapist can also open this step for you."
        }
        PACT_STEP => {
            "Letting go and the pact open with step 5, once each of you has chosen at least one \
             agreement to practise in step 4. Your therapist can also open this step for you."
        }
        _ => "This opens once the step before it is done, or when your therapist opens it.",
    }
}

/// Said plainly wherever a partner gives, agrees or practises: consent can change.
const CONSENT_NOTE: &str = "Nobody owes their partner touch or sex, or anything else on \
    these lists. A yes is a gift for now, not a promise for ever: you can make an agreement \
    smaller again, or take your yes back at any time, without giving a reason.";

/// [`CONSENT_NOTE`] for a couple whose programme leaves sexual content out.
const CONSENT_NOTE_WITHOUT_SEXUAL: &str = "Nobody owes their partner touch, or anything else \
    on these lists. A yes is a gift for now, not a promise for ever: you can make an \
    agreement smaller again, or take your yes back at any time, without giving a reason.";

/// What the partner whose wish lost its yes reads, kindly and without blame.
pub const TAKEN_BACK_NOTE: &str = "Your partner has taken back their yes to this for now. That \
    is allowed, and it says nothing about what you are worth to them. If it hurts, it is \
    worth bringing to your next session.";

/// What a partner reads when every wish they made has had a "not for now": support, not a
/// verdict, and a pointer to the next session.
pub const DECLINED_NOTE: &str = "So far each of your wishes has had a \"not for now\". That \
    shows where your partner can and cannot meet you today; it does not measure what you \
    are worth or whether your longing is fair. Your therapist can see this too, so it is \
    a good thing to take to your next session.";

/// The whole Baby Steps programme, steps 1 to 5 in order.
pub fn programme() -> Programme {
    programme_for(ProgrammeContent::Full)
}

/// The Baby Steps programme with the chosen content, steps 1 to 5 in order.
pub fn programme_for(content: ProgrammeContent) -> Programme {
    Programme {
        key: PROGRAMME_KEY.to_owned(),
        title: "Baby Steps".to_owned(),
        summary: "Five gentle steps for couples where one partner longs for more emotional \
                  connection and the other for more physical closeness: reflect alone, \
                  listen to each other, offer what you can, shrink what feels too big, and \
                  set old resentment down."
            .to_owned(),
        steps: vec![
            step_1_on_your_own(content),
            step_2_talk_together(),
            step_3_willing_to_give(),
            step_4_smaller_steps(),
            step_5_letting_go(),
        ],
    }
}

/// Step 1: each partner reflects alone on the closeness they long for. Without sexual
/// content, the physical questions and the list's help speak of touch and affection only.
fn step_1_on_your_own(content: ProgrammeContent) -> ExerciseTemplate {
    let without = content.leaves_out_sexual();
    ExerciseTemplate {
        title: "Step 1 – On your own".to_owned(),
        summary: "Reflect privately on the closeness you long for and the everyday behaviours \
                  that would bring it about."
            .to_owned(),
        instructions: "Do this step by yourself, somewhere quiet, at a time when nobody will \
                       interrupt you. There are no right answers, and you don't need to write \
                       well. Honest and specific is what helps most.\n\n\
                       The questions follow what you told us you would like more of: \
                       emotional connection, or physical closeness. If you weren't sure, \
                       you'll see both sets. Answer the ones that speak to you and leave the \
                       rest.\n\n\
                       What you write here stays between you and your therapist until you \
                       choose to share it. Once you share, the list at the end becomes the \
                       wishes your partner reads in step 3, so phrase each item as something \
                       they could actually do.\n\n\
                       Be kind to yourself as you go. Putting a longing into words often \
                       makes it easier for both of you to understand."
            .to_owned(),
        questions: vec![
            // Questions for whoever seeks more emotional connection.
            long(
                "emotional_meaning",
                "What does emotional connection mean to you, and how does it show up in \
                 everyday behaviour?",
                Some(
                    "It can help to recall a time you felt really close to your partner. What \
                     were each of you saying or doing?",
                ),
                Audience::SeeksEmotional,
                true,
            ),
            long(
                "emotional_more",
                "What would you like more of between the two of you?",
                Some(
                    "For example: unhurried time to talk, being asked how you really are, or \
                     hearing what your partner is feeling.",
                ),
                Audience::SeeksEmotional,
                false,
            ),
            long(
                "emotional_less",
                "What would you like less of?",
                Some(
                    "Try to describe patterns rather than faults, such as \"talking while one \
                     of us is only half listening\".",
                ),
                Audience::SeeksEmotional,
                false,
            ),
            long(
                "emotional_keep_alive",
                "How do you help keep the emotional connection between you alive?",
                Some(
                    "Small things count: checking in, remembering details, making room for \
                     feelings.",
                ),
                Audience::SeeksEmotional,
                false,
            ),
            long(
                "emotional_get_in_way",
                "How do you sometimes get in the way of that connection?",
                Some(
                    "Everyone does this now and then. Being curious about your own part is a \
                     strength, not an admission of blame.",
                ),
                Audience::SeeksEmotional,
                false,
            ),
            // Questions for whoever seeks more physical closeness.
            long(
                "physical_meaning",
                if without {
                    "What does physical closeness mean to you?"
                } else {
                    "What do physical closeness and sexual intimacy mean to you?"
                },
                Some(if without {
                    "You might describe what it gives you, how it feels when it goes well, and \
                     what it is not about for you."
                } else {
                    "You might describe what they give you, how they feel when they go well, \
                     and what they are not about for you."
                }),
                Audience::SeeksPhysical,
                true,
            ),
            long(
                "physical_give",
                if without {
                    "What kinds of touch or affection would you like to give your partner?"
                } else {
                    "What kinds of touch, affection or intimacy would you like to give your \
                     partner?"
                },
                None,
                Audience::SeeksPhysical,
                false,
            ),
            long(
                "physical_receive",
                "And what would you love your partner to offer you?",
                Some(if without {
                    "Include small everyday affection: holding hands, a long hug, falling \
                     asleep close together."
                } else {
                    "Include everyday affection as well as sexual intimacy: holding hands, a \
                     long hug, falling asleep close together."
                }),
                Audience::SeeksPhysical,
                false,
            ),
            long(
                "physical_keep_alive",
                "How do you help keep physical closeness alive between you?",
                None,
                Audience::SeeksPhysical,
                false,
            ),
            long(
                "physical_get_in_way",
                "How might you get in the way of it, perhaps without meaning to?",
                Some(
                    "For instance, how you respond when your partner isn't in the mood, or \
                     whether affection sometimes comes with an expectation attached.",
                ),
                Audience::SeeksPhysical,
                false,
            ),
            // For both: the list that becomes the partner's wishes.
            Question {
                key: "behaviours".to_owned(),
                prompt: "List specific things your partner could do that would leave you \
                         deeply satisfied and make you want to move towards them."
                    .to_owned(),
                help: Some(behaviours_help(content)),
                kind: QuestionKind::List {
                    max_items: MAX_BEHAVIOURS,
                    max_item_chars: MAX_BEHAVIOUR_CHARS,
                    tagged: true,
                },
                audience: Audience::Everyone,
                required: true,
            },
        ],
    }
}

/// The help under step 1's list: one concrete action an item, tagged with its kind.
fn behaviours_help(content: ProgrammeContent) -> String {
    let (kinds, closeness) = match content {
        ProgrammeContent::Full => ("emotional, physical, sexual or everyday", "touch, affection or intimacy"),
        ProgrammeContent::WithoutSexual => ("emotional, physical or everyday", "touch or affection"),
    };
    format!(
        "Keep each item to one concrete action your partner could picture doing this week, and \
         say what kind of closeness it is about ({kinds}), such as \"Ask how my day really went \
         and listen for ten minutes\" or \"Hold me for a while when we get home\". If you long \
         for more emotional connection, choose things that would help you feel close enough to \
         want physical closeness too. If you long for more physical closeness, choose \
         {closeness} that would help you open up emotionally."
    )
}

/// Step 2: the partners share step 1 and listen with the whole body.
fn step_2_talk_together() -> ExerciseTemplate {
    ExerciseTemplate {
        title: "Step 2 – Talk it through together".to_owned(),
        summary: "Share what you each wrote in step 1 and listen to each other with your whole \
                  body."
            .to_owned(),
        instructions: "When you have both finished step 1, choose a calm time when you are \
                       rested and not rushed. Around 30 to 45 minutes is plenty. Put phones \
                       out of reach.\n\n\
                       Take turns. One of you reads or describes what you wrote while the \
                       other listens, then you swap.\n\n\
                       As the listener, your only task is to understand. Don't defend \
                       yourself, correct details or try to solve anything. You may ask a \
                       question to understand better, or reflect back what you heard: \"It \
                       sounds as if …\".\n\n\
                       Listen with your whole body. Pay attention to your mind (the thoughts \
                       that arise), your gut (tightness, unease, relief) and your heart \
                       (warmth, sadness, tenderness). You don't have to act on any of it; \
                       simply notice.\n\n\
                       If the conversation becomes heated, stop for a while. Agree on a word \
                       either of you can say to take a break of twenty minutes or so, and \
                       return when you both feel steadier. Anything that stays hard can wait \
                       for your next session.\n\n\
                       Afterwards, answer the questions below on your own."
            .to_owned(),
        questions: vec![
            talk(
                "heard_mind",
                "While you listened to your partner, what went on in your mind?",
                "The thoughts, stories or questions that came up for you.",
            ),
            talk(
                "heard_gut",
                "What did you feel in your gut?",
                "Bodily reactions such as tension, a sinking feeling, or ease.",
            ),
            talk(
                "heard_heart",
                "What did you feel in your heart?",
                "Emotions such as tenderness, sadness, hope or hurt.",
            ),
            Question {
                key: "learned".to_owned(),
                prompt: "What did you learn about your partner that you hadn't fully understood \
                         before?"
                    .to_owned(),
                help: None,
                kind: QuestionKind::LongText { max_chars: TALK_CHARS },
                audience: Audience::Everyone,
                required: true,
            },
            Question {
                key: "felt_understood".to_owned(),
                prompt: "When it was your turn to share, how understood did you feel?".to_owned(),
                help: None,
                kind: QuestionKind::Scale {
                    min: 0,
                    max: 10,
                    min_label: "Not understood at all".to_owned(),
                    max_label: "Completely understood".to_owned(),
                },
                audience: Audience::Everyone,
                required: false,
            },
        ],
    }
}

/// Step 3: each partner answers the other's wishes honestly.
fn step_3_willing_to_give() -> ExerciseTemplate {
    ExerciseTemplate {
        title: "Step 3 – What I'm willing to give".to_owned(),
        summary: "Read your partner's wishes and answer each one honestly.".to_owned(),
        instructions: "Here you'll find the list your partner wrote in step 1. Each item is a \
                       wish: something they would find deeply connecting.\n\n\
                       Read the whole list slowly before you answer anything. If an item is \
                       unclear, ask your partner what they meant before you respond, or bring \
                       it to your therapist.\n\n\
                       Then give each wish an honest answer:\n\n\
                       - Yes: you are willing to do this.\n\
                       - Not yet, but a smaller step: the whole wish feels like too much for \
                       now, and you'd like to offer something smaller (you'll shape it in \
                       step 4).\n\
                       - Not for now: it isn't something you can offer at the moment.\n\n\
                       Rate how easy each one feels to you as well. There is no target to \
                       reach. A truthful \"not for now\" protects trust far better than a \
                       yes you can't keep.\n\n\
                       Your partner is doing the same with your list."
            .to_owned(),
        questions: vec![long(
            "willing_reflection",
            "Anything you want your therapist to know about how this felt?",
            Some("Your therapist reads this. Your partner sees it only if you share it."),
            Audience::Everyone,
            false,
        )],
    }
}

/// Step 4: wishes that feel too big become smaller offers both can manage.
fn step_4_smaller_steps() -> ExerciseTemplate {
    ExerciseTemplate {
        title: "Step 4 – Smaller steps".to_owned(),
        summary: "Turn wishes that feel too big into small, safe steps you can both take.".to_owned(),
        instructions: "Some of your partner's wishes may feel too big to agree to today. \
                       That's normal, and it doesn't have to end the conversation.\n\n\
                       For any wish that feels out of reach, offer a smaller version you \
                       could genuinely manage. You might write something like: \"I can't \
                       offer that yet. What I could do is …\", and then ask your partner how \
                       it sounds to them. They can accept it or suggest a small adjustment. \
                       For example, if a wish asks for a long talk every evening, you might \
                       offer fifteen unhurried minutes twice a week.\n\n\
                       Each of you picks at least one item from the other's list to practise, \
                       so that both of you are reaching towards each other. Begin with \
                       whichever feels easiest: an early success makes the next one \
                       easier.\n\n\
                       Keep every step safe, small and flexible. If something proves harder \
                       than expected, it is fine to make it smaller again. Once you both \
                       accept a wish or an offer, it becomes an agreement, and your weekly \
                       check-in will help you see how it is going."
            .to_owned(),
        questions: vec![long(
            "smaller_steps_reflection",
            "How did it feel to offer and receive smaller steps?",
            Some(
                "Note anything that surprised you, or anything you'd like to explore with \
                 your therapist.",
            ),
            Audience::Everyone,
            false,
        )],
    }
}

/// Step 5: each partner chooses what resentment to set down, then both confirm the pact.
/// What they let go of is written once, on the letting-go page (with its one share
/// choice); this sheet only asks what each still needs to keep going.
fn step_5_letting_go() -> ExerciseTemplate {
    ExerciseTemplate {
        title: "Step 5 – Letting go".to_owned(),
        summary: "Choose to set down old resentment so it stops pushing you apart, and seal \
                  that choice together."
            .to_owned(),
        instructions: "Resentment makes sense: it usually grows out of needs that went \
                       unmet for a long time. Yet holding on to it keeps widening the \
                       distance between you, and it makes the small steps you've agreed on \
                       harder to take.\n\n\
                       Letting go doesn't mean pretending nothing happened, or that what hurt \
                       didn't matter. It is a decision to stop carrying the past into every \
                       new attempt to come closer.\n\n\
                       You name what you are ready to put down on the \"Letting go\" page, \
                       in one place: it stays between you and your therapist unless you \
                       choose to share it there. If something still needs to be said first, \
                       ask on that page for one more guided conversation; your therapist \
                       will arrange it, and you confirm the pact once it has been held.\n\n\
                       This sheet asks only what you still need from your partner to keep \
                       going. Answer it if it helps; you can leave it empty."
            .to_owned(),
        questions: vec![long(
            "still_needs",
            "What do you still need from your partner to keep going?",
            Some(
                "For example: reassurance, patience, or continuing a particular \
                 agreement.",
            ),
            Audience::Everyone,
            false,
        )],
    }
}

/// A long reflective question (up to [`LONG_CHARS`] characters).
fn long(key: &str, prompt: &str, help: Option<&str>, audience: Audience, required: bool) -> Question {
    Question {
        key: key.to_owned(),
        prompt: prompt.to_owned(),
        help: help.map(str::to_owned),
        kind: QuestionKind::LongText { max_chars: LONG_CHARS },
        audience,
        required,
    }
}

/// An optional step 2 question for both partners (up to [`TALK_CHARS`] characters).
fn talk(key: &str, prompt: &str, help: &str) -> Question {
    Question {
        key: key.to_owned(),
        prompt: prompt.to_owned(),
        help: Some(help.to_owned()),
        kind: QuestionKind::LongText { max_chars: TALK_CHARS },
        audience: Audience::Everyone,
        required: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn baby_steps_has_five_steps_under_its_key() {
        let programme = programme();
        assert_eq!(programme.key, PROGRAMME_KEY);
        assert_eq!(programme.steps.len(), 5);
        for (i, step) in programme.steps.iter().enumerate() {
            assert!(step.title.starts_with(&format!("Step {}", i + 1)), "{}", step.title);
            assert!(!step.summary.trim().is_empty());
            assert!(!step.instructions.trim().is_empty());
        }
    }

    #[test]
    fn baby_steps_question_keys_are_unique_within_each_step() {
        for step in programme().steps {
            let mut seen = HashSet::new();
            for question in &step.questions {
                assert!(
                    seen.insert(question.key.as_str()),
                    "duplicate key {} in {}",
                    question.key,
                    step.title
                );
            }
        }
    }

    #[test]
    fn baby_steps_step_1_serves_both_audiences_and_has_one_shared_list() {
        let step = &programme().steps[0];
        let has = |audience| step.questions.iter().any(|q| q.audience == audience);
        assert!(has(Audience::SeeksEmotional));
        assert!(has(Audience::SeeksPhysical));

        let lists: Vec<_> = step.questions.iter().filter(|q| q.key == "behaviours").collect();
        assert_eq!(lists.len(), 1);
        let list = lists[0];
        assert_eq!(list.audience, Audience::Everyone);
        assert!(list.required);
        assert!(matches!(list.kind, QuestionKind::List { tagged: true, .. }), "each item gets a kind");
        assert!(list.help.is_some());

        for key in ["emotional_meaning", "physical_meaning"] {
            let q = step.questions.iter().find(|q| q.key == key).unwrap();
            assert!(q.required, "{key} should be required");
        }
    }

    #[test]
    fn baby_steps_limits_are_positive_and_prompts_are_not_empty() {
        for step in programme().steps {
            for q in &step.questions {
                assert!(!q.prompt.trim().is_empty(), "empty prompt for {}", q.key);
                if let Some(help) = &q.help {
                    assert!(!help.trim().is_empty(), "empty help for {}", q.key);
                }
                match &q.kind {
                    QuestionKind::ShortText { max_chars } | QuestionKind::LongText { max_chars } => {
                        assert!(*max_chars > 0, "{}", q.key)
                    }
                    QuestionKind::List { max_items, max_item_chars, .. } => {
                        assert!(*max_items > 0 && *max_item_chars > 0, "{}", q.key)
                    }
                    QuestionKind::Scale { min, max, min_label, max_label } => {
                        assert!(min < max, "{}", q.key);
                        assert!(!min_label.is_empty() && !max_label.is_empty());
                    }
                    QuestionKind::SingleChoice { options } | QuestionKind::MultipleChoice { options } => {
                        assert!(!options.is_empty(), "{}", q.key)
                    }
                }
            }
        }
    }

    #[test]
    fn baby_steps_steps_3_and_4_titles_say_what_they_are() {
        let steps = programme().steps;
        assert!(steps[2].title.to_lowercase().contains("willing"));
        assert!(steps[3].title.to_lowercase().contains("smaller"));
    }

    #[test]
    fn baby_steps_step_5_asks_what_to_let_go_in_one_place() {
        let step = &programme().steps[4];
        assert!(
            step.questions.iter().all(|q| q.key != "letting_go"),
            "letting go is written on the letting-go page only, with its one share choice"
        );
        assert!(step.instructions.contains("\"Letting go\" page"));
        assert!(step.questions.iter().all(|q| !q.required && q.audience == Audience::Everyone));
    }

    #[test]
    fn baby_steps_checklist_and_wish_kinds_are_complete() {
        assert!((6..=8).contains(&GUIDED_CONVERSATION.len()));
        assert!(GUIDED_CONVERSATION.iter().all(|item| !item.trim().is_empty()));
        let keys: Vec<_> = WISH_KINDS.iter().map(|(key, _)| *key).collect();
        assert_eq!(keys, ["emotional", "physical", "sexual", "everyday"]);
        assert!(WISH_KINDS.iter().all(|(_, label)| !label.is_empty()));
    }
}
