//! The crisis check: does a piece of free text show that its writer may be in
//! danger — thoughts of suicide or self-harm, or being hurt, threatened,
//! controlled, stalked or forced by someone? Every form of both shells asks it
//! (`rekindle_app::crisis::mentions`), and a yes brings up the help lines first.
//!
//! People at night rarely use the textbook words, so the check reads phrases
//! with their common variants ("dont want to wake up", "everyone would be
//! better off", "grabbed me by the throat", "said he'd post my nudes") rather
//! than a handful of exact strings, and it leaves out what only sounds like
//! danger: hyperbole with a laugh ("this week is killing me lol", "i could die
//! of shame"), a phrase denied in its own clause ("i'm not going to hurt
//! myself", "he never laid a hand on me"), history that is over ("i used to
//! self harm, 3 years clean"), and the writer's own checking of the ex's
//! profile ("i keep stalking his insta"). A missed crisis is the worse error,
//! so where a phrase is ambiguous the check says yes. Rules and the measured
//! sets: docs/safety.md ("Crisis words").

use std::sync::LazyLock;

use regex::Regex;

/// What a text shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CrisisSigns {
    /// Thoughts, plans or acts of suicide or self-harm by the writer.
    pub self_harm: bool,
    /// The writer hurt, threatened, controlled, stalked, forced or afraid of
    /// someone; or someone threatening to harm themselves to hold the writer.
    pub danger: bool,
}

