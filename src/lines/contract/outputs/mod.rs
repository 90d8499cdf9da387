//! The outputs of roadmap-cli 0.3.1 (the 0.2 contract) that we serve byte for byte: today
//! `issue list`. Renderers are pure functions over rows of our own ([`issue_list::row`]), read
//! from the cache ([`issue_list::sources`]); whether 0.3.1 reads a file as we do is decided
//! once, when the sync reads it ([`issue_list::strict`]).

pub mod issue_list;
