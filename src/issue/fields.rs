//! The tracker's enumerated fields: status, priority and issue type.
//!
//! Each keeps a value it does not know as written (`Other`), so an odd file still gets a row
//! and shows what it says; the caller warns once.
//!
//! Two readings: `from_file` for what a file holds, exact as the tracker reads it (its parser
//! is `Status(value)`, case-sensitive: `Done`, `HIGH` or `in_progress` make it skip the whole
//! file; we keep them as written and warn), and `parse` for what a user types, forgiving case,
//! `_` and spaces.

use std::fmt;

/// Declares an enum of known values plus `Other(String)`, with its canonical spellings.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant,)*
            /// A value the tracker does not define, kept exactly as written.
            Other(String),
        }

        impl $name {
            /// Every value the tracker defines, in its canonical spelling.
            pub const KNOWN: &[&str] = &[$($text),*];

            /// Returns the canonical spelling, or the text as written for `Other`.
            #[must_use]
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)*
                    Self::Other(text) => text,
                }
            }

            /// Parses a canonical spelling, exactly; `None` for anything else.
            #[must_use]
            pub fn from_known(text: &str) -> Option<Self> {
                match text {
                    $($text => Some(Self::$variant),)*
                    _ => None,
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum!(
    /// Where an issue stands.
    Status {
        Todo => "todo",
        InProgress => "in-progress",
        Blocked => "blocked",
        Review => "review",
        Closed => "closed",
        Archived => "archived",
    }
);

text_enum!(
    /// How urgent an issue is; sorts by rank, not alphabetically.
    Priority {
        Critical => "critical",
        High => "high",
        Medium => "medium",
        Low => "low",
    }
);

text_enum!(
    /// What kind of work an issue is.
    IssueType {
        Feature => "feature",
        Bug => "bug",
        Other_ => "other",
    }
);

impl Status {
    /// Reads a status as a file writes it: a canonical spelling, or `done` and `completed`
    /// (older tracker versions), which mean closed. Anything else is kept as written; the
    /// second value says it is not one the tracker knows.
    #[must_use]
    pub fn from_file(text: &str) -> (Self, bool) {
        match (Self::from_known(text), text) {
            (Some(known), _) => (known, false),
            (None, "done" | "completed") => (Self::Closed, false),
            (None, _) => (Self::Other(text.to_owned()), true),
        }
    }

    /// Reads a status a user typed: any case, `_` or a space for `-`, and the older
    /// `done`/`completed`. Returns the status and whether the text was unknown.
    #[must_use]
    pub fn parse(text: &str) -> (Self, bool) {
        let lowered = text.trim().to_ascii_lowercase();
        let spelled = lowered.replace('_', "-");
        if let Some(known) = Self::from_known(&spelled) {
            return (known, false);
        }
        match spelled.as_str() {
            "done" | "completed" => (Self::Closed, false),
            "in progress" | "inprogress" => (Self::InProgress, false),
            _ => (Self::Other(text.to_owned()), true),
        }
    }

    /// Whether the issue still needs work: not closed and not archived.
    #[must_use]
    pub fn is_open(&self) -> bool {
        !matches!(self, Self::Closed | Self::Archived)
    }

    /// The order the default view groups statuses in; unknown values come last.
    #[must_use]
    pub fn rank(&self) -> i64 {
        match self {
            Self::InProgress => 0,
            Self::Review => 1,
            Self::Blocked => 2,
            Self::Todo => 3,
            Self::Closed => 4,
            Self::Archived => 5,
            Self::Other(_) => 6,
        }
    }
}

impl Priority {
    /// Reads a priority as a file writes it: exactly a canonical spelling, or kept as written
    /// and reported unknown.
    #[must_use]
    pub fn from_file(text: &str) -> (Self, bool) {
        match Self::from_known(text) {
            Some(known) => (known, false),
            None => (Self::Other(text.to_owned()), true),
        }
    }

    /// Reads a priority a user typed (any case); returns it and whether it was unknown.
    #[must_use]
    pub fn parse(text: &str) -> (Self, bool) {
        match Self::from_known(&text.trim().to_ascii_lowercase()) {
            Some(known) => (known, false),
            None => (Self::Other(text.to_owned()), true),
        }
    }

    /// Sort rank: critical first; unknown values after low.
    #[must_use]
    pub fn rank(&self) -> i64 {
        match self {
            Self::Critical => 0,
            Self::High => 1,
            Self::Medium => 2,
            Self::Low => 3,
            Self::Other(_) => 4,
        }
    }
}

impl IssueType {
    /// Reads an issue type as a file writes it: exactly a canonical spelling, or kept as
    /// written and reported unknown.
    #[must_use]
    pub fn from_file(text: &str) -> (Self, bool) {
        match Self::from_known(text) {
            Some(known) => (known, false),
            None => (Self::Other(text.to_owned()), true),
        }
    }

    /// Reads an issue type a user typed (any case); returns it and whether it was unknown.
    #[must_use]
    pub fn parse(text: &str) -> (Self, bool) {
        match Self::from_known(&text.trim().to_ascii_lowercase()) {
            Some(known) => (known, false),
            None => (Self::Other(text.to_owned()), true),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_statuses_read_as_closed() {
        assert_eq!(Status::parse("done"), (Status::Closed, false));
        assert_eq!(Status::parse("completed"), (Status::Closed, false));
        assert_eq!(Status::parse("in_progress"), (Status::InProgress, false));
        assert_eq!(Status::parse("Review"), (Status::Review, false));
    }

    #[test]
    fn files_are_read_exactly_as_the_tracker_reads_them() {
        assert_eq!(
            Status::from_file("in-progress"),
            (Status::InProgress, false)
        );
        assert_eq!(Status::from_file("done"), (Status::Closed, false));
        for odd in ["Done", "in_progress", "Review", " todo", "CLOSED"] {
            assert_eq!(
                Status::from_file(odd),
                (Status::Other(odd.into()), true),
                "{odd}"
            );
        }
        assert_eq!(Priority::from_file("high"), (Priority::High, false));
        assert_eq!(
            Priority::from_file("HIGH"),
            (Priority::Other("HIGH".into()), true)
        );
        assert_eq!(
            IssueType::from_file("Bug"),
            (IssueType::Other("Bug".into()), true)
        );
    }

    #[test]
    fn unknown_values_are_kept_as_written() {
        assert_eq!(
            Status::parse("on-hold"),
            (Status::Other("on-hold".into()), true)
        );
        assert_eq!(Priority::parse("P1").0.as_str(), "P1");
        assert_eq!(IssueType::parse("chore").0.as_str(), "chore");
    }

    #[test]
    fn priority_ranks_follow_urgency() {
        let ranks: Vec<i64> = ["critical", "high", "medium", "low", "whenever"]
            .iter()
            .map(|p| Priority::parse(p).0.rank())
            .collect();
        assert_eq!(ranks, [0, 1, 2, 3, 4]);
    }
}