impl CrisisSigns {
    pub fn any(self) -> bool {
        self.self_harm || self.danger
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    SelfHarm,
    Danger,
}

/// Which readings a phrase is checked against before it counts.
#[derive(Clone, Copy)]
struct Guards {
    /// "not", "never", "don't"... in the three words before it, same clause.
    negation: bool,
    /// A laugh in the text, or "of shame" / "laughing" right after it.
    hyperbole: bool,
    /// Old history, over ("used to", "years clean", "when i was 15").
    past: bool,
}

impl Guards {
    const fn new(negation: bool, hyperbole: bool, past: bool) -> Guards {
        Guards {
            negation,
            hyperbole,
            past,
        }
    }
}

const ALL: Guards = Guards::new(true, true, true);
const NEGATION: Guards = Guards::new(true, false, false);
const NEGATION_PAST: Guards = Guards::new(true, false, true);
const NEGATION_HYPERBOLE: Guards = Guards::new(true, true, false);

/// End of a clause in the normalized text (see [`normalize`]).
const END: &str = r"(?:\s*\.|$)";

/// The phrases. Patterns run on [`normalize`]d text: lower case, apostrophes
/// dropped ("dont", "im", "hed", "shell"), sentence marks as " . ".
fn phrases() -> Vec<(Kind, Guards, String)> {
    use Kind::{Danger, SelfHarm};
    let pron = r"(?:he|she|they|ex|him|her|them|partner|husband|wife|boyfriend|girlfriend|bf|gf)";
    let will = r"(?:\s+will|\s+would|ll|d|\s+is going to|\s+was going to|\s+is gonna|\s+was gonna|\s+gonna|s going to|s gonna)";
    let pills = r"(?:pills|tablets|meds|medication|medicine|sleeping pills|sleeping tablets|painkillers|paracetamol|tylenol|ibuprofen|aspirin|antidepressants|insulin)";
    vec![
        // --- Self-harm: the act or the wish, said outright.
        (
            SelfHarm,
            ALL,
            r"\b(?:kill|killing|killed|off|offing|hurt|hurting|harm|harming|cut|cutting|burn|burning|hang|hanging|drown|drowning|starve|starving|poison|poisoning|end|ending|unalive|unaliving|shoot|shooting|stab|stabbing)\s+(?:my ?self|meself)\b".into(),
        ),
        (SelfHarm, NEGATION_PAST, r"\b(?:kms|unaliv\w*)\b".into()),
        (SelfHarm, ALL, r"\bsuicid\w*".into()),
        (SelfHarm, NEGATION_PAST, r"\bself ?[- ]?harm\w*".into()),
        (
            SelfHarm,
            NEGATION,
            r"\b(?:end|ending|ended|take|taking|took|end to) (?:my|my own) life\b".into(),
        ),
        (SelfHarm, NEGATION, r"\bend(?:ing)? it all\b".into()),
        (
            SelfHarm,
            NEGATION,
            format!(r"\bend(?:ing)? everything{END}"),
        ),
        (
            SelfHarm,
            NEGATION_HYPERBOLE,
            r"\b(?:want|wanna|wanted|wanting|ready|going|gonna|planning|plan|deserve|hope|hoping|wish|wishing|longing|long) (?:to )?(?:just )?(?:die|be dead|not be alive|not exist|not be here anymore|stop existing|cease to exist|disappear forever|disappear for good)\b".into(),
        ),
        (
            SelfHarm,
            NEGATION_HYPERBOLE,
            r"\b(?:wish|wished|wishing) (?:i|id) (?:was |were |had |could |would |just )*(?:dead|die|never been born|never born|not (?:alive|here|born|exist)|gone forever|sleep forever|stop existing|disappear forever|not wake up|never wake up|didnt exist|didnt wake up|wasnt alive|wasnt here|werent here)\b".into(),
        ),
        (
            SelfHarm,
            NEGATION,
            format!(
                r"\b(?:dont|do not|didnt|no longer|never) (?:really )?(?:want|wanna|wish) (?:to )?(?:be alive|exist(?: anymore| any more)?{END}|wake up|be on this earth|keep living|keep going(?: anymore| any more| like this)?{END}|stay alive|be here (?:anymore|any more)|be around (?:anymore|any more)|live(?: anymore| any more| like this)?{END}|go on(?: anymore| any more| like this| living)?{END}|carry on(?: anymore| any more| like this| living)?{END})"
            ),
        ),
        (
            SelfHarm,
            NEGATION,
            format!(
                r"\b(?:tired|sick|exhausted|done) (?:of|with) (?:being alive|existing|being here|being on this earth|breathing|living{END}|life{END}|it all{END})"
            ),
        ),
        (
            SelfHarm,
            NEGATION,
            r"\b(?:not|isnt|aint|is not) worth living\b|\blife (?:isnt|is not|aint) worth (?:it|living)\b|\b(?:dont|do not) deserve to (?:live|be alive|exist)\b|\bdeserve(?:d)? to die\b".into(),
        ),
        (
            SelfHarm,
            NEGATION,
            format!(
                r"\bbetter off (?:without me|if i (?:was|were|wasnt|werent|had|hadnt|didnt|never|died|disappeared|left for good)|with me gone|when im gone|dead){END}?|\b(?:everyone|everybody|the world|my family|my kids|the kids|my parents|my friends|people) (?:would|will|d|are|is|would all|will all)? ?(?:be )?(?:so much |much |a lot )?better off(?:{END}| without| if)"
            ),
        ),
        (
            SelfHarm,
            NEGATION,
            r"\b(?:no ?one|noone|nobody|no body) (?:would|will|d|is going to|gonna)? ?(?:even )?(?:miss|notice|care|cry)(?: about)?(?: it)?(?: if| when)? (?:me|i (?:was|were|am|m|died|disappeared|left|was gone|were gone|wasnt here|werent here|stopped)|im (?:gone|dead)|id gone)\b".into(),
        ),
        (
            SelfHarm,
            NEGATION,
            r"\b(?:no|whats the|what is the|dont see the|dont see any|dont see a|cant see the|cant see any|cant see a|there is no|theres no|see no|lost (?:the|any|all)|without any|not much) (?:point|reason|reasons|purpose) (?:in |of |to |for )?(?:living|being alive|going on|carrying on|life|waking up|being here|existing|live|keep living|keep going|staying alive|stay alive|anything anymore|me being here|getting up anymore|keep(?:ing)? (?:this body|myself|me) (?:going|alive|running|here))\b".into(),
        ),
        (
            SelfHarm,
            NEGATION,
            format!(
                r"\b(?:cant|cannot|can not) (?:go on|keep going|carry on|keep living|do life|live like this|cope)(?: anymore| any more| like this| much longer)?{END}"
            ),
        ),
        (
            SelfHarm,
            NEGATION,
            r"\b(?:sleep|go to sleep|fall asleep|close my eyes|lie down) and (?:never|not|just not) (?:wake|open them|get) up\b|\b(?:never|not) (?:to )?wake up (?:again|tomorrow)\b|\bsleep forever\b|\b(?:hope|hoping|wish|pray|praying) (?:i|id) (?:dont|do not|wont|will not|never|didnt) wake up\b".into(),
        ),
        (
            SelfHarm,
            NEGATION,
            r"\b(?:want|wanna|wish i could|wish i could just|just want to|want to just|going to|gonna) (?:stop existing|not exist|cease to exist|stop breathing)\b|\b(?:think|thinking|thought|dream|dreaming|fantasi[sz]e|fantasi[sz]ing|imagine|imagining|want|wanting|wish|wishing) (?:about |of )?(?:just )?(?:not|no longer) (?:being|be|existing|exist) (?:here|around|alive|anymore)\b".into(),
        ),
        // --- Self-harm: means, plans and goodbyes.
        (
            SelfHarm,
            NEGATION,
            format!(
                r"\b(?:took|take|taking|swallowed|swallow|swallowing|downed|down|necked|popped|pop|stockpil\w*|saving up|saved up|hoarding|hoarded|counting|counted|collecting|collected|saving|saved|stashing|stashed|looking at|staring at|lined up|emptied) (?:all |all of |every one of |every |the (?:whole|entire|rest of the) (?:bottle|box|pack|packet|strip|tub)(?: of)? |a (?:bunch|handful|load|lot|fistful|pile|stack|few boxes|few packets|whole bottle|whole box|whole pack|whole packet) of |loads of |too many |extra |a stash of |enough )(?:my |the |them |those |these |of my |of the |mums |moms |dads )?{pills}\b|\b(?:stockpil\w*|saving up|saved up|hoarding|hoarded|stashing|stashed|been saving|been collecting|collecting|counting) (?:up )?(?:my |the |all my |some )?{pills}\b|\benough {pills} to\b|\b{pills} (?:i have|ive got|ive been saving|saved up|stashed|lined up)\b"
            ),
        ),
        (SelfHarm, NEGATION_PAST, r"\boverdos\w*|\bod(?:d|ed|ing)? on\b".into()),
        (
            SelfHarm,
            NEGATION,
            r"\b(?:jump|jumping|jumped|throw myself|throwing myself|threw myself|step|stepping|stepped|walk|walking|walked|drive|driving|drove|crash|crashing|swerve|swerving) (?:off|from|in front of|into|under|over) (?:the|a|that|this|some|my|oncoming) (?:bridge|roof|building|balcony|ledge|cliff|train|bus|traffic|car|lorry|truck|tracks|river|sea|ocean|lake|tree|wall|window|motorway|highway|edge)\b".into(),
        ),
        (
            SelfHarm,
            NEGATION,
            r"\b(?:standing|stood|sitting|sat|been standing|went up|climbed|leaning|leant|leaned) (?:on|at|over|onto) (?:the|a|that) (?:edge|ledge|railing|railings|parapet)\b|\b(?:thinking|thought|think|keep thinking|kept thinking|been thinking|dream|dreaming) (?:about|of) (?:the|that|a) (?:bridge|tracks|train tracks|ledge|edge|rope|noose|razor|blade|blades|gun|cliff|river|railway|car park roof)\b|\bnoose\b".into(),
        ),
        (
            SelfHarm,
            NEGATION_PAST,
            r"\b(?:razor|razors|blade|blades|knife|knives|scissors|lighter)\b[^.]{0,40}\b(?:my (?:arm|arms|wrist|wrists|leg|legs|thigh|thighs|skin|stomach|hips)|myself)\b|\b(?:slit|slice|slicing|slash|slashing|cut|cutting|carve|carving|scratch|scratching|burn|burning|burned|burnt)\w* (?:open |into |up )?(?:my|open my|into my) (?:wrist|wrists|arm|arms|thigh|thighs|skin|legs|leg|stomach|hips)\b|\bfresh (?:cuts|scars)\b".into(),
        ),
        (
            SelfHarm,
            NEGATION,
            r"\b(?:relapse|relapsed|relapsing)\b[^.]{0,30}\b(?:cutting|self ?harm|cut|harm|hurting myself)|\b(?:cutting|self ?harm|harming|hurting myself)\b[^.]{0,30}\b(?:relapse|again)\b".into(),
        ),
        (
            SelfHarm,
            NEGATION,
            r"\b(?:suicide|goodbye|good bye|farewell) (?:note|notes|letter|letters|message|messages|video|text|texts|post)\b|\b(?:giving|gave|give|given|gifting|gifted) (?:away |away all |all )?(?:my )?(?:stuff|things|belongings|possessions|clothes|plants) (?:away|to)\b|\b(?:giving|gave|give|given) away (?:all )?(?:of )?(?:my )?(?:stuff|things|belongings|possessions|clothes|cat|dog|plants|pets?|savings|money)\b|\b(?:gave|giving|give|left|leave|leaving|rehomed|rehoming|rehome|dropped) (?:my |the )?(?:cat|dog|kids|pets?|puppy|kitten|fish|rabbit|hamster|plants?) (?:to|with|off (?:at|with)) (?:\w+ ){1,3}(?:just )?in case\b|\bin case (?:im|i am|i m|i was|i wasnt) (?:not )?(?:here|around|gone)\b|\bwont be (?:here|around) (?:much longer|for much longer|for long|tomorrow|anymore|any more|by (?:then|tomorrow|morning|next week|the weekend|christmas))\b|\b(?:saying|said|say) (?:my )?(?:goodbye|goodbyes|bye) to (?:everyone|everybody|the world|my (?:family|friends|kids|mum|mom|sister|brother|dog|cat))\b|\b(?:made|written|wrote|writing|updated|updating|sorted|sorting|did|doing) (?:out |up )?(?:my |a )(?:will|funeral plans|funeral playlist)\b|\bthis is (?:my )?(?:last|final) (?:note|goodbye)\b|\bmy (?:last|final) (?:goodbye|message to (?:everyone|you all|the world))\b|\b(?:my|the) funeral\b[^.]{0,40}\b(?:want|wanted|play|song|wear|plan|planned)\b".into(),
        ),
        // --- Self-harm: the warning signs of the crisis lines' lists (a burden,
        // no reason to live, looking for a way, affairs put in order, goodbyes).
        (
            SelfHarm,
            NEGATION,
            r"\b(?:im|i am|ive been|i feel like|i just feel like|i always feel like|i feel|ive become|i became|i know im|i know i am) (?:such |just |only |nothing but |literally |a total |a massive |a huge |like )*(?:a|the) (?:burden|drain|waste of space|waste of oxygen|waste of air)\b|\bwont be (?:a |an )?(?:problem|burden|bother|issue|nuisance|worry) (?:for|to) (?:anyone|anybody|you|them|everyone|anyone else)\b|\b(?:wont|not going to|dont plan on|not planning on|not planning to|dont plan to|dont intend to|not intending to) be (?:\w+ ){0,4}(?:much longer|for much longer|for long)\b|\b(?:dont|do not|not) (?:plan|planning|intend|intending) (?:on |to )(?:be |being )(?:here|around|alive)\b|\bwont be (?:here|around|alive) to (?:see|read|hear|watch|deal|know|find)\b|\bdont think (?:ill|i will|im going to|im gonna) (?:be (?:here|around|alive)|(?:be )?see(?:ing)? (?:the new year|christmas|my birthday|next (?:year|christmas|summer|week)|another (?:year|christmas|birthday|summer)|spring|summer))\b".into(),
        ),
        (
            SelfHarm,
            NEGATION_HYPERBOLE,
            r"\bwould (?:anyone|anybody) (?:even )?(?:notice|care|miss me|come)\b|\bif i (?:didnt|dont|never) wake up\b|\bif i (?:was|were|wasnt|werent|just wasnt|just werent|disappeared|died|was gone|were gone|wasnt around|werent around|wasnt here|werent here|wasnt alive)\b[^.]{0,60}\b(?:notice|miss|care|better|relieved|easier|wouldnt have to|fine|happier|free)\b|\b(?:be|been|are|is|would be|d be) (?:\w+ )?(?:fine|better|happier|okay|ok|relieved|easier|better off|free|lighter) (?:\w+ ){0,2}without me\b|\brelieved if i\b|\bbetter off with [^.]{0,40} than (?:me|with me|a \w+ like me)\b|\b(?:if|that|when) (?:i|id) (?:had )?never (?:been born|existed)\b|\bnothing (?:left )?to live for\b|\b(?:the )?only (?:thing|reason|one|person|thing thats) (?:keeping|that keeps|stopping|that stops|holding) me (?:here|alive|from (?:doing it|ending it|it|going))\b".into(),
        ),
        (
            SelfHarm,
            NEGATION_HYPERBOLE,
            format!(
                r"\b(?:ways|way|how|best way|easiest way|painless way|quickest way|methods?|easiest|quickest|painless) to (?:die|end it|kill myself|end my life|not wake up|overdose|go painlessly)\b|\b(?:rather|sooner) be dead\b|\bwish (?:someone|something|somebody|a car|a bus|a truck|the plane|it|they) would (?:just )?(?:kill|hit|run over|end|take) me\b|\bhope (?:the|a|my) (?:plane|car|bus|train|flight) (?:goes down|crashes|hits me)\b|\bhop(?:e|ing) (?:something|someone|a car|a bus) (?:would |will )?(?:hit|hits|kill|kills|happen|happens|bad happens|bad would happen)\b|\bhoping something (?:would|will|bad would|bad will) happen\b|\bsleep(?:ing)? forever\b|\b(?:the )?long (?:kind of )?sleep\b|\bpermanent(?:ly)? (?:quiet|asleep|sleep|rest|gone|silent|still|peace|solution|out)\b|\b(?:quiet|asleep|gone|silent) (?:permanently|for good|forever)\b|\b(?:i|im|i am|ive|id|part of me|sometimes i|i still|i keep) (?:really |just |kinda |kind of |sort of |honestly |actually |still |sometimes |seriously |genuinely |do |also )*(?:want|wants|wanna|wanting|going|gonna|ready|planning|plan|thinking about|think about|thought about|tempted|could|might|should|just) (?:to )?(?:just )?end(?:ing)? it(?:{END}| tbh| honestly| ngl| tonight| now| soon| all| for good| permanently)|\b(?:check|checking|log|logging|tap|tapping|bow|bowing|clock|clocking) out (?:for good|permanently|of (?:life|this world))\b|\b(?:time|ready) to (?:check|log|tap|bow) out(?: for good| of (?:life|this world))?{END}|\bout of every(?:one|body)s (?:life|lives)\b|\btired of being me\b|\b(?:wish|wished|wishing|want|wanna|wanting) (?:i |id )?(?:could |to )?(?:just )?(?:disappear|vanish|fade out|fade away|be gone|go away|stop) (?:forever|for good|permanently)\b|\bsave (?:everyone|everybody|them|you all|the world|my family|my kids|people) (?:the|a lot of) (?:trouble|bother|hassle|pain|effort)\b|\b(?:might as well|should just|may as well|could just) (?:finish|end) (?:the job|it|things|everything)\b|\bif (?:my body|my heart|i) (?:just )?(?:gives up|gave up|stops|stopped|give up)\b[^.]{{0,25}}\b(?:fine|ok|okay|good|whatever|dont care|wouldnt mind)\b|\bnothing (?:else )?left to sort\b|\bnot (?:scared|afraid|frightened) of (?:dying|death|being dead)(?: anymore| any more)?\b|\b(?:it|itll|this|all this|everything|it all)(?: will| ll)? (?:all )?be over (?:soon|tomorrow|tonight|by (?:tomorrow|morning|the weekend|friday|sunday))\b|\b(?:go|going|gone|went) through with it\b|\bi know (?:how|when|where) and (?:i know )?(?:how|when|where)\b"
            ),
        ),
        (
            SelfHarm,
            NEGATION_PAST,
            format!(r"\b(?:bought|buying|buy|got|getting|have|found|tied|tying|got myself|ordered) (?:a |some |the |enough )?rope\b|\b(?:already )?(?:wrote|written|writing|left|leaving|finished|folded|sealed) (?:the |my |some |a few |all the |little )?notes\b(?: (?:for|to) (?:mum|mom|mam|dad|my|everyone|the kids|people|them|each|family))?|\bcut(?:ting)? (?:again|deeper|myself again|tonight|last night)\b|\b(?:back to|started|start|starting|went back to|gone back to) cutting\b|\b(?:cut|cuts|scars|burns|marks) (?:on|into|across) my (?:\w+ )?(?:arm|arms|wrist|wrists|thigh|thighs|legs?|stomach|hips)\b|\b(?:took|swallowed|downed|necked) (?:everything|all of it|the lot|whatever (?:was|i found)) (?:in|from) (?:the |my |mums |moms )?(?:cabinet|drawer|cupboard|bathroom|medicine)|\b(?:half|most) (?:a|of a|of the) (?:strip|box|bottle|pack|packet|tub) of (?:my |the |those |these |her |his |mums |moms )?(?:old )?{pills}\b|\b(?:two|three|four|five|\d+) (?:strips|boxes|packets|packs|bottles) of (?:my |the |those |these )?{pills}\b|\bhold(?:ing)? my(?:self| head) under\b|\b(?:punch|punched|punching|hit|hitting|bang|banged|banging|smash|smashed|smashing) (?:the |a |my )?(?:brick )?(?:wall|walls|mirror|door|head)\b[^.]{{0,40}}\b(?:till|until|til|so) (?:my )?(?:knuckles|hand|hands|fist|head) (?:split|bled|bleed|broke|were bleeding|was bleeding)\b|\b(?:havent eaten|not eating|stopped eating|starving myself|skipped meals|skipping meals|no seatbelt|without (?:my |a )?seatbelt|into traffic|in the (?:middle of the )?road)\b[^.]{{0,40}}\bon purpose\b|\bon purpose\b[^.]{{0,40}}\b(?:hurt|bleed|burn|cut|starve|traffic|seatbelt)\b"),
        ),
        (
            SelfHarm,
            NEGATION,
            r"\b(?:saying|said|say|sayin) (?:my |proper |real |final |last )?(?:goodbye|goodbyes|bye|byes)\b[^.]{0,50}\b(?:last time|without (?:them|her|him|anyone) (?:knowing|realising|realizing)|for good|forever)\b|\blike it was the last time\b|\b(?:my |probably my |the )?(?:last|final) (?:entry|sorry|apology|goodbye|check ?in|words)\b|\b(?:so|then|and) (?:nobody|no one|noone|people|they|everyone|my family|mum|mom|mam) (?:has|have|will have|wont have|dont have|doesnt have|wont need|doesnt need)? ?(?:to )?(?:deal with|sort out|sort|clean up|untangle|worry about|pay for|find)\b[^.]{0,25}\b(?:after|later|when im gone|my mess|me)\b|\b(?:drive|driving|walk|walking|swerve|swerving|steer|steering) (?:straight |right )?(?:through|into|off) (?:a |the |every )?(?:red light|red lights|traffic|oncoming|wall|bridge|tree|cliff)\b|\b(?:edge|ledge) of (?:the|a) (?:platform|roof|bridge|cliff|building|balcony|car park)\b".into(),
        ),
        // --- Danger: violence.
        (
            Danger,
            NEGATION,
            r"\b(?:hit|hits|hitting|punched|punch|punches|punching|slapped|slap|slaps|slapping|kicked|kicks|kicking|shoved|shoves|shoving|choked|chokes|choking|strangled|strangles|strangling|smacked|smacks|smacking|beat|beats|beating|beaten|bit|bites|headbutted|headbutts|elbowed|spat on|spit on|spits on|throttled|battered|whacked|thumped|kneed|clawed|scratched|burned|burnt|stabbed|cut) (?:me|my face|my head|my arm|my back|my stomach|my neck|my throat)\b".into(),
        ),
        (
            Danger,
            NEGATION,
            r"\b(?:threw|throws|throw|thrown|throwing|chucked|chucks|hurled|hurls|flung|lobbed|smashed|swung|aimed) (?:a |an |the |his |her |their |my |our |some |that |this |whole |hot |full )?(?:\w+ ){0,2}(?:at|towards|toward) (?:me|my head|my face)\b|\bthrew me (?:against|into|across|down|out|onto|on|to|off|over)\b".into(),
        ),
        (
            Danger,
            NEGATION,
            r"\b(?:pinned|pins|pinning|held|holds|holding|slammed|slams|slamming|dragged|drags|dragging|grabbed|grabs|grabbing|yanked|yanks|cornered|corners|shook|shakes|shaking|pushed|pushes|pushing|shoved|shoving|blocked|blocks|blocking) me (?:down|against|up against|onto|on the|to the (?:floor|ground|wall|bed)|by (?:the|my) (?:arm|arms|wrist|wrists|hair|throat|neck|shoulders|shoulder|collar|jaw|face|hoodie|jacket|coat|shirt)|across|off|so hard|in (?:the|a) (?:corner|room|car|bathroom|bedroom|kitchen)|into (?:the|a) (?:wall|door|table|car|floor|counter|wardrobe|cupboard|mirror|glass|fridge|stairs|bannister|radiator))\b|\b(?:from|of) leaving\b[^.]{0,20}\b(?:blocked|stood in|stands in|standing in|wouldnt move)\b|\b(?:blocked|blocking|blocks|stood in|standing in|stands in) the (?:door|doorway|exit|hallway|stairs)\b".into(),
        ),
        (
            Danger,
            NEGATION,
            r"\b(?:hands?|fingers|arm|knee|forearm) (?:around|round|on|to|against|across|over) my (?:throat|neck|mouth)\b|\blaid (?:a )?(?:hand|finger|hands) on me\b|\b(?:put|puts|putting|lay|lays|laying) (?:his|her|their) hands? on me\b|\bput (?:his|her|their) hands? (?:around|round|on) (?:me|my)\b".into(),
        ),
        (
            Danger,
            NEGATION,
            r"\b(?:gave|give|gives|left|leaves|leaving) me (?:a |with )?(?:bruise|bruises|black eye|split lip|fat lip|broken (?:rib|nose|wrist|arm|finger)|marks|scars|concussion|stitches)\b|\b(?:bruise|bruises|marks|fingermarks|finger marks|handprint|hand print) (?:on|all over|around|round) my (?:arm|arms|neck|face|body|wrist|wrists|legs?|throat|back|ribs|thigh|thighs|cheek|eye)\b|\bblack eye\b|\bsplit lip\b".into(),
        ),
        (
            Danger,
            NEGATION,
            format!(
                r"\b(?:grabbed|grabs|grabbing|squeezed|squeezes|squeezing|pulled|pulls|pulling|yanked|yanks|yanking|pinched|pinches|held|holds|gripped|grips) my (?:\w+ )?(?:throat|neck|arm|arms|wrist|wrists|hair|face|jaw)\b|\b(?:twisted|twists|twisting|slammed|slams|slamming|bent|bends|crushed|crushes|burned|burnt|burns|scratched|bit|bites|broke|broken|dislocated|sprained|stamped on|hit|punched|kicked|stabbed) my (?:\w+ )?(?:throat|neck|arm|arms|wrist|wrists|hair|hand|hands|face|head|leg|legs|finger|fingers|jaw|shoulder|shoulders|back|ribs|nose|eye|lip|foot|feet|chest|breast|breasts|thigh|thighs)\b|\bdragged me\b|\b(?:he|she|they|hes|shes|theyre|ex)\b(?: \w+){{0,2}} (?:hits|beats|punches|slaps|kicks|chokes|strangles|hit|punched|slapped)(?:{END}| when| whenever| if| every| us| the kids| me)|\b(?:he|she|they|ex|hes|shes|theyre|him|her)\b[^.]{{0,25}}\b(?:kick|kicked|kicking|kicks|smash|smashed|smashing|smashes|punch|punched|punching|punches|broke|break|breaking|breaks|bashed|bashing|banging|banged|bangs|booted) (?:the |my |our |a |down the |in the |through the |holes in the )?(?:\w+ )?(?:door|doors|wall|walls|window|windows|mirror|mirrors)(?: in| down| off)?\b"
            ),
        ),
        // --- Danger: control and stalking.
        (
            Danger,
            NEGATION,
            r"\b(?:smashed|snatched|confiscated|hid|hides|hiding|destroyed|stole|steals|stolen|withholds|withheld|keeps|kept|took|takes|taken|broke|breaks|cut up|cuts up) (?:up )?my (?:phone|phones|keys|car keys|house keys|passport|bank card|bank cards|cards|debit card|credit card|wallet|purse|id|charger|laptop|sim|sim card|wages|salary|benefits|money)\b(?:[^.]{0,20}\b(?:so i|to stop|to keep|and wont|and wouldnt|so i cant|so i couldnt)\b)?".into(),
        ),
        (
            Danger,
            NEGATION,
            r"\block(?:ed|s|ing)? me (?:in|inside|out|up)\b|\b(?:wouldnt|wont|doesnt|didnt|does not|did not|would not|will not|never) let me (?:leave|go|out|see|have|talk to|speak to|call|text|use|sleep|eat|work|get out|go out|go anywhere|wear|drive|keep|touch|near)\b|\bcontrols? (?:all |everything )?(?:about )?(?:my|our) (?:money|finances|phone|bank|cards|account|accounts|spending|food|clothes|friends|life)\b|\b(?:goes through|went through|going through|monitors|monitored|monitoring) (?:all )?my (?:phone|messages|texts|emails|dms|whatsapp|chats|call log|calls|bank statements)\b|\b(?:checks|checking|reads|reading|goes through|going through) (?:all )?my (?:phone|messages|texts|whatsapp|dms|emails) (?:every|each|all the time|constantly|daily|whenever)\b|\bmade me (?:give|hand|share|send) (?:him|her|them) (?:my )?(?:passwords?|pin|passcode|codes|phone|location|wages|money)\b|\b(?:wont|doesnt|didnt|wouldnt) let me (?:have|keep) (?:my own )?(?:money|friends|phone|job)\b|\b(?:cut|cuts|cutting|isolated|isolates|isolating) me (?:off )?(?:from|off from) (?:my |all my )?(?:friends|family|mum|mom|parents|sister|brother|everyone)\b".into(),
        ),
        (
            Danger,
            NEGATION,
            r"\b(?:tracks|tracking|tracked|track|traced|tracing|monitors|monitoring) (?:my |me |me on my )?(?:phone|location|car|every move|movements|whereabouts|steps|gps)\b|\b(?:airtag|air tag|tracker|tracking device|tracking app|spyware|stalkerware|gps tracker)\b|\b(?:knows|knew|knowing|found out) (?:exactly )?where i (?:am|was|live|work|go|went|moved)\b[^.]{0,40}\b(?:never told|didnt tell|havent told|without me telling|somehow|how does|how did|scared|terrified|afraid)\b|\b(?:never told|didnt tell|havent told|somehow|how does|how did)\b[^.]{0,40}\bknows? (?:exactly )?where i (?:am|was|live|work|moved)\b".into(),
        ),
        (
            Danger,
            NEGATION,
            r"\bfollow(?:s|ed|ing)? me (?:home|to|around|everywhere|from|in (?:his|her|their|the) car|down the|back|into|out of)\b|\b(?:waiting|waited|waits|parked|parks|parking|sitting|sat|standing|stood|hanging around|hangs around|hung around|lurking|lurks|lurked|watching|watched|watches|sleeping) (?:outside|at|by|around|near|across from|opposite|in front of) (?:my|our) (?:house|home|flat|apartment|place|work|job|office|door|front door|window|windows|parents|parents house|mums|moms|gym|school|uni|car|building|street|kids school)\b|\b(?:turn|turned|turns|turning|show|showed|shows|showing|keeps showing|keeps turning|kept showing|kept turning|rocked|rocks|came|comes|coming) up (?:at|outside|to) (?:my|our) (?:house|home|flat|apartment|place|work|job|office|door|front door|window|parents|mums|moms|gym|school|uni|car|building|street|kids school)\b|\b(?:stalking|stalked|stalks|stalk) me\b|\bstalker\b|\b(?:restraining|protective|protection|non ?molestation|no contact|harassment) (?:order|warning)\b|\b(?:breaking|broke|broken|break) (?:in|into) (?:my|our)\b|\b(?:fake|new|different|burner) (?:accounts?|numbers?|profiles?)\b[^.]{0,40}\b(?:contact|message|messaging|text|texting|find|reach|watch)\b".into(),
        ),
        (
            Danger,
            NEGATION,
            r"\b(?:not|never) allowed to (?:see|go|have|talk|speak|leave|work|use|call|text|wear|eat|drive|visit|keep|touch|spend|open)\b|\b(?:have to|had to|must|need to|needed to) ask (?:him |her |them )?(?:for )?(?:permission|if i (?:can|could|may))\b|\b(?:decides|decided|chooses|chose|controls|controlled|picks|picked|dictates|dictated) (?:what|who|where|when|how much|how long) i (?:wear|eat|see|go|spend|can|do|text|talk|sleep|weigh)\b|\bmade me (?:quit|leave|give up|stop) (?:my )?(?:job|work|uni|college|school|seeing|friends|going|course|studies)\b|\b(?:my |all my |every )(?:wages?|pay|payslips?|pay checks?|paychecks?|salary|money|benefits) (?:go|goes|went|going) (?:in)?to (?:his|her|their|him|her|them)\b|\b(?:gives|gave|allows|allowed|lets) me (?:an? )?(?:\d+|twenty|ten|fifty|five) (?:quid|pounds|dollars|bucks|euros|rand|a week|a month)\b|\bshow (?:him|her|them) (?:the |my |all the |every )?receipts?\b|\btimes? my (?:showers?|trips?|calls?|walks?|shopping)\b|\bweighs me\b|\b(?:snapped|snaps|smashed|smashes|broke|breaks|threw|chucked) my (?:phone|laptop|sim)\b|\btook (?:the |my )?sim\b|\b(?:hid|hides|hiding|withholds|withheld|stole|flushed|threw away|binned|(?:he|she|they) (?:took|takes|keeps)) my (?:insulin|meds|medication|inhaler|pills|tablets|birth certificate|licence|license|documents|papers|visa|passport|id|glasses|hearing aids?|wheelchair)\b|\bwont (?:hand|give) (?:them|it|my \w+) (?:over|back) (?:unless|until|till)\b|\btook (?:the |my )?(?:\w+ ){0,2}(?:key|keys)\b[^.]{0,40}\bso i (?:cant|couldnt|cannot)\b|\bonly (?:use|touch|have|see) my (?:phone|money|friends|car) when (?:he|she|they)\b".into(),
        ),
        (
            Danger,
            NEGATION,
            r"\b(?:turn|turned|turns|turning|show|showed|shows|showing|keeps showing|keeps turning|kept showing|kept turning|rocked|rocks|came|comes|coming|rolled|rolls|pops|popped|waits|waited|waiting|parked|parks|sits|sat) up (?:at|outside|to|near) (?:my|our|the) (?:new |old |own |kids |daughters |sons )?(?:house|home|flat|apartment|place|work|job|office|door|front door|window|parents|mums|moms|gym|school|school gates|uni|car|building|street|nursery|church|shift|bus stop)\b|\b(?:driving|drives|drove|driven|walking|walks|walked|cycling|keeps driving|kept driving|keeps walking) (?:slowly |past |by |round |around |up and down )+(?:my|our) (?:\w+ )?(?:house|flat|place|work|school|mums|moms|parents|street|road)\b|\b(?:being|been|is|was) (?:tracked|followed|watched|monitored)\b|\b(?:in|at) the (?:car park|parking lot|carpark|lobby|reception) of my\b|\b(?:photo|picture|pic|video|photos|pictures) of (?:my|our) (?:\w+ )?(?:door|house|flat|car|window|windows|street|work|building|kids|daughter|son|new place)\b|\b(?:outside|under|at) my (?:bedroom )?window (?:at night|every night|last night|again)\b|\basking (?:\w+ ){0,3}where i (?:am|live|work|m staying|moved|was|went)\b|\b(?:rang|called|calls|rings|phoned|texted|messaged|emailed) (?:me|my \w+) (?:\d+|fifty|forty|thirty|twenty|a hundred|hundreds of|dozens of) times\b|\b(?:still|somehow) (?:found|finds|tracked|tracks) me\b|\bnew (?:profile|account|number) every\b|\bmy location (?:was |is |has been )?(?:shared|on|tracked|sent)\b|\bpretending to be (?:my|a) (?:dad|mum|mom|brother|sister|client|friend|landlord|boss|doctor|cousin)\b".into(),
        ),
        // --- Danger: threats.
        (
            Danger,
            NEGATION,
            r"\bthreat\w* (?:me|us|my|to (?:jump|overdose|drown|torch|poison|kill|hurt|harm|hit|beat|batter|take|post|share|send|leak|expose|ruin|destroy|burn|smash|break|tell|out|report|call|come|find|kidnap|end|stab|shoot|throw|get|put|spread|show|upload|release|sue|take away|punch|slap|choke|strangle|drown)|that (?:he|she|they)|with)\b".into(),
        ),
        (
            Danger,
            NEGATION_HYPERBOLE,
            format!(
                r"\b{pron}{will} (?:\w+ )?(?:kill|murder|hurt|strangle|choke|stab|shoot|hit|beat|batter|end|ruin|destroy|find|come for|come after|get|make me pay|take the kids|take the children|take (?:my|our) (?:kids|children|son|daughter|baby)|post|share|send|leak|burn|smash|break) (?:me|us|my|the|our|everything|them|it|everyone|you)\b"
            ),
        ),
        (
            Danger,
            NEGATION_HYPERBOLE,
            r"\b(?:said|says|saying|told me|tells me|telling me|texted|texts|messaged|warned|swore|swears|promised|screamed|shouted|yelled) (?:that )?(?:he|she|they|hed|shed|theyd|hell|shell|theyll|id) (?:would |will |is going to |was going to |is gonna |was gonna |gonna |d |ll )?(?:\w+ )?(?:kill|murder|hurt|strangle|stab|shoot|end|ruin|destroy|find|come for|come after|make (?:me|you) pay|take (?:the|my|our) (?:kids|children|son|daughter|baby)|post|share|send|leak|burn|bury|break (?:my|every)|drown|torch|poison|throw acid|smash|get rid of|out me|tell everyone)\b".into(),
        ),
        (
            Danger,
            NEGATION_HYPERBOLE,
            r"\b(?:kill|murder|hurt|strangle|stab|shoot|end|ruin|find|destroy) (?:me|you) if\b|\bif (?:i|you) (?:ever )?(?:leave|left|go|went|tell|told|call|called|report|reported|try|tried|see|saw|talk|talked|block|blocked)\b[^.]{0,50}\b(?:kill|hurt|make (?:you|me) pay|regret it|never see (?:the|my|your) (?:kids|children)|take the kids|post|send|leak|find (?:you|me)|ruin (?:you|me)|end (?:you|me))\b".into(),
        ),
        (
            Danger,
            NEGATION_HYPERBOLE,
            r"\b(?:going to|gonna|will|is going to|is gonna|s going to|s gonna|ll|wants to|want to|tried to|try to|tries to|trying to|could have|couldve|nearly|almost) (?:actually |really |literally )?(?:kill|murder|strangle|choke|stab|shoot|drown) me\b".into(),
        ),
        (
            Danger,
            NEGATION,
            r"\b(?:post|posting|posted|share|sharing|shared|send|sending|sent|leak|leaking|leaked|show|showing|showed|spread|spreading|put|putting|upload|uploading|uploaded|release|releasing|expose|exposing) (?:up |out )?(?:my|the|our|those|these|them|all my|all the|all our) (?:nudes|nude|naked|intimate|private|sex|explicit|personal) ?(?:\w+ )?(?:to|online|on|everywhere|if|unless|with)?\b|\brevenge porn\b|\b(?:nudes|naked (?:pics|photos|pictures|videos)|intimate (?:photos|pics|pictures|videos|images)|sex tape)\b[^.]{0,50}\b(?:post|share|send|leak|show|spread|upload|family|boss|work|everyone|online|internet|unless|if i)\b".into(),
        ),
        (
            Danger,
            NEGATION_HYPERBOLE,
            r"\b(?:youll|you will|ull|youre gonna|youre going to|you gonna|youd better|you ll) regret (?:this|it|that|leaving|ever|the day)\b|\bwatch (?:ur|your|yer) back\b|\bget(?:ting)? whats coming\b|\bsleep with one eye open\b|\bif i cant have you\b|\baccidents happen\b|\b(?:make|making) sure (?:i|you) (?:never|dont|wont|cant|cannot|will never|do not)\b|\b(?:im|youre|ur|you are|i am|i was|id be) (?:dead|a dead (?:man|woman|girl|boy))(?: meat)? if\b|\bacid\b|\b(?:torch|burn|burn down|set fire to|smash up|key|slash the tyres on|slash|trash|wreck) (?:my|our|your) (?:car|house|flat|place|stuff|tyres|tires|shop|van)\b|\b(?:drown|kill|hurt|poison|get rid of|strangle|drown|shoot|stab|run over) (?:the|my|our|your) (?:cat|dog|kids|kid|baby|pets?|puppy|kitten|rabbit|horse|children|son|daughter)\b|\b(?:drive|driving|crash|crashing) (?:the|my|our) (?:kids|children|car) (?:into|off)\b|\bblood (?:will be |is |would be |ll be )?on (?:my|your) hands\b|\b(?:jump|overdose|od|do something stupid|do something|end it|take pills|kill (?:himself|herself|themselves)) if (?:i|you) (?:leave|left|go|dont|didnt|block|break)\b|\b(?:he|she|they|hes|shes|hell|shell|theyll)\s*(?:might|could|would|will|is going to|gonna|is gonna|s going to)\s+(?:actually |really |one day |end up |seriously )?(?:kill|hurt|murder|strangle|stab|shoot) (?:me|us)\b|\b(?:daddy|mummy|dad|mum|mommy|mom) (?:is |was )?(?:going to|gonna) (?:hurt|hit|kill) us\b".into(),
        ),
        // --- Danger: fear.
        (
            Danger,
            NEGATION,
            r"\b(?:afraid|scared|terrified|frightened|petrified|fearful|fear|scared stiff|scared to death|shaking) (?:of|for) (?:him|her|them|my ex|his temper|her temper|their temper|what (?:he|she|they|hell|shell|theyll|hed|shed|theyd) (?:will |would |might |could |is going to |was going to |is gonna |is capable of |ll |d )?(?:do|does|did)|my (?:life|safety|kids|children|son|daughter|baby|pets?|dog|cat))\b".into(),
        ),
        (
            Danger,
            NEGATION,
            r"\b(?:afraid|scared|terrified|frightened|petrified|worried|worry|fear|panicking|panic) (?:that )?(?:he|she|they|hell|shell|theyll|hed|shed|theyd)(?: will| would| might| could| is going to| is gonna| gonna| ll| d| is| was)? ?(?:going to |gonna |actually |really )?(?:hurt|kill|hit|beat|attack|find me|find out where|come (?:back|round|over|here|after)|turn up|show up|break in|snap|lose it|do something|take the kids|take (?:my|our) (?:kids|children|son|daughter)|follow me|track me|see me)\b".into(),
        ),
        (
            Danger,
            NEGATION,
            format!(
                r"\b(?:dont|do not|didnt|did not|never|no longer|cant|cannot) feel safe\b|\bnot safe (?:at home|in my (?:own )?(?:home|house|flat|bed|room)|with (?:him|her|them)|around (?:him|her|them)|to go (?:home|back|out)|there|here){END}?|\bfear(?:ed|ing)? for my (?:life|safety)\b|\b(?:hiding|hid|hide) from (?:him|her|them|my ex)\b|\b(?:sleep|sleeping|slept) with (?:a knife|the lights on|a chair against|my door locked|the door locked)\b|\b(?:jump|flinch|jumped|flinched|shake|shaking) (?:every time|whenever|when) (?:he|she|they|my phone|the door|someone)\b|\b(?:im|i am|were|we are|staying|stayed|moved|going|went|go) (?:in|at|to|into) (?:a |the )?(?:safe house|refuge|womens refuge|shelter)\b"
            ),
        ),
        (
            Danger,
            NEGATION,
            r"\b(?:afraid|scared|terrified|frightened|petrified) (?:of )?what (?:he|she|they|hell|shell|theyll|hed|shed|theyd)(?: will| would| might| could| is going to| is gonna| ll| d)? ?(?:do|does|did)\b|\b(?:chair|wedge|table|dresser|wardrobe|chest of drawers)\b[^.]{0,15}\b(?:under|against|behind) (?:the|my) (?:door|handle|door handle|bedroom door)\b|\bin case (?:he|she|they) (?:comes|come|turns up|shows up|finds|gets|breaks|tries)\b|\b(?:afraid|scared|terrified|frightened|petrified) to (?:go|come) (?:home|back|out|to sleep)\b|\bin case i (?:need|have) to (?:run|leave fast|get out|escape|flee)\b|\bbag packed\b[^.]{0,40}\b(?:run|escape|leave|get out|flee)\b".into(),
        ),
        // --- Danger: sexual.
        (
            Danger,
            NEGATION,
            r"\b(?:raped|rape|raping|rapes|sexually assaulted|sexual assault|sexually abused|molested|molest)\b|\bforced (?:me|himself|herself|themselves|his way|her way|it) (?:to|into|on|onto|in)?\b|\bmade me (?:have sex|sleep with|do things|do stuff|do sexual|do sex|perform)\b|\b(?:didnt|wouldnt|doesnt|wont|did not|would not|never) (?:stop|take no|listen|care) (?:when|even when|after|though) i (?:said|say|told|asked|cried|begged) (?:no|stop|to stop|him to stop|her to stop|them to stop|i didnt want)\b|\b(?:wouldnt|didnt|wont|doesnt) take no for an answer\b|\b(?:pressured|pressures|pressuring|guilted|guilts|guilting|coerced|coerces|bullied|pushed) me into (?:sex|sleeping|doing (?:stuff|things|it|sexual)|having sex|it)\b|\b(?:while|when) i was (?:asleep|passed out|unconscious|too drunk)\b|\bwithout (?:my )?consent\b|\b(?:kept|keep|keeps) going (?:when|after|even when|even though|though) i (?:said|told|asked|was saying|cried|begged)\b|\bowed (?:him|her|them) sex\b|\bsex for (?:the )?(?:rent|money|a place|a roof)\b|\bpressured me into (?:filming|photos|videos|sending)\b|\bi (?:said|kept saying|was saying) no\b[^.]{0,40}\b(?:anyway|kept going|didnt stop|carried on)\b".into(),
        ),
        // --- Danger: their self-harm threats, and harm to children and pets.
        (
            Danger,
            NEGATION_HYPERBOLE,
            r"\b(?:kill|killing|hurt|hurting|harm|harming|off|end|ending|cut|cutting|unalive) (?:himself|herself|themselves|themself)\b|\b(?:he|she|they|my ex)\b[^.]{0,30}\b(?:suicide|suicidal|overdose|pills|end (?:his|her|their) life|end it all)\b".into(),
        ),
        (
            Danger,
            NEGATION,
            r"\b(?:kicked|kicks|hit|hits|hurt|hurts|threw|throws|strangled|choked|punched|slapped|smacked|beat|beats|drowned|poisoned|starved|shook|shakes|grabbed|squeezed) (?:the|my|our) (?:dog|cat|puppy|kitten|kids|kid|baby|son|daughter|children|child|rabbit|pet|pets|boy|girl)\b".into(),
        ),
    ]
}

static PHRASES: LazyLock<Vec<(Kind, Guards, Regex)>> = LazyLock::new(|| {
    phrases()
        .into_iter()
        .filter_map(|(kind, guards, pattern)| {
            // The patterns are constants, checked by a unit test; one that
            // failed to compile would drop out rather than take the app down.
            Regex::new(&pattern).ok().map(|r| (kind, guards, r))
        })
        .collect()
});

/// Words that deny what follows them in the same clause.
const NEGATORS: &[&str] = &[
    "not", "never", "no", "dont", "doesnt", "didnt", "wont", "wouldnt", "isnt", "wasnt", "arent",
    "werent", "havent", "hasnt", "hadnt", "nothing", "neither", "nor", "nobody", "none", "without",
    "shouldnt", "mustnt",
];

/// Words that, right after a negator, turn the denial round ("can't stop
/// thinking about", "don't even know why I want to").
const UNDENY: &[&str] = &[
    "stop", "help", "even", "know", "think", "care", "see", "trust",
];

/// A laugh, which makes "killing me" and "die" a figure of speech.
const LAUGHS: &[&str] = &[
    "lol", "lmao", "lmfao", "rofl", "haha", "hahaha", "hehe", "jk", "😂", "🤣", "💀", "😆", "😹",
];

/// Lower case, apostrophes dropped, clause marks kept as " . ", everything
/// else that is not a letter or digit as a space.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            '\'' | '’' | '‘' | '`' | '´' => {}
            '.' | '!' | '?' | ';' | '\n' | '\r' | '…' => out.push_str(" . "),
            c if c.is_alphanumeric() => out.push(c),
            _ => out.push(' '),
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn laughs(lower: &str) -> bool {
    lower
        .split(|c: char| !c.is_alphanumeric() && c.is_ascii())
        .any(|w| {
            LAUGHS.contains(&w)
                || (w.len() >= 4 && w.starts_with("haha"))
                || (w.len() >= 4 && w.starts_with("ahah"))
        })
        || LAUGHS.iter().any(|l| !l.is_ascii() && lower.contains(l))
}

/// "not", "never", "don't"... among the three words before `start`, in its
/// clause; for a phrase that starts with its subject ("he didnt hit me"), also
/// among its own first three words.
fn denied(norm: &str, start: usize, end: usize) -> bool {
    let phrase: Vec<&str> = norm
        .get(start..end)
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let subjects = [
        "he", "she", "they", "hes", "shes", "theyre", "ex", "him", "her",
    ];
    if phrase.first().is_some_and(|w| subjects.contains(w))
        && phrase.iter().skip(1).take(3).any(|w| NEGATORS.contains(w))
    {
        return true;
    }
    let before = norm.get(..start).unwrap_or("");
    let clause = before.rsplit(" . ").next().unwrap_or(before);
    let words: Vec<&str> = clause.split_whitespace().collect();
    let from = words.len().saturating_sub(3);
    words.iter().enumerate().skip(from).any(|(i, w)| {
        NEGATORS.contains(w) && !words.get(i + 1).is_some_and(|next| UNDENY.contains(next))
    })
}

/// A figure of speech: "die of shame", "dying laughing".
fn figure_after(norm: &str, end: usize) -> bool {
    let after = norm.get(end..).unwrap_or("").trim_start();
    [
        "of embarrassment",
        "of shame",
        "of cringe",
        "of boredom",
        "of laughter",
        "of laughing",
        "of happiness",
        "of jealousy",
        "of envy",
        "of hunger",
        "of thirst",
        "of heat",
        "laughing",
        "from embarrassment",
        "from cringe",
        "from shame",
        "if i m late",
        "if im late",
        "if i miss",
        "if i forget",
        "when he sees",
        "when she sees",
    ]
    .iter()
    .any(|f| after.starts_with(f))
}

/// "it finally hit me that", "hit me up": the idioms, not a blow.
fn hit_me_idiom(norm: &str, start: usize, end: usize) -> bool {
    let prev = norm
        .get(..start)
        .unwrap_or("")
        .split_whitespace()
        .next_back();
    let next = norm.get(end..).unwrap_or("").split_whitespace().next();
    let before: Vec<&str> = norm
        .get(..start)
        .unwrap_or("")
        .split_whitespace()
        .rev()
        .take(3)
        .collect();
    // "that car almost hit me": a thing, not a person.
    let thing = before.iter().any(|w| {
        [
            "car", "ball", "bus", "truck", "van", "bike", "cyclist", "door", "branch", "wave",
            "thing", "train", "taxi", "scooter", "drone", "frisbee",
        ]
        .contains(w)
    });
    thing
        || prev.is_none_or(|w| {
            [
                "it",
                "this",
                "that",
                "reality",
                "realisation",
                "realization",
                "finally",
                "truth",
                "suddenly",
                "just",
                "really",
                "then",
                "everything",
                "all",
                "memories",
                "wave",
                "grief",
                "loneliness",
                "sadness",
                "news",
                "song",
                "only",
            ]
            .contains(&w)
        })
        || next.is_some_and(|w| ["up", "that", "how", "when", "like", "back"].contains(&w))
}

/// History that is over: "used to", "years clean", "when i was 16".
static PAST: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:used to|years clean|months clean|clean for|(?:\d+ |a few |two |three |four |five |six |ten |many |several |)years ago|when i was (?:a teen|a teenager|younger|young|a kid|little|in school|at school|at uni|\d+)|as a (?:teen|teenager|kid)|in my teens|back in (?:school|uni|high school|college)|havent (?:done it|cut|self harmed) (?:in|for) (?:years|ages|\d+))\b",
    )
    .ok()
});

