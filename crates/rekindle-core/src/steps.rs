//! The method's eight steps (SPEC.md), in the order a person walks them.

/// Whether a step can be used yet. Steps not built are shown as "coming",
/// never as if they worked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    Ready,
    Coming,
}

#[derive(Debug, Clone, Copy)]
pub struct Step {
    pub number: u8,
    /// The step's name: the same words as its link in the main menu.
    pub title: &'static str,
    pub question: &'static str,
    /// Opaque path of the page (no sensitive words in URLs or history).
    pub path: &'static str,
    pub availability: Availability,
}

pub const STEPS: [Step; 8] = [
    Step {
        number: 1,
        title: "Understand",
        question: "What went wrong, and why? Describe the relationship, import your chat, and name the problems.",
        path: "/r",
        availability: Availability::Ready,
    },
    Step {
        number: 2,
        title: "Plan",
        question: "Decide what you will do differently, for each problem.",
        path: "/p",
        availability: Availability::Ready,
    },
    Step {
        number: 3,
        title: "Seriousness",
        question: "Check how ready you are to change, and whether this is really what you both want.",
        path: "/s",
        availability: Availability::Ready,
    },
    Step {
        number: 4,
        title: "Track record",
        question: "Prove it: keep your commitments and build an honest record, lapses included.",
        path: "/t",
        availability: Availability::Ready,
    },
    Step {
        number: 5,
        title: "Guard",
        question: "Guard against repeats: know your triggers and the situations to avoid.",
        path: "/g",
        availability: Availability::Ready,
    },
    Step {
        number: 6,
        title: "Support",
        question: "Allies and professionals who can support you, and someone to keep you accountable.",
        path: "/n",
        availability: Availability::Ready,
    },
    Step {
        number: 7,
        title: "Learn",
        question: "Books and ideas that help with your problems.",
        path: "/l",
        availability: Availability::Ready,
    },
    Step {
        number: 8,
        title: "Share",
        question: "Share your progress with someone you trust; write an honest letter when the time is right.",
        path: "/x",
        availability: Availability::Ready,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_numbered_in_order_with_unique_opaque_paths() {
        for (i, s) in STEPS.iter().enumerate() {
            assert_eq!(usize::from(s.number), i + 1);
            assert!(s.path.len() <= 3, "paths stay opaque: {}", s.path);
        }
        let mut paths: Vec<_> = STEPS.iter().map(|s| s.path).collect();
        paths.dedup();
        assert_eq!(paths.len(), 8);
    }
}
