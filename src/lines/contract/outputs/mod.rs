//! The outputs of roadmap-cli 0.3.1 (the 0.2 contract) that we serve byte for byte: today
//! `issue list`. Renderers are pure functions over rows of our own ([`issue_list::row`]); the
//! reading of files into those rows is one function, the bridge until the cache holds
//! contract rows.

pub mod issue_list;