/// Said now, whatever the history: a fresh urge or act.
static NOW: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"\b(?:again|tonight|right now|relapse\w*|want to|wanna|thinking about|keep thinking|cant stop)\b").ok()
});

/// Old danger that is over and said to be: "years ago ... im safe now".
static SAFE_NOW: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"\b(?:safe now|im safe|i am safe|im fine now|im fine|long over|behind me|zero contact|moved (?:abroad|away|overseas)|nothing like (?:that|this|it)|by comparison|healed|different place now|ive moved on)\b").ok()
});

/// A game, where being beaten is winning and losing.
static GAME: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"\b(?:rematch|game|games|match|chess|cards|scrabble|race|mario|fifa|quiz|points|score|round|tennis|golf|pool|darts|monopoly|uno)\b").ok()
});

/// The writer's own looking at the ex's profiles.
static SELF_STALKING: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"\bi (?:\w+ )?stalk").ok());

/// Embarrassment makes "i want to die" a figure of speech.
static EMBARRASSED: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"\b(?:embarrass\w*|mortif\w*|cringe\w*|so awkward)\b").ok());

/// A household accident: "cut myself shaving", "burnt myself on the pan".
static ACCIDENT: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"\b(?:shaving|chopping|cooking|slicing|onion|onions|knife slipped|by accident|accidentally|paper cut|on a can|on the (?:pan|oven|iron|stove|kettle|glass|tin)|at the gym|lifting|tripped|slipped|fell off)\b").ok()
});

/// People whose "will kill me" is a figure of speech: family, a boss, a coach.
const FIGURE_SUBJECTS: &[&str] = &[
    "mum",
    "mom",
    "mam",
    "mummy",
    "mother",
    "dad",
    "father",
    "boss",
    "manager",
    "teacher",
    "coach",
    "instructor",
    "trainer",
    "sister",
    "brother",
    "nan",
    "gran",
    "grandma",
    "nana",
    "landlord",
    "bestie",
    "friends",
    "mates",
    "flatmate",
    "roommate",
    "housemate",
    "parents",
    "aunt",
    "auntie",
    "uncle",
    "cousin",
    "professor",
    "lecturer",
    "supervisor",
    "editor",
    "client",
    "dentist",
];

/// A figure-of-speech subject among the four words before `start`.
fn figure_subject(norm: &str, start: usize) -> bool {
    let before = norm.get(..start).unwrap_or("");
    let clause = before.rsplit(" . ").next().unwrap_or(before);
    clause
        .split_whitespace()
        .rev()
        .take(4)
        .any(|w| FIGURE_SUBJECTS.contains(&w))
}

/// What `text` shows: the phrases, or the learned layer
/// (`crisis_learned`) where no phrase counts.
pub fn crisis_signs(text: &str) -> CrisisSigns {
    let mut signs = phrase_signs(text);
    if !signs.any() {
        let [self_harm, danger] = crate::crisis_learned::MODEL.signs(text);
        signs.self_harm = self_harm;
        signs.danger = danger;
    }
    signs
}

/// What the phrases alone find (the learned layer's trainer compares).
pub fn phrase_signs(text: &str) -> CrisisSigns {
    let mut signs = CrisisSigns::default();
    for (kind, _) in counted(text) {
        match kind {
            Kind::SelfHarm => signs.self_harm = true,
            Kind::Danger => signs.danger = true,
        }
    }
    signs
}

/// The phrases that counted, as they read in the normalized text (for the
/// evaluation runner's `--why`; never logged).
pub fn counted_phrases(text: &str) -> Vec<String> {
    counted(text).into_iter().map(|(_, p)| p).collect()
}

fn counted(text: &str) -> Vec<(Kind, String)> {
    let norm = normalize(text);
    let lower = text.to_lowercase();
    let laugh = laughs(&lower);
    let embarrassed = EMBARRASSED.as_ref().is_some_and(|r| r.is_match(&norm));
    let accident = ACCIDENT.as_ref().is_some_and(|r| r.is_match(&norm));
    let past = PAST.as_ref().is_some_and(|r| r.is_match(&norm))
        && !NOW.as_ref().is_some_and(|r| r.is_match(&norm));
    let danger_over = past && SAFE_NOW.as_ref().is_some_and(|r| r.is_match(&norm));
    let mut found = Vec::new();
    for (kind, guards, re) in PHRASES.iter() {
        let hit = re.find_iter(&norm).find(|m| {
            if guards.negation && denied(&norm, m.start(), m.end()) {
                return false;
            }
            // "so embarrassed i want to die": the wish, not an act said outright.
            let figure = laugh
                || figure_after(&norm, m.end())
                || (embarrassed && (m.as_str().contains("die") || m.as_str().contains("dead")));
            if guards.hyperbole && figure {
                return false;
            }
            if guards.past && past {
                return false;
            }
            if *kind == Kind::Danger && danger_over {
                return false;
            }
            if guards.hyperbole && figure_subject(&norm, m.start()) {
                return false;
            }
            if m.as_str().starts_with("hit me") && hit_me_idiom(&norm, m.start(), m.end()) {
                return false;
            }
            // "beat me at scrabble", "beat me to it", "kicked me out of the group".
            let after = norm.get(m.end()..).unwrap_or("");
            if m.as_str().starts_with("beat")
                && ([" at ", " to ", " in a ", " in the "]
                    .iter()
                    .any(|w| after.starts_with(w))
                    || GAME.as_ref().is_some_and(|r| r.is_match(&norm)))
            {
                return false;
            }
            if m.as_str().starts_with("kicked me")
                && [" out", " off"].iter().any(|w| after.starts_with(w))
            {
                return false;
            }
            // "cut myself chopping an onion".
            if *kind == Kind::SelfHarm && guards.hyperbole && accident {
                return false;
            }
            // "i keep stalking his insta": the writer's own looking.
            if m.as_str().starts_with("stalk")
                && SELF_STALKING.as_ref().is_some_and(|r| r.is_match(&norm))
            {
                return false;
            }
            true
        });
        if let Some(m) = hit {
            found.push((*kind, m.as_str().to_string()));
        }
    }
    found
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        // Every form's text goes through the check: nothing typed may panic it,
        // and normalizing twice changes nothing.
        #[test]
        fn any_text_is_checked_without_panic(text in "\\PC{0,300}") {
            let _ = crisis_signs(&text);
            let once = normalize(&text);
            prop_assert_eq!(normalize(&once), once);
        }
    }

    #[test]
    fn every_pattern_compiles() {
        for (_, _, p) in phrases() {
            assert!(Regex::new(&p).is_ok(), "{p}");
        }
        assert_eq!(PHRASES.len(), phrases().len());
        assert!(PAST.is_some() && NOW.is_some());
    }

    #[test]
    fn normalizing_drops_apostrophes_and_keeps_clauses() {
        assert_eq!(
            normalize("I can’t  go on!! Really"),
            "i cant go on . . really"
        );
        assert_eq!(normalize("he'd—post it"), "hed post it");
    }

    #[test]
    fn self_harm_said_outright_or_veiled_is_found() {
        for t in [
            "i want to die",
            "Honestly I can’t go on.",
            "SUICIDE",
            "i dont want to wake up tomorrow",
            "everyone would be better off",
            "nobody would even notice if i was gone",
            "been saving up my sleeping pills",
            "took a whole box of paracetamol",
            "sometimes i think about not being here anymore",
            "i wish i was never born",
            "whats the point in living",
            "wrote a goodbye note to my sister",
        ] {
            let s = crisis_signs(t);
            assert!(s.self_harm, "{t}");
        }
    }

    #[test]
    fn danger_from_someone_is_found() {
        for t in [
            "he said he's going to kill me",
            "she grabbed me by the throat",
            "he threw a glass at me",
            "he took my phone so i couldnt call anyone",
            "he keeps turning up at my work",
            "she said shed post my nudes if i leave",
            "im scared of what he will do",
            "he said he'd kill himself if i left",
            "i dont feel safe at home",
        ] {
            assert!(crisis_signs(t).danger, "{t}");
        }
    }

    #[test]
    fn the_learned_layer_finds_what_no_phrase_says() {
        // No phrase counts in these; the words do.
        for t in [
            "wrote down all my passwords for my brother, he will need them",
            "im so tired of everything, i just want it to stop for good",
        ] {
            assert!(!phrase_signs(t).any(), "{t}");
            assert!(crisis_signs(t).any(), "{t}");
        }
        for t in [
            "picked up the kids at 5, dinner was fine",
            "went for a run and called my sister, felt a bit better",
            "booked the dentist for thursday",
        ] {
            assert!(!crisis_signs(t).any(), "{t}");
        }
    }

    /// The phrases' guards (the learned layer has its own false alarms: one of
    /// these, "he pushed me to apply for the job", is read as danger by it;
    /// CRISIS_LOG.md).
    #[test]
    fn figures_of_speech_denials_and_old_history_are_not_crises() {
        for t in [
            "killer workout today",
            "I died laughing",
            "kept it, felt good",
            "cut back on coffee",
            "this week is killing me lol",
            "i could die of embarrassment",
            "my mum is gonna kill me if im late again lol",
            "im not going to hurt myself, i just need to vent",
            "he never once laid a hand on me",
            "i used to self harm as a teen, 6 years clean now",
            "i keep stalking his instagram like an idiot",
            "it finally hit me that its over",
            "he pushed me to apply for the job",
            "i cant do this anymore with him",
            "i took my pills and went to bed",
        ] {
            assert!(!phrase_signs(t).any(), "{t}");
        }
    }
}
